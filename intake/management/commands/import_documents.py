"""python manage.py import_documents <zip-or-folder> --register <csv|xlsx> [--dry-run] [--as <username>]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intake.management.commands._common import checked_run, finish, importer, print_report
from intake.models import ImportRun


class Command(BaseCommand):
    help = "Import documents with their history from a ZIP or a folder and a register (CSV or XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="A ZIP file, or a folder on this server")
        parser.add_argument("--register", required=True, help="CSV or XLSX: one row per revision")
        parser.add_argument("--dry-run", action="store_true", help="Check and report only; write nothing")
        parser.add_argument("--as", dest="username", default="", help="The importer (a quality manager)")

    def handle(self, source, register, dry_run, username, **options):
        actor = importer(username)
        path, reg = Path(source), Path(register)
        if not path.exists() or not reg.is_file():
            raise CommandError(f"{source if not path.exists() else register} does not exist.")
        if path.is_dir():
            run = checked_run(actor=actor, kind=ImportRun.Kind.DOCUMENTS, register_name=reg.name,
                              register_data=reg.read_bytes(), folder=str(path.resolve()))
        else:
            with path.open("rb") as fh:  # streamed into storage, never read whole
                run = checked_run(actor=actor, kind=ImportRun.Kind.DOCUMENTS, register_name=reg.name,
                                  register_data=reg.read_bytes(), files_name=path.name, files_data=fh)
        print_report(self, run)
        finish(self, run, dry_run)
