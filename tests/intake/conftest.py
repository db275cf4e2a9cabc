import pytest

from tests.factories import DepartmentFactory


@pytest.fixture
def qa(db):
    return DepartmentFactory(code="QA", name="Quality Assurance")
