"""Create the seven standard record types (training, calibration, inspection and
test, customer complaint, supplier evaluation, management review minutes,
nonconforming output) with form version 1. Idempotent; safe in production
(no users or records are created). The quality manager adapts them in the app."""

from django.core.management.base import BaseCommand

from records.demo import seed_record_types


class Command(BaseCommand):
    help = "Create the standard record types that do not exist yet."

    def handle(self, *args, **options):
        types = seed_record_types(None)
        self.stdout.write(self.style.SUCCESS(f"Record types ready: {', '.join(sorted(types))}"))
