"""Small factory_boy factories for the core. Apps add theirs in tests/<app>/factories.py."""

import factory
from django.contrib.auth.models import Group

from qms.models import Department, Process, User

PASSWORD = "correct-horse-battery-9"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n}")
    name = factory.LazyAttribute(lambda o: f"Department {o.code}")


class ProcessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Process

    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.LazyAttribute(lambda o: f"Process {o.code}")
    department = factory.SubFactory(DepartmentFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))

    @factory.post_generation
    def declared(self, create, extracted, **kwargs):
        """Test users have made the one-time signature declaration (issue 17), so they
        can sign; `UserFactory(declared=False)` for one who has not."""
        if create and extracted is not False:
            from django.utils import timezone

            from qms.identity_models import DECLARATION_TEXT, AccountSecurity

            AccountSecurity.objects.update_or_create(
                user=self, defaults={"declared_at": timezone.now(), "declaration_text": DECLARATION_TEXT})


def ensure_reference_data() -> None:
    """Put back what data migrations seed (roles, clause catalogue, document
    types, the audit question library). Transactional tests (browser, real worker) end with a flush that
    empties those tables; a test running after one in the same database needs
    them again. Idempotent, and one cheap query when nothing is missing."""
    import importlib

    from django.apps import apps

    from audits.models import AuditQuestion
    from audits.question_library import load as load_questions
    from documents.models import DocumentType
    from qms.models import Clause

    if (Group.objects.count() >= 6 and Clause.objects.exists() and DocumentType.objects.exists()
            and AuditQuestion.objects.exists()):
        return
    importlib.import_module("qms.migrations.0002_roles_and_clauses").load(apps, None)
    importlib.import_module("documents.migrations.0005_seed_document_types").seed(apps, None)
    load_questions(apps)
