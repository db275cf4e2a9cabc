"""python manage.py import_records <type-code> <csv|xlsx> [--files <zip>] [--dry-run] [--as <username>]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intake.management.commands._common import checked_run, finish, importer, print_report
from intake.models import ImportRun
from records.models import RecordType


class Command(BaseCommand):
    help = "Import rows of a CSV or XLSX as submitted records of a record type (columns matched by label)."

    def add_arguments(self, parser):
        parser.add_argument("type_code")
        parser.add_argument("table")
        parser.add_argument("--files", default="", help="ZIP of evidence files named in the rows")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--as", dest="username", default="")

    def handle(self, type_code, table, files, dry_run, username, **options):
        actor = importer(username)
        rt = RecordType.objects.filter(code=type_code).first()
        if rt is None:
            raise CommandError(f"There is no record type {type_code}.")
        path = Path(table)
        if not path.is_file() or (files and not Path(files).is_file()):
            raise CommandError(f"{table if not path.is_file() else files} does not exist.")
        run = checked_run(actor=actor, kind=ImportRun.Kind.RECORDS, register_name=path.name,
                         register_data=path.read_bytes(), record_type=rt,
                         files_name=Path(files).name if files else "",
                         files_data=Path(files).read_bytes() if files else None)
        self.stdout.write("Column mapping: " + (", ".join(f"{h} → {k}" for h, k in run.mapping.items()) or "none"))
        print_report(self, run)
        finish(self, run, dry_run)
