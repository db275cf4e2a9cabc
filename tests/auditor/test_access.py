"""External auditor access (ACC-08): invitation, window, read-only, logging, revocation, scope."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from auditor import services
from auditor.models import AccessLogEntry, AuditorAccess
from auditor.scope import restrict, scope_for
from documents.models import Document, DocumentType
from qms.models import AuditEvent, Clause, Notification, Process
from tests.factories import DepartmentFactory

STRONG = "Audit-Window-2026!x"


def _invite(qm, **overrides):
    now = timezone.now()
    kwargs = dict(
        actor=qm, full_name="Erik Berg", email="Erik.Berg@certbody.example", organisation="CertBody AB",
        audit_reference="Stage 2", valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=2),
        all_scope=True,
    )
    kwargs.update(overrides)
    return services.invite_external_auditor(**kwargs)


def _set_password(link):
    c = Client()
    response = c.get(link, follow=True)  # Django redirects to the set-password form
    c.post(response.redirect_chain[-1][0], {"new_password1": STRONG, "new_password2": STRONG})


@pytest.mark.django_db
def test_quality_manager_invites_auditor_who_sets_password_and_logs_in(client_for, quality_manager, django_capture_on_commit_callbacks):
    c = client_for(quality_manager)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post("/auditor/access/invite/", {
            "full_name": "Erik Berg", "email": "erik@certbody.example", "organisation": "CertBody AB",
            "audit_reference": "Stage 2", "valid_from": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "valid_until": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"), "all_scope": "on",
        })
    access = AuditorAccess.objects.get()
    assert response["Location"] == access.get_absolute_url()
    assert access.user.groups.filter(name="External Auditor").exists()
    assert not access.user.has_usable_password()
    assert len(mail.outbox) == 1 and "erik@certbody.example" in mail.outbox[0].to
    link = mail.outbox[0].body.split("one use): ")[1].split()[0].replace("http://127.0.0.1:8000", "")
    _set_password(link)
    auditor = Client()
    response = auditor.post("/accounts/login/", {"username": "erik@certbody.example", "password": STRONG})
    assert response.status_code == 302
    assert auditor.get("/clauses/").status_code == 200
    assert AuditEvent.objects.filter(verb="auditor_access.invited").count() == 1


@pytest.mark.django_db
def test_invitation_refuses_bad_input_and_changes_nothing(client_for, quality_manager):
    c = client_for(quality_manager)
    now = timezone.now()
    response = c.post("/auditor/access/invite/", {
        "full_name": "X", "email": "not-an-email", "organisation": "CB", "audit_reference": "S1",
        "valid_from": now.strftime("%Y-%m-%dT%H:%M"), "valid_until": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert "valid email" in body and "must end after it starts" in body and "Choose the clauses" in body
    assert not AuditorAccess.objects.exists()


@pytest.mark.django_db
def test_user_names_are_never_reused(quality_manager, staff):
    staff.username = "erik.berg@certbody.example"
    staff.save()
    with pytest.raises(Exception, match="never reused"):
        _invite(quality_manager)
    assert not AuditorAccess.objects.exists() and not staff.groups.filter(name="External Auditor").exists()


@pytest.mark.django_db
def test_login_refused_before_and_after_the_window(quality_manager):
    access, link = _invite(quality_manager, valid_from=timezone.now() + timedelta(days=1),
                           valid_until=timezone.now() + timedelta(days=3))
    _set_password(link)
    username = access.user.username
    assert Client().post("/accounts/login/", {"username": username, "password": STRONG}).status_code == 200
    assert AuditEvent.objects.filter(verb="auth.login_refused", actor=access.user).count() == 1
    with freeze_time(timezone.now() + timedelta(days=2)):
        c = Client()
        assert c.post("/accounts/login/", {"username": username, "password": STRONG}).status_code == 302
        assert c.get("/").status_code == 200
    with freeze_time(timezone.now() + timedelta(days=4)):
        # The live session ends when the window closes, and a new login is refused.
        assert c.get("/").status_code == 302
        assert Client().post("/accounts/login/", {"username": username, "password": STRONG}).status_code == 200


@pytest.mark.django_db
def test_revocation_ends_a_live_session_at_once(client_for, quality_manager):
    access, link = _invite(quality_manager)
    _set_password(link)
    auditor = Client()
    auditor.post("/accounts/login/", {"username": access.user.username, "password": STRONG})
    assert auditor.get("/").status_code == 200
    response = client_for(quality_manager).post(f"/auditor/access/{access.pk}/revoke/", {"reason": "Audit finished early"})
    assert response.status_code == 302
    response = auditor.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    event = AuditEvent.objects.get(verb="auditor_access.revoked")
    assert event.comment == "Audit finished early" and event.actor == quality_manager


@pytest.mark.django_db
def test_revoke_needs_a_reason(client_for, quality_manager, external_auditor):
    access = external_auditor.auditor_access
    client_for(quality_manager).post(f"/auditor/access/{access.pk}/revoke/", {"reason": ""})
    access.refresh_from_db()
    assert access.revoked_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/notifications/read/", "/documents/new/", "/accounts/password/"])
def test_external_auditor_cannot_post_anywhere(client_for, external_auditor, url):
    Notification.objects.create(user=external_auditor, title="unread")
    response = client_for(external_auditor).post(url, {"fmt": "csv"})
    assert response.status_code == 403
    assert "read-only" in response.content.decode()
    assert Notification.objects.filter(user=external_auditor, read_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_every_page_an_external_auditor_views_is_logged(client_for, external_auditor, quality_manager):
    c = client_for(external_auditor)
    c.get("/clauses/7.5/")
    c.get("/no/such/page/")
    entries = list(AccessLogEntry.objects.filter(user=external_auditor).order_by("id"))
    assert [(e.path, e.status_code) for e in entries] == [("/clauses/7.5/", 200), ("/no/such/page/", 404)]
    assert entries[0].ip_address == "127.0.0.1" and entries[0].view_name == "clause-detail"
    client_for(quality_manager).get("/clauses/")
    assert AccessLogEntry.objects.count() == 2  # staff views are not in the auditor log
    page = client_for(quality_manager).get(f"/auditor/access/{external_auditor.auditor_access.pk}/").content.decode()
    assert "/clauses/7.5/" in page


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["author", "staff", "auditor", "external_auditor", "outsider"])
def test_only_the_quality_manager_manages_access(request, client_for, persona, quality_manager):
    c = client_for(request.getfixturevalue(persona))
    for url in ("/auditor/access/", "/auditor/access/invite/"):
        assert c.get(url).status_code == 403
    assert client_for(quality_manager).get("/auditor/access/").status_code == 200


@pytest.mark.django_db
def test_scope_restricts_querysets_by_clause_tree_and_process(quality_manager, external_auditor, author):
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([Clause.objects.get(number="8.5")])
    prd = Process.objects.create(code="PRD", name="Production")
    access.processes.set([prd])
    dept = DepartmentFactory(code="QA")
    sop = DocumentType.objects.get_or_create(code="SOP", defaults={"name": "Procedure"})[0]
    in_clause = Document.objects.create(number="SOP-1", title="a", doc_type=sop, owner=author, department=dept)
    in_clause.clauses.add(Clause.objects.get(number="8.5.1"))  # a sub-clause of the grant
    Document.objects.create(number="SOP-2", title="b", doc_type=sop, owner=author, department=dept, process=prd)
    outside = Document.objects.create(number="SOP-3", title="c", doc_type=sop, owner=author, department=dept)
    outside.clauses.add(Clause.objects.get(number="7.2"))
    fresh = get_user_model().objects.get(pk=external_auditor.pk)
    assert scope_for(fresh) is not None
    seen = set(restrict(Document.objects.all(), fresh).values_list("number", flat=True))
    assert seen == {"SOP-1", "SOP-2"}
    assert set(restrict(Document.objects.all(), quality_manager).values_list("number", flat=True)) == {"SOP-1", "SOP-2", "SOP-3"}


@pytest.mark.django_db
def test_external_auditor_exports_the_trail_only_with_a_grant_over_everything(
    client_for, external_auditor, django_capture_on_commit_callbacks
):
    from qms.models import Job

    c = client_for(external_auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post("/trail/export/", {"fmt": "csv"})
    job = Job.objects.get(kind="audit_trail_export")
    assert response["Location"] == job.get_absolute_url()
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([Clause.objects.get(number="7.1.5")])
    assert c.post("/trail/export/", {"fmt": "csv"}).status_code == 403
    assert Job.objects.count() == 1
