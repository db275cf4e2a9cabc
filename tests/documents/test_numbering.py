"""Numbers come from the type's pattern, are never reused, and stay unique under concurrent creation."""

import threading

import pytest
from django.db import connection

from documents import services
from documents.models import Document, DocumentType
from qms.errors import DomainError, PermissionRefused
from tests.documents.factories import doc_type, make_draft
from tests.factories import DepartmentFactory


@pytest.mark.django_db
def test_number_follows_the_pattern_per_type_and_department(author):
    qa = DepartmentFactory(code="QA")
    prd = DepartmentFactory(code="PRD")
    assert make_draft(author, department=qa).number == "SOP-QA-001"
    assert make_draft(author, department=qa).number == "SOP-QA-002"
    assert make_draft(author, department=prd).number == "SOP-PRD-001"
    assert make_draft(author, code="POL", department=prd).number == "POL-001"
    assert make_draft(author, code="POL", department=qa).number == "POL-002"  # no {dept}: one counter per type


@pytest.mark.django_db
def test_numbers_are_never_reused_even_when_taken_by_hand(author, quality_manager):
    qa = DepartmentFactory(code="QA")
    manual = make_draft(quality_manager, department=qa, number="SOP-QA-002")
    assert manual.number == "SOP-QA-002"
    assert make_draft(author, department=qa).number == "SOP-QA-001"
    assert make_draft(author, department=qa).number == "SOP-QA-003"  # skips the hand-picked one


@pytest.mark.django_db
def test_duplicate_number_is_a_clear_error_and_nothing_is_created(quality_manager):
    make_draft(quality_manager, number="SOP-QA-010")
    before = Document.objects.count()
    with pytest.raises(DomainError, match="already used"):
        make_draft(quality_manager, number="sop-qa-010")
    assert Document.objects.count() == before


@pytest.mark.django_db
def test_only_the_quality_manager_chooses_a_number(author):
    with pytest.raises(PermissionRefused):
        make_draft(author, number="SOP-QA-777")
    assert not Document.objects.filter(number="SOP-QA-777").exists()


@pytest.mark.django_db
def test_invalid_pattern_is_a_domain_error(author):
    t = DocumentType.objects.create(code="BAD", name="Bad", numbering_pattern="BAD-{nope}")
    with pytest.raises(DomainError, match="pattern"):
        services.document_create(actor=author, doc_type=t, department=DepartmentFactory(code="QA"), title="x")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_gives_distinct_numbers(reference_data, author):
    doc_type("SOP")
    qa = DepartmentFactory(code="QA")
    numbers, errors = [], []
    barrier = threading.Barrier(6)

    def create(i):
        from django.db import connection as conn

        try:
            barrier.wait()
            numbers.append(services.document_create(actor=author, doc_type=doc_type("SOP"), department=qa,
                                                    title=f"Parallel {i}").number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"SOP-QA-{n:03d}" for n in range(1, 7)]
