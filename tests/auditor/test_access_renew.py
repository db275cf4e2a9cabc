"""Renewing an external auditor's grant, and what the login page says when the window is closed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from auditor import services
from auditor.models import AuditorAccess
from qms.models import AuditEvent, Clause, Process
from tests.auditor.test_access import STRONG, _invite, _set_password

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _login(username, password):
    return Client().post(LOGIN, {"username": username, "password": password})


def _form(now, **extra):
    data = {"organisation": "CertBody AB", "audit_reference": "Surveillance 1",
            "valid_from": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "valid_until": (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"), "all_scope": "on"}
    data.update(extra)
    return data


def test_closed_window_is_explained_only_after_the_right_password(quality_manager):
    access, link = _invite(quality_manager, valid_from=timezone.now() + timedelta(days=1),
                           valid_until=timezone.now() + timedelta(days=3))
    _set_password(link)
    user = access.user.username
    page = _login(user, STRONG).content.decode()
    start = timezone.localtime(access.valid_from)
    assert "Your access to this QMS is open from" in page and f"{start:%Y-%m-%d %H:%M}" in page
    assert "correct username and password" not in page
    # A wrong password, or a user name that does not exist, get the same plain refusal.
    wrong = _login(user, "not-the-password-1").content.decode()
    nobody = _login("nobody@certbody.example", STRONG).content.decode()
    for page in (wrong, nobody):
        assert "correct username and password" in page and "Your access" not in page
    with freeze_time(timezone.now() + timedelta(days=4)):
        assert "and has ended" in _login(user, STRONG).content.decode()


def test_revoked_access_says_withdrawn(quality_manager):
    access, link = _invite(quality_manager)
    _set_password(link)
    services.revoke_access(actor=quality_manager, access=access, reason="Audit finished")
    assert "was withdrawn on" in _login(access.user.username, STRONG).content.decode()


def test_quality_manager_reopens_a_revoked_grant_and_auditor_logs_in(client_for, quality_manager):
    access, link = _invite(quality_manager)
    _set_password(link)
    services.revoke_access(actor=quality_manager, access=access, reason="Audit finished")
    c = client_for(quality_manager)
    assert "Re-open access" in c.get(access.get_absolute_url()).content.decode()
    assert c.get(f"/auditor/access/{access.pk}/renew/").status_code == 200
    clause = Clause.objects.get(number="7.5")
    response = c.post(f"/auditor/access/{access.pk}/renew/", _form(timezone.now(), all_scope="", clauses=[clause.pk]))
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.state == "open" and not access.all_scope and list(access.clauses.all()) == [clause]
    assert access.audit_reference == "Surveillance 1" and access.revoke_reason == ""
    assert AuditEvent.objects.filter(verb="auditor_access.renewed", from_state="revoked", to_state="open").count() == 1
    assert _login(access.user.username, STRONG).status_code == 302
    assert AuditorAccess.objects.count() == 1


def test_renew_refuses_bad_input_and_changes_nothing(client_for, quality_manager, staff):
    access, _ = _invite(quality_manager)
    before = (access.valid_from, access.valid_until)
    c = client_for(quality_manager)
    now = timezone.now()
    past = _form(now, valid_until=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
                 valid_from=(now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    for data in (past, _form(now, all_scope=""), _form(now, valid_from="yesterday")):
        assert c.post(f"/auditor/access/{access.pk}/renew/", data).status_code == 200
    access.refresh_from_db()
    assert (access.valid_from, access.valid_until) == before
    assert client_for(staff).post(f"/auditor/access/{access.pk}/renew/", _form(now)).status_code == 403
    assert Client().get(f"/auditor/access/{access.pk}/renew/").status_code == 302


def test_inviting_a_returning_auditor_renews_their_grant(client_for, quality_manager, django_capture_on_commit_callbacks):
    with freeze_time(timezone.now() - timedelta(days=60)):
        access, link = _invite(quality_manager)
        _set_password(link)
    c = client_for(quality_manager)
    mail.outbox.clear()
    process = Process.objects.create(code="PRD", name="Production")
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post("/auditor/access/invite/", {
            **_form(timezone.now(), all_scope="", processes=[process.pk]),
            "full_name": "Erik Berg", "email": "erik.berg@certbody.example"})
    assert response.status_code == 302 and response["Location"] == access.get_absolute_url()
    assert AuditorAccess.objects.count() == 1
    access.refresh_from_db()
    assert access.state == "open" and list(access.processes.all()) == [process]
    assert len(mail.outbox) == 1 and "existing password" in mail.outbox[0].body
    assert _login(access.user.username, STRONG).status_code == 302
