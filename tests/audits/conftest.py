import pytest

from qms.models import Department
from tests.audits.factories import make_process


@pytest.fixture
def production(db, approver):
    """The Production process, owned by the approver persona (Priya Shah)."""
    return make_process(code="PRD", name="Production", dept_code="PRD", owner=approver)


@pytest.fixture
def auditor_in_purchasing(auditor):
    auditor.department = Department.objects.get_or_create(code="PUR", defaults={"name": "Purchasing"})[0]
    auditor.save()
    return auditor
