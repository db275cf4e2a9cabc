"""Part 11 / Annex 11 details of issue 17: the signature declaration, a forced
password change, password history and expiry, sessions, the access review."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from qms.errors import SignatureRefused
from qms.identity_models import AccountSecurity, PasswordHistory, UserSession
from qms.models import AuditEvent, Job, Notification
from tests.factories import UserFactory
from tests.records.factories import make_record, make_type


def login(client, user, password):
    return client.post("/accounts/login/", {"username": user.username, "password": password},
                       HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0")


# ------------------------------------------------------------------ signature declaration
@pytest.mark.django_db
def test_first_signature_needs_the_declaration_made_once_and_shown_on_the_profile(client, staff, password):
    from records import services

    signer = UserFactory(username="newbie", roles=["Approver"], declared=False)
    record = make_record(staff, make_type("CAL"))
    with pytest.raises(SignatureRefused, match="signature declaration"):
        services.record_verify(actor=signer, record=record, password=password)
    client.force_login(signer)
    assert "Make the declaration" in client.get("/accounts/security/").content.decode()
    refused = client.post("/accounts/security/declaration/", {"agree": "on", "password": "wrong"}, follow=True)
    assert "password is not correct" in refused.content.decode()
    assert not client.post("/accounts/security/declaration/", {"password": password}, follow=True).content.decode() \
        .count("Signature declaration made")
    client.post("/accounts/security/declaration/", {"agree": "on", "password": password})
    account = AccountSecurity.objects.get(user=signer)
    assert account.declared_at and "legally binding equivalent" in account.declaration_text
    page = client.get("/accounts/security/").content.decode()
    assert "legally binding equivalent of my handwritten signature" in page and "Made" in page
    assert AuditEvent.objects.filter(verb="signature.declared", actor=signer).exists()
    services.record_verify(actor=signer, record=record, password=password)


# ------------------------------------------------------------------ forced password change
@pytest.mark.django_db
def test_password_set_by_an_administrator_must_be_changed_at_next_login(client, staff, password):
    admin = UserFactory(is_staff=True, is_superuser=True)
    admin_client = Client()
    admin_client.force_login(admin)
    response = admin_client.post(f"/admin/qms/user/{staff.pk}/password/",
                                 {"password1": "Admin-set-pass-42", "password2": "Admin-set-pass-42",
                                  "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AccountSecurity.objects.get(user=staff).must_change_password
    assert AuditEvent.objects.filter(verb="user.password_set_by_admin", actor=admin).exists()
    login(client, staff, "Admin-set-pass-42")
    response = client.get("/records/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    page = client.get("/accounts/password/").content.decode()
    assert "An administrator set your password" in page
    client.post("/accounts/password/", {"old_password": "Admin-set-pass-42", "new_password1": "My-own-secret-77",
                                        "new_password2": "My-own-secret-77"})
    assert not AccountSecurity.objects.get(user=staff).must_change_password
    assert client.get("/records/").status_code == 200


@pytest.mark.django_db
def test_an_account_the_administrator_creates_changes_its_password_first(db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.post("/admin/qms/user/add/", {
        "username": "newcomer", "password1": "First-pass-9876", "password2": "First-pass-9876",
        "usable_password": "true", "full_name": "New Comer", "email": "n@example.com"})
    assert response.status_code == 302, response.content.decode()[:3000]
    from qms.models import User

    assert AccountSecurity.objects.get(user=User.objects.get(username="newcomer")).must_change_password


@pytest.mark.django_db
def test_password_history_refuses_a_recent_password(client, staff, password):
    client.force_login(staff)
    first, second = "Brand-new-pass-1", "Brand-new-pass-2"
    client.post("/accounts/password/", {"old_password": password, "new_password1": first, "new_password2": first})
    client.post("/accounts/password/", {"old_password": first, "new_password1": second, "new_password2": second})
    assert PasswordHistory.objects.filter(user=staff).count() == 2
    for reused in (first, second):  # an earlier one, and the current one
        response = client.post("/accounts/password/", {"old_password": second, "new_password1": reused,
                                                       "new_password2": reused})
        assert "used this password recently" in response.content.decode()


@pytest.mark.django_db
def test_expired_password_must_be_changed(client, staff, password, settings):
    settings.PASSWORD_EXPIRY_DAYS = 90
    AccountSecurity.objects.filter(user=staff).update(password_changed_at=timezone.now() - timedelta(days=91))
    login(client, staff, password)
    assert client.get("/records/")["Location"] == "/accounts/password/"
    assert "older than 90 days" in client.get("/accounts/password/").content.decode()


# ------------------------------------------------------------------ sessions
@pytest.mark.django_db
def test_sessions_page_lists_device_address_and_ends_another_session(client, staff, password):
    login(client, staff, password)
    other = Client()
    login(other, staff, password)
    page = client.get("/accounts/sessions/").content.decode()
    assert "Chrome on Linux" in page and "127.0.0.1" in page and "This session" in page
    mine = client.session.session_key
    theirs = UserSession.objects.exclude(session_key=mine).get(user=staff)
    assert client.post(f"/accounts/sessions/{theirs.pk}/end/").status_code == 302
    assert other.get("/").status_code == 302  # logged out
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(verb="session.ended", actor=staff).exists()


@pytest.mark.django_db
def test_nobody_ends_someone_elses_session(client, staff, approver, password):
    login(client, staff, password)
    row = UserSession.objects.get(user=staff)
    intruder = Client()
    intruder.force_login(approver)
    assert intruder.post(f"/accounts/sessions/{row.pk}/end/").status_code == 404
    assert Session.objects.filter(session_key=row.session_key).exists()


@pytest.mark.django_db
def test_administrator_ends_all_sessions_of_a_user(staff, password):
    a, b = Client(), Client()
    login(a, staff, password)
    login(b, staff, password)
    admin = UserFactory(is_staff=True, is_superuser=True)
    admin_client = Client()
    admin_client.force_login(admin)
    admin_client.post("/admin/qms/user/", {"action": "end_sessions", "_selected_action": [staff.pk]})
    assert a.get("/").status_code == 302 and b.get("/").status_code == 302
    assert not UserSession.objects.filter(user=staff).exists()
    assert AuditEvent.objects.get(verb="session.ended_all").actor == admin


@pytest.mark.django_db
def test_logout_removes_the_session_row(client, staff, password):
    login(client, staff, password)
    assert UserSession.objects.filter(user=staff).count() == 1
    client.post("/accounts/logout/")
    assert not UserSession.objects.filter(user=staff).exists()


@pytest.mark.django_db
def test_sessions_page_queries_stay_flat(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    for i in range(30):
        UserSession.objects.create(session_key=f"k{i}", user=staff, user_agent="Firefox/1", ip_address="10.0.0.1")
    with django_assert_max_num_queries(12):
        assert client.get("/accounts/sessions/").status_code == 200


# ------------------------------------------------------------------ access review
@pytest.mark.django_db
def test_access_review_is_for_the_quality_manager(client, quality_manager, staff, external_auditor):
    client.force_login(staff)
    assert client.get("/access-review/").status_code == 403
    client.force_login(quality_manager)
    page = client.get("/access-review/").content.decode()
    for expected in ("Quinn Marsh", "Sam Lee", "Erik Berg", "Quality Manager", "CertBody AB"):
        assert expected in page
    anonymous = Client()
    assert anonymous.get("/access-review/").status_code == 302


@pytest.mark.django_db
def test_access_review_queries_stay_flat(client, quality_manager, django_assert_max_num_queries):
    client.force_login(quality_manager)
    for i in range(40):
        UserFactory(roles=["Staff", "Author"], username=f"bulk{i}")
    with django_assert_max_num_queries(16):
        assert client.get("/access-review/").status_code == 200


@pytest.mark.django_db
def test_access_review_pdf_job_and_quarterly_reminder(client, quality_manager):
    from qms import jobs
    from qms.tasks import access_review_reminder

    client.force_login(quality_manager)
    response = client.post("/access-review/pdf/")
    job = Job.objects.get(kind="access_review_pdf")
    assert response["Location"] == job.get_absolute_url()
    jobs.execute(job.pk, heartbeat=False)
    job.refresh_from_db()
    assert job.status == "ready" and job.filename.endswith(".pdf")
    assert access_review_reminder() == 1
    assert Notification.objects.filter(user=quality_manager, title="Quarterly access review due").exists()
