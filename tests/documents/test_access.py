"""The access matrix: every documents view and action, for each role.

anonymous → login; outsider (no role) → 403; staff never learn that drafts exist
(404); each action only for the roles its predicate allows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.documents.factories import make_draft, make_effective, new_revision, pdf_upload

ROLES = ["outsider", "staff", "author", "approver", "quality_manager", "auditor", "external_auditor"]
ALL = set(ROLES) - {"outsider"}
READERS_OF_DRAFTS = {"author", "approver", "quality_manager", "auditor", "external_auditor"}


@pytest.fixture
def world(author, approver, staff, quality_manager, auditor, external_auditor, outsider):
    docx = SimpleUploadedFile("source.docx", b"PK\x03\x04" + b"\x00" * 64)
    eff = make_effective(author, approver, pdf=pdf_upload(), source=docx)
    new_revision(author, approver, eff)  # two revisions: compare has something to show
    draft = make_draft(author, title="Draft only")
    users = {"outsider": outsider, "staff": staff, "author": author, "approver": approver,
             "quality_manager": quality_manager, "auditor": auditor, "external_auditor": external_auditor}
    return {"eff": eff.number, "draft": draft.number, "users": users}


CASES = [
    # name, method, url template, success status, roles allowed, other roles' status, specials
    ("register", "get", "/documents/", 200, ALL, 403, {}),
    ("create", "get", "/documents/new/", 200, {"author", "quality_manager"}, 403, {}),
    ("preview", "post", "/documents/preview/", 200, {"author", "approver", "quality_manager", "auditor"}, 403, {}),
    ("my acknowledgements", "get", "/documents/acknowledgements/", 200, ALL, 403, {}),
    ("overdue reviews", "get", "/documents/reviews/overdue/", 200, ALL, 403, {}),
    ("effective document", "get", "/documents/{eff}/", 200, ALL, 403, {}),
    ("draft document", "get", "/documents/{draft}/", 200, READERS_OF_DRAFTS, 403, {"staff": 404}),
    ("edit details", "get", "/documents/{eff}/edit/", 200, {"author", "quality_manager"}, 403, {}),
    ("trail", "get", "/documents/{eff}/trail/", 200, {"quality_manager", "auditor", "external_auditor"}, 403, {}),
    ("compare", "get", "/documents/{eff}/compare/", 200, READERS_OF_DRAFTS, 403, {}),
    ("obsolete", "get", "/documents/{eff}/obsolete/", 200, {"author", "quality_manager"}, 403, {}),
    ("periodic review", "get", "/documents/{eff}/review/", 200, {"author", "quality_manager"}, 403, {}),
    ("acknowledge", "post", "/documents/{eff}/acknowledge/", 302, ALL - {"external_auditor"}, 403, {}),
    ("ack status", "get", "/documents/{eff}/acknowledgements/", 200,
     {"author", "approver", "quality_manager", "auditor", "external_auditor"}, 403, {}),
    ("new revision", "get", "/documents/{draft}/revisions/new/", 200, set(), 403, {"staff": 404}),
    ("effective revision", "get", "/documents/{eff}/rev/2/", 200, ALL, 403, {}),
    ("superseded revision", "get", "/documents/{eff}/rev/1/", 200, READERS_OF_DRAFTS, 403, {"staff": 404}),
    ("edit draft", "get", "/documents/{draft}/rev/1/edit/", 200, {"author", "quality_manager"}, 403,
     {"staff": 404}),
    # Frozen content answers 409; an external auditor is refused earlier, as read-only (403).
    ("edit effective", "post", "/documents/{eff}/rev/2/edit/", 409, ALL - {"external_auditor"}, 403, {}),
    ("submit", "post", "/documents/{draft}/rev/1/submit/", 400, {"author", "quality_manager"}, 403,
     {"staff": 404}),
    ("sign (not in review)", "post", "/documents/{draft}/rev/1/sign/", 409, READERS_OF_DRAFTS - {"external_auditor"}, 403,
     {"staff": 404}),
    ("withdraw (not in review)", "post", "/documents/{draft}/rev/1/withdraw/", 0, set(), 403, {"staff": 404}),
    ("add signer (not in review)", "post", "/documents/{draft}/rev/1/signers/", 0, set(), 403, {"staff": 404}),
    # POSTs with an empty form: the allowed roles get the form back with errors, nothing changes.
    ("create POST", "post", "/documents/new/", 200, {"author", "quality_manager"}, 403, {}),
    ("edit details POST", "post", "/documents/{eff}/edit/", 200, {"author", "quality_manager"}, 403, {}),
    ("obsolete POST", "post", "/documents/{eff}/obsolete/", 400, {"author", "quality_manager"}, 403, {}),
    ("periodic review POST", "post", "/documents/{eff}/review/", 400, {"author", "quality_manager"}, 403, {}),
    ("new revision POST", "post", "/documents/{eff}/revisions/new/", 200, {"author", "quality_manager"}, 403, {}),
    ("pdf inline", "get", "/documents/{eff}/rev/2/file/pdf/", 200, ALL, 403, {}),
    ("source file", "get", "/documents/{eff}/rev/2/file/source/", 200, READERS_OF_DRAFTS, 403, {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "url", "ok_status", "allowed", "other", "special"), CASES,
                         ids=[c[0] for c in CASES])
def test_access_matrix(world, name, method, url, ok_status, allowed, other, special):
    url = url.format(**world)
    anonymous = getattr(Client(), method)(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/"), name
    for role in ROLES:
        c = Client()
        c.force_login(world["users"][role])
        response = getattr(c, method)(url)
        expected = ok_status if role in allowed else special.get(role, other)
        assert response.status_code == expected, f"{name}: {role} got {response.status_code}, expected {expected}"
    # Whatever was posted, nothing changed.
    from documents.models import Document

    eff = Document.objects.get(number=world["eff"])
    assert eff.effective_revision.seq == 2 and eff.revisions.count() == 2


@pytest.mark.django_db
def test_pdf_is_served_inline_and_may_be_framed_by_our_own_pages(world):
    c = Client()
    c.force_login(world["users"]["staff"])
    r = c.get(f"/documents/{world['eff']}/rev/2/file/pdf/")
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("inline")
    assert r["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(r.streaming_content).startswith(b"%PDF-")
