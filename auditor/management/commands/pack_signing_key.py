"""Print a new PACK_SIGNING_KEY for the environment (base64 of an Ed25519 seed)."""

from django.core.management.base import BaseCommand

from auditor.signing import new_seed_b64


class Command(BaseCommand):
    help = "Print a new Ed25519 key for sealing evidence packs; put it in PACK_SIGNING_KEY."

    def handle(self, *args, **options):
        self.stdout.write(f"PACK_SIGNING_KEY={new_seed_b64()}")
