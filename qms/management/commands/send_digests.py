"""Send today's reminder digests now (what the beat's "daily-digest" entry
does). For set-ups without Celery beat, e.g. from cron; safe to run twice."""

from django.core.management.base import BaseCommand

from qms.digest import send_daily_digests


class Command(BaseCommand):
    help = "Send today's reminder digest to every user with something due (at most one per user and day)."

    def handle(self, *args, **options):
        run = send_daily_digests()
        self.stdout.write(
            f"{run.date}: {run.sent} sent, {run.skipped_already_done} already sent today, "
            f"{run.skipped_nothing_due} with nothing due, {len(run.failed)} failed"
        )
