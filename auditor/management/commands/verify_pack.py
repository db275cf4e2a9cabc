"""Check an evidence pack ZIP against its manifest: `manage.py verify_pack pack.zip`."""

from django.core.management.base import BaseCommand, CommandError

from auditor.packs import verify_evidence_pack


class Command(BaseCommand):
    help = "Verify an evidence pack: its signed manifest, every file's SHA-256, and this server's record of it."

    def add_arguments(self, parser):
        parser.add_argument("pack", help="Path to the pack's ZIP file")

    def handle(self, *args, pack, **options):
        result = verify_evidence_pack(pack)
        for line in result.lines():
            self.stdout.write(line)
        if not result.ok:
            raise CommandError("Evidence pack verification failed.")
