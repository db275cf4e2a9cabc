"""Two-factor authentication (issue 17): enrolment with a QR code and recovery
codes, login in steps, the per-role policy and its grace period, wrong and
replayed codes, the administrator's reset, and signing with the second factor."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from qms import mfa
from qms.errors import SignatureRefused
from qms.identity_models import AccountSecurity
from qms.models import AuditEvent, Signature
from tests.factories import UserFactory
from tests.records.factories import make_record, make_type
from tests.signing import shown


def code_for(device, step=0) -> str:
    """The code the user's app shows now (step=1: the next one, still accepted)."""
    device.refresh_from_db()
    t = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t() + step
    return f"{hotp(device.bin_key, t, digits=device.digits):06d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = mfa.start_enrolment(user=user)
    codes = mfa.confirm_enrolment(user=user, code=code_for(device))
    device.refresh_from_db()
    return device, codes


def login(client, user, password):
    return client.post("/accounts/login/", {"username": user.username, "password": password})


def verbs(user):
    return list(AuditEvent.objects.filter(actor=user).values_list("verb", flat=True))


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # each test's wrong codes are followed at once by right ones
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


# ------------------------------------------------------------------ enrolment
@pytest.mark.django_db
def test_enrolment_shows_a_qr_code_confirms_with_a_code_and_shows_recovery_codes(client, staff, password):
    client.force_login(staff)
    page = client.get("/accounts/security/")
    assert "Set up two-factor authentication" in page.content.decode()
    setup = client.get("/accounts/security/2fa/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in setup and 'id="mfa-secret"' in setup
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    wrong = client.post("/accounts/security/2fa/", {"code": "000000"})
    assert "not correct" in wrong.content.decode()
    done = client.post("/accounts/security/2fa/", {"code": code_for(device)})
    body = done.content.decode()
    assert "Your recovery codes" in body and body.count('class="list-group-item font-monospace"') == 10
    assert mfa.is_enrolled(staff)
    assert {"mfa.enrol_failed", "mfa.enrolled"} <= set(verbs(staff))
    assert "recovery codes left" in client.get("/accounts/security/").content.decode()


@pytest.mark.django_db
def test_enrolment_page_for_an_enrolled_user_says_so(client, staff):
    enrol(staff)
    client.force_login(staff)
    response = client.get("/accounts/security/2fa/", follow=True)
    assert "already set up" in response.content.decode()


# ------------------------------------------------------------------ login
@pytest.mark.django_db
def test_enrolled_user_logs_in_with_password_then_code(client, staff, password):
    device, _ = enrol(staff)
    response = login(client, staff, password)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/verify/"
    assert client.get("/").status_code == 302  # not logged in between the steps
    response = client.post("/accounts/login/verify/", {"code": code_for(device, 1)})  # step 0 confirmed the enrolment
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.session["_qms_auth_method"] == "password+totp"
    assert "auth.login" in verbs(staff)


@pytest.mark.django_db
def test_wrong_and_replayed_codes_are_refused_with_their_own_message_and_event(client, staff, password):
    device, _ = enrol(staff)
    login(client, staff, password)
    wrong = client.post("/accounts/login/verify/", {"code": "123456" if code_for(device) != "123456" else "654321"})
    assert "The code is not correct" in wrong.content.decode()
    code = code_for(device, 1)
    client.post("/accounts/login/verify/", {"code": code})
    assert client.get("/").status_code == 200
    other = Client()
    login(other, staff, password)
    replay = other.post("/accounts/login/verify/", {"code": code})
    assert replay.status_code == 200 and "already used" in replay.content.decode()
    assert other.get("/").status_code == 302
    assert AuditEvent.objects.filter(verb="mfa.refused", actor=staff).exists()
    assert AuditEvent.objects.filter(verb="mfa.replayed", actor=staff).exists()


@pytest.mark.django_db
def test_a_recovery_code_logs_in_once(client, staff, password):
    _, codes = enrol(staff)
    login(client, staff, password)
    response = client.post("/accounts/login/verify/", {"code": codes[0]}, follow=True)
    assert "recovery code" in response.content.decode() and client.session["_qms_auth_method"] == "password+recovery"
    other = Client()
    login(other, staff, password)
    assert "not correct" in other.post("/accounts/login/verify/", {"code": codes[0]}).content.decode()
    assert mfa.recovery_codes_left(staff) == 9
    assert AuditEvent.objects.filter(verb="mfa.recovery_used", actor=staff).exists()


@pytest.mark.django_db
def test_second_step_without_a_pending_login_or_after_it_expired_starts_again(client, staff, password):
    enrol(staff)
    assert client.get("/accounts/login/verify/")["Location"] == "/accounts/login/"
    login(client, staff, password)
    session = client.session
    session["_qms_pending_login"]["at"] -= 3600
    session.save()
    assert client.post("/accounts/login/verify/", {"code": "123456"})["Location"] == "/accounts/login/"


@pytest.mark.django_db
def test_garbage_codes_are_form_errors_not_500(client, staff, password):
    enrol(staff)
    login(client, staff, password)
    for value in ("", "x" * 41, "12 34 56", "💥", "<script>"):
        assert client.post("/accounts/login/verify/", {"code": value}).status_code == 200


# ------------------------------------------------------------------ policy
@pytest.mark.django_db
def test_required_roles_get_a_grace_period_then_must_enrol_at_login(client, approver, staff, password):
    assert mfa.required_roles(approver) == ["Approver"] and not mfa.is_required(staff)
    response = login(client, approver, password)
    assert response["Location"] == "/"  # in the grace period: logged in, reminded
    reminder = client.get("/").content.decode()
    assert "Two-factor authentication is required for your role" in reminder
    deadline = AccountSecurity.objects.get(user=approver).mfa_grace_until
    assert timedelta(days=13) < deadline - timezone.now() <= timedelta(days=14)
    # After the grace period: the login goes on to enrolment and completes only after it.
    AccountSecurity.objects.filter(user=approver).update(mfa_grace_until=timezone.now() - timedelta(minutes=1))
    fresh = Client()
    response = login(fresh, approver, password)
    assert response["Location"] == "/accounts/login/enrol/"
    assert fresh.get("/").status_code == 302
    page = fresh.get("/accounts/login/enrol/").content.decode()
    assert "period to set it up is over" in page and "data:image/svg+xml" in page
    device = TOTPDevice.objects.get(user=approver, confirmed=False)
    codes_page = fresh.post("/accounts/login/enrol/", {"code": code_for(device)})
    assert "Your recovery codes" in codes_page.content.decode()
    assert fresh.post("/accounts/login/enrol/")["Location"] == "/"
    assert fresh.get("/").status_code == 200


@pytest.mark.django_db
def test_staff_administrators_are_in_the_policy(db):
    admin = UserFactory(is_staff=True)
    assert mfa.required_roles(admin) == ["Administrator"]


# ------------------------------------------------------------------ reset, overview
@pytest.mark.django_db
def test_administrator_reset_is_audited_and_the_user_enrols_again(client, staff, password):
    enrol(staff)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post("/admin/qms/user/", {"action": "reset_two_factor", "_selected_action": [staff.pk]})
    assert response.status_code == 302
    assert not mfa.is_enrolled(staff) and mfa.recovery_codes_left(staff) == 0
    event = AuditEvent.objects.get(verb="mfa.reset")
    assert event.actor == admin and event.object_id == str(staff.pk)
    with pytest.raises(mfa.MfaRefused):
        mfa.reset(actor=staff, user=staff, reason="not an admin")


@pytest.mark.django_db
def test_quality_manager_sees_who_has_enrolled(client, quality_manager, staff, approver):
    enrol(staff)
    client.force_login(quality_manager)
    page = client.get("/access-review/").content.decode()
    assert "enrolled: 1" in page and "required, not enrolled" in page  # the approver and the QM


# ------------------------------------------------------------------ signing
@pytest.fixture
def submitted(db, staff):
    return make_record(staff, make_type("CAL"))


@pytest.mark.django_db
def test_enrolled_signer_needs_the_code_and_the_method_is_recorded(client, approver, submitted, password):
    device, _ = enrol(approver)
    client.force_login(approver)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "Code from your authenticator app" in page
    url = f"/records/{submitted.number}/verify/"
    base = {"username": approver.username, "password": password, **shown(submitted)}
    response = client.post(url, base, follow=True)
    assert "Not verified" in response.content.decode() and not Signature.objects.exists()
    response = client.post(url, {**base, "otp_code": "000001"}, follow=True)
    assert "not correct" in response.content.decode() and not Signature.objects.exists()
    client.post(url, {**base, "otp_code": code_for(device, 1)}, follow=True)
    sig = Signature.objects.get()
    assert sig.method == "password+totp" and sig.signer == approver
    assert AuditEvent.objects.get(verb="signature.signed").data["method"] == "password+totp"


@pytest.mark.django_db
def test_signer_without_second_factor_signs_with_password(client, approver, submitted, password):
    client.force_login(approver)
    assert "authenticator" not in client.get(submitted.get_absolute_url()).content.decode()
    client.post(f"/records/{submitted.number}/verify/",
                {"username": approver.username, "password": password, **shown(submitted)})
    assert Signature.objects.get().method == "password"


@pytest.mark.django_db
def test_service_call_of_an_enrolled_signer_without_a_code_is_refused(approver, submitted, password):
    from records import services

    enrol(approver)
    with pytest.raises(SignatureRefused, match="authenticator"):
        services.record_verify(actor=approver, record=submitted, password=password)
    assert AuditEvent.objects.filter(verb="signature.refused", actor=approver).exists()


@pytest.mark.django_db
def test_a_code_used_to_log_in_cannot_sign_afterwards(client, approver, submitted, password):
    device, _ = enrol(approver)
    login(client, approver, password)
    code = code_for(device, 1)
    client.post("/accounts/login/verify/", {"code": code})
    assert client.get("/").status_code == 200
    response = client.post(f"/records/{submitted.number}/verify/", {
        "username": approver.username, "password": password, "otp_code": code, **shown(submitted)}, follow=True)
    assert response.status_code == 200 and "already used" in response.content.decode()
    assert not Signature.objects.exists()
    assert AuditEvent.objects.filter(verb="mfa.replayed", actor=approver, data__purpose="signing").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "00000a", " ", "٣٣٣٣٣٣"])  # NUL bytes: tests/qms/test_nul_bytes.py
def test_malformed_codes_at_login_are_refused_as_wrong(client, staff, password, code):
    enrol(staff)
    login(client, staff, password)
    response = client.post("/accounts/login/verify/", {"code": code})
    assert response.status_code == 200 and client.get("/").status_code == 302
    assert "not correct" in response.content.decode() or "This field is required" in response.content.decode()
