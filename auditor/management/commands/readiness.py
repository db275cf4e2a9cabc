"""`python manage.py readiness --format csv [--as <username>]`: the ISO 9001
readiness map, one row per clause, the same rows as /clauses/export/."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from auditor import readiness
from qms.exports import table_bytes
from qms.models import User
from qms.rules import allowed


class Command(BaseCommand):
    help = "Print the ISO 9001 readiness map (one row per clause) as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--as", dest="username", default="",
                            help="Whose view: an external auditor gets only the clauses in scope (default: everything).")
        parser.add_argument("--output", default="-", help="File to write (default: standard output).")

    def handle(self, *args, format, username, output, **options):
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
            if not allowed("auditor.export_readiness", user):
                raise CommandError(f"{username} may not export the readiness map.")
            rows = readiness.readiness_for(user)
        else:
            rows = readiness.readiness()
        content, _ = table_bytes(readiness.EXPORT_HEADERS, readiness.export_rows(rows), format)
        if output == "-":
            if format == "xlsx":
                raise CommandError("XLSX is binary: give --output <file>.")
            self.stdout.write(content.decode("utf-8-sig"), ending="")
            return
        with open(output, "wb") as fh:
            fh.write(content)
        self.stdout.write(f"{len(rows)} clauses written to {output}")
