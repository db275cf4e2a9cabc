"""python manage.py import_people <csv|xlsx> [--dry-run] [--as <username>]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intake.management.commands._common import checked_run, finish, importer, print_report
from intake.models import ImportRun


class Command(BaseCommand):
    help = "Import people (users with departments and roles); local-login users are invited by e-mail."

    def add_arguments(self, parser):
        parser.add_argument("table")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--as", dest="username", default="")

    def handle(self, table, dry_run, username, **options):
        actor = importer(username)
        path = Path(table)
        if not path.is_file():
            raise CommandError(f"{table} does not exist.")
        run = checked_run(actor=actor, kind=ImportRun.Kind.PEOPLE, register_name=path.name,
                         register_data=path.read_bytes())
        print_report(self, run)
        finish(self, run, dry_run)
