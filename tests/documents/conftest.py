import pytest

from tests.documents.factories import TYPES, doc_type
from tests.factories import ensure_reference_data


@pytest.fixture
def reference_data(db):
    """Role groups and document types. Transactional tests flush the rows that
    migrations seeded, so such tests ask for this fixture before any persona."""
    ensure_reference_data()
    for code in TYPES:
        doc_type(code)
