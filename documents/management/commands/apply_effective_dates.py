"""Make approved revisions effective on their effective date (run daily by Celery beat or cron)."""

from django.core.management.base import BaseCommand

from documents.services import apply_due_effective_dates


class Command(BaseCommand):
    help = "Switch approved revisions whose future effective date has come; the previous one becomes superseded."

    def handle(self, *args, **options):
        count = apply_due_effective_dates()
        self.stdout.write(f"{count} revision(s) made effective.")
