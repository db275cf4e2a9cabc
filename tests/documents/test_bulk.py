"""Bulk actions on documents (issue 18): read and understood for several
documents with one signature, owners assigned, the selection exported; bad
selections and rows the user may not act on change nothing."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import Acknowledgement, Document
from qms.models import AuditEvent, Signature
from qms.permissions import Role
from qms.signatures import content_hash
from tests.documents.factories import make_effective

pytestmark = pytest.mark.django_db

STAMP_RE = re.compile(r'name="shown" value="([^"]+)"')


@pytest.fixture
def docs(author, approver, staff):
    staff_group = Group.objects.get(name=Role.STAFF)
    return [make_effective(author, approver, title=f"Procedure {i}", distribution_groups=[staff_group])
            for i in range(3)]


def _ids(objs):
    return [str(o.pk) for o in objs]


def _sign(client, page, user, password):
    stamp = STAMP_RE.search(page.content.decode()).group(1)
    return client.post("/documents/bulk/acknowledge/", {"shown": stamp, "username": user.username,
                                                        "password": password})


def test_the_read_list_offers_ticking_open_tasks(client_for, staff, docs):
    html = client_for(staff).get("/documents/acknowledgements/").content.decode()
    assert html.count('form="bulk-documents"') == 3 and 'value="acknowledge"' in html


def test_one_signature_acknowledges_several_documents(client_for, staff, docs, password):
    client = client_for(staff)
    page = client.get("/documents/bulk/", {"action": "acknowledge", "ids": _ids(docs)})
    html = page.content.decode()
    for d in docs:
        assert d.number in html and content_hash(d.effective_revision.signature_content()) in html
    response = _sign(client, page, staff, password)
    assert response.content.decode().count('data-bulk-result="done"') == 3
    acks = Acknowledgement.objects.filter(user=staff, acknowledged_at__isnull=False)
    assert acks.count() == 3
    sigs = Signature.objects.filter(signer=staff, meaning="read")
    assert {s.object_id for s in sigs} == {d.effective_revision_id for d in docs}
    assert all(s.is_valid() for s in sigs)
    assert AuditEvent.objects.filter(verb="acknowledgement.signed", actor=staff).count() == 3


def test_a_wrong_password_acknowledges_nothing(client_for, staff, docs):
    client = client_for(staff)
    page = client.get("/documents/bulk/", {"action": "acknowledge", "ids": _ids(docs)})
    response = _sign(client, page, staff, "wrong")
    assert response.status_code == 403 and "Nothing was signed" in response.content.decode()
    assert not Acknowledgement.objects.filter(acknowledged_at__isnull=False).exists()


def test_a_document_with_nothing_to_read_is_refused_alone(client_for, quality_manager, staff, docs, password):
    from documents import services

    services.acknowledge(actor=staff, document=docs[0], password=password)
    client = client_for(staff)
    page = client.get("/documents/bulk/", {"action": "acknowledge", "ids": _ids(docs)})
    assert "nothing for you to acknowledge" in page.content.decode()
    response = _sign(client, page, staff, password)
    assert response.content.decode().count('data-bulk-result="done"') == 2
    assert Signature.objects.filter(signer=staff, meaning="read").count() == 3


def test_reassign_owner_through_the_same_service(client_for, quality_manager, author, approver, docs):
    client = client_for(quality_manager)
    page = client.get("/documents/bulk/", {"action": "owner", "ids": _ids(docs)})
    assert page.status_code == 200 and 'name="owner"' in page.content.decode()
    response = client.post("/documents/bulk/owner/", {"ids": _ids(docs), "owner": approver.pk,
                                                      "reason": "Author moved to another site"})
    assert response.content.decode().count('data-bulk-result="done"') == 3
    assert Document.objects.filter(owner=approver).count() == 3
    assert AuditEvent.objects.filter(verb="document.updated", comment="Author moved to another site").count() == 3
    assert all(d.history.first().history_change_reason == "Author moved to another site"
               for d in Document.objects.all())


def test_an_author_may_reassign_only_own_documents(client_for, author, approver, quality_manager, docs):
    from documents import services

    services.document_update(actor=quality_manager, document=docs[0], reason="QM takes it", owner=quality_manager)
    response = client_for(author).post("/documents/bulk/owner/", {"ids": _ids(docs), "owner": approver.pk,
                                                                  "reason": "handover"})
    html = response.content.decode()
    assert html.count('data-bulk-result="done"') == 2 and "Only the owner or the quality manager" in html
    docs[0].refresh_from_db()
    assert docs[0].owner == quality_manager


def test_owner_without_a_reason_changes_nothing(client_for, quality_manager, approver, docs):
    response = client_for(quality_manager).post("/documents/bulk/owner/", {"ids": _ids(docs), "owner": approver.pk})
    assert response.status_code == 400
    assert not Document.objects.filter(owner=approver).exists()


def test_staff_cannot_select_a_draft_they_cannot_see(client_for, staff, author, docs):
    from tests.documents.factories import make_draft

    draft = make_draft(author, title="Secret draft")
    response = client_for(staff).get("/documents/bulk/", {"action": "csv", "ids": [docs[0].pk, draft.pk]})
    assert response.status_code == 400 and "Nothing was done" in response.content.decode()


@pytest.mark.parametrize("ids", [[], ["x"], ["0"], [str(10**6)]])
def test_bad_selections_are_refused(client_for, quality_manager, docs, ids):
    response = client_for(quality_manager).get("/documents/bulk/", {"action": "owner", "ids": ids})
    assert response.status_code == 400


def test_export_of_the_selection(client_for, quality_manager, docs):
    response = client_for(quality_manager).get("/documents/bulk/", {"action": "csv", "ids": _ids(docs[:2])})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(r[0] for r in rows[1:]) == sorted(d.number for d in docs[:2])


def test_the_register_has_the_bulk_bar(client_for, quality_manager, docs):
    html = client_for(quality_manager).get("/documents/").content.decode()
    assert html.count('form="bulk-documents"') == 3 and 'value="owner"' in html


def test_bulk_pages_read_in_a_constant_number_of_queries(client_for, staff, author, approver, docs):
    staff_group = Group.objects.get(name=Role.STAFF)
    more = docs + [make_effective(author, approver, title=f"More {i}", distribution_groups=[staff_group])
                   for i in range(3)]
    client = client_for(staff)
    client.get("/documents/bulk/", {"action": "acknowledge", "ids": _ids(docs[:1])})  # warm up

    def count(objs, action):
        with CaptureQueriesContext(connection) as ctx:
            client.get("/documents/bulk/", {"action": action, "ids": _ids(objs)})
        return len(ctx.captured_queries)

    for action in ("acknowledge", "csv"):
        assert count(more, action) == count(docs[:2], action), action
    with CaptureQueriesContext(connection) as ctx:
        client.get("/documents/acknowledgements/")
    few = len(ctx.captured_queries)
    assert few < 30
