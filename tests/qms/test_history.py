"""The history of objects with many-to-many fields (qms.history): each history row keeps the
exact m2m state, and taking it asks nothing more of the database than the through rows."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import Document
from qms.models import Clause
from tests.documents.factories import make_draft
from tests.factories import ensure_reference_data


@pytest.mark.django_db
def test_each_history_row_of_a_document_keeps_its_distribution_and_clauses_as_they_were(author, staff):
    ensure_reference_data()
    doc = make_draft(author)
    clauses = list(Clause.objects.order_by("pk")[:3])
    group = Group.objects.create(name="Readers of SOPs")
    doc.clauses.set(clauses[:2])
    doc.distribution_groups.set([group])
    doc.distribution_users.set([staff])
    before = doc.history.order_by("-history_id").first()
    doc.clauses.set(clauses[2:])
    newest = doc.history.order_by("-history_id").first()
    assert {c.clause_id for c in newest.clauses.all()} == {clauses[2].pk}
    assert {c.clause_id for c in before.clauses.all()} == {c.pk for c in clauses[:2]}
    assert [g.group_id for g in newest.distribution_groups.all()] == [group.pk]
    assert [g.group_id for g in before.distribution_groups.all()] == [group.pk]
    assert [u.user_id for u in newest.distribution_users.all()] == [staff.pk]
    assert all(row.document_id == doc.pk for row in newest.clauses.all())


@pytest.mark.django_db
def test_saving_a_document_never_reads_its_excluded_search_vector_back(author, staff):
    ensure_reference_data()
    doc = make_draft(author)
    doc.clauses.set(Clause.objects.order_by("pk")[:2])
    doc.distribution_users.set([staff])
    doc = Document.objects.get(pk=doc.pk)
    with CaptureQueriesContext(connection) as ctx:
        doc.title = "Calibration of gauges and callipers"
        doc.save()
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if "search_vector" in sql], reads
    # the three through tables, each once, by the document's id: nothing joined, nothing else read
    assert len(reads) == 3, reads
    assert all(" JOIN " not in sql for sql in reads), reads
