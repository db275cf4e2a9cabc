import pytest
from django.contrib.auth.models import Group

from qms.permissions import Role
from tests.documents.factories import TYPES, doc_type


@pytest.fixture
def reference_data(db):
    """Role groups and document types. Transactional tests flush the rows that
    migrations seeded, so such tests ask for this fixture before any persona."""
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)
    for code in TYPES:
        doc_type(code)
