"""Create what the production smoke test (bin/smoke_prod.sh) needs, on any
settings (seed_demo refuses DEBUG=False): a quality manager who can log in and
one document, through the real services. Idempotent."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from documents.models import Document, DocumentType
from documents.services import document_create
from qms.models import Department
from qms.permissions import Role


class Command(BaseCommand):
    help = "Create a quality manager (and one document) for the production smoke test."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="smoke-qm")
        parser.add_argument("--password", required=True)

    @transaction.atomic
    def handle(self, *args, username, password, **options):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"full_name": "Smoke Test QM", "email": f"{username}@example.com"},
        )
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=Role.QUALITY_MANAGER))
        department, _ = Department.objects.get_or_create(code="SMK", defaults={"name": "Smoke test"})
        if not Document.objects.exists():
            document_create(actor=user, doc_type=DocumentType.objects.order_by("pk").first(), department=department,
                            title="Smoke test procedure", content="# Purpose\n\nChecked by the smoke test.")
        self.stdout.write(f"smoke user {username} {'created' if created else 'updated'}")
