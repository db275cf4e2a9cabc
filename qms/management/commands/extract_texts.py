"""Ask for the text of stored files that were never read (files stored before
text extraction existed, or while it was off), and, with --skipped, read again
those whose OCR was skipped (Tesseract was missing) or failed."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q

from qms import textract
from qms.models import TextExtraction


class Command(BaseCommand):
    help = "Request text extraction (qms.textract) for every stored file that has none yet."

    def add_arguments(self, parser):
        parser.add_argument("--skipped", action="store_true",
                            help="also read again files whose OCR was skipped or whose extraction failed")

    def handle(self, *args, **options):
        asked = again = 0
        for source in textract.sources():
            model = source.model
            qs = model.objects.filter(**source.filters).exclude(**{source.file_field: ""})
            known = TextExtraction.objects.values("file")
            for obj in qs.exclude(**{f"{source.file_field}__in": known}).iterator(chunk_size=500):
                name = getattr(obj, source.file_field)
                if textract.can_extract(name) and not TextExtraction.objects.filter(file=name).exists():
                    with transaction.atomic():
                        textract.request(source, obj, name)
                    asked += 1
        if options["skipped"]:
            rows = TextExtraction.objects.filter(Q(status=TextExtraction.Status.FAILED) | Q(ocr_skipped=True))
            for name in rows.values_list("file", flat=True):
                with transaction.atomic():
                    textract.reextract(name)
                again += 1
        self.stdout.write(f"{asked} file(s) sent for text extraction, {again} sent again.")
