"""The training matrix: cell states from records, validity and document revisions."""

import pytest

from documents import services as doc_services
from documents.models import Revision
from tests.documents.factories import make_effective, new_revision
from tests.factories import PASSWORD
from tests.training.factories import make_competence, make_person, make_record, make_role
from training import matrix
from training.models import Competence

pytestmark = pytest.mark.django_db


def _cell(person, competence):
    return matrix.cells(matrix.Scope(person_ids=(person.pk,))).get((person.pk, competence.pk))


def test_missing_then_current_after_signed_record(quality_manager, approver):
    c = make_competence(quality_manager, "CNC-1")
    role = make_role(quality_manager, "CNC", [c])
    p = make_person(quality_manager, roles=[role])
    assert _cell(p, c).status == matrix.MISSING
    make_record(quality_manager, p, c, approver)
    cell = _cell(p, c)
    assert cell.status == matrix.CURRENT and cell.expires_on is None


def test_validity_gives_due_soon_and_expired(quality_manager, approver):
    c = make_competence(quality_manager, "FORK", validity_months=12)
    role = make_role(quality_manager, "WH", [c])
    p1 = make_person(quality_manager, "A", roles=[role])
    p2 = make_person(quality_manager, "B", roles=[role])
    make_record(quality_manager, p1, c, approver, days_ago=350)
    make_record(quality_manager, p2, c, approver, days_ago=400)
    assert _cell(p1, c).status == matrix.DUE_SOON
    assert _cell(p2, c).status == matrix.EXPIRED


def test_unsigned_record_does_not_count(quality_manager, approver):
    c = make_competence(quality_manager, "CNC-1")
    p = make_person(quality_manager, roles=[make_role(quality_manager, "CNC", [c])])
    make_record(quality_manager, p, c, approver, sign=False)
    assert _cell(p, c).status == matrix.MISSING


def test_significant_revision_makes_read_competence_out_of_date_until_acknowledged(
        quality_manager, author, approver, staff):
    doc = make_effective(author, approver, title="Operate the CNC")
    c = make_competence(quality_manager, "SOP-CNC", kind=Competence.Kind.READ, documents=[doc])
    p = make_person(quality_manager, "Sam", roles=[make_role(quality_manager, "CNC", [c])], user=staff)
    # The role holder got the read-and-understood task of the revision in force (no second task).
    assert doc.effective_revision.acknowledgements.filter(user=staff).count() == 1
    assert _cell(p, c).status == matrix.MISSING
    doc_services.acknowledge(actor=staff, document=doc, password=PASSWORD)
    assert _cell(p, c).status == matrix.CURRENT
    new_revision(author, approver, doc, significance=Revision.Significance.EDITORIAL)
    assert _cell(p, c).status == matrix.CURRENT  # editorial: nothing changes
    rev = new_revision(author, approver, doc, content="# New\nNew steps.")
    assert rev.status == Revision.Status.EFFECTIVE
    assert _cell(p, c).status == matrix.OUT_OF_DATE
    assert rev.acknowledgements.filter(user=staff, acknowledged_at__isnull=True).count() == 1
    doc_services.acknowledge(actor=staff, document=doc, password=PASSWORD)
    assert _cell(p, c).status == matrix.CURRENT


def test_course_resting_on_a_document_goes_out_of_date(quality_manager, author, approver, staff):
    doc = make_effective(author, approver, title="Weld")
    c = make_competence(quality_manager, "WELD", documents=[doc])
    p = make_person(quality_manager, "Sam", roles=[make_role(quality_manager, "W", [c])], user=staff)
    make_record(quality_manager, p, c, approver, days_ago=30)
    assert _cell(p, c).status == matrix.CURRENT
    new_revision(author, approver, doc, content="# Weld\nHotter.")
    assert _cell(p, c).status == matrix.OUT_OF_DATE
    doc_services.acknowledge(actor=staff, document=doc, password=PASSWORD)
    assert _cell(p, c).status == matrix.CURRENT
