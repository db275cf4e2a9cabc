"""Passkeys / security keys (qms/passkeys.py) through the same views the
browser's script uses, answered by a software authenticator (a key made by
the test): enrolment with a name, login, signing, removal, the policy and
the administrator's reset; a replayed answer, a cloned key (its counter going
back), a wrong origin, another user's key and garbage are refused with a
message and an audit event, never a 500. The browser test is
tests/e2e/test_passkey_browser.py."""

import json
import re

import pytest
from django.test import Client

from qms import mfa
from qms.errors import SignatureRefused
from qms.identity_models import AccountSecurity, WebAuthnCredential
from qms.models import AuditEvent, Signature
from tests.qms.soft_authenticator import SoftKey
from tests.records.factories import make_record, make_type
from tests.signing import shown

pytestmark = pytest.mark.django_db


def options(client, url):
    response = client.post(url)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def add_key(client, key: SoftKey, name="Blue key"):
    answer = key.create(options(client, "/accounts/passkeys/options/register/"))
    return client.post("/accounts/security/passkeys/add/", {"name": name, "credential": answer}, follow=True)


def password_step(client, user, password):
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/verify/"


def login_answer(client, key, **kwargs):
    return key.get(options(client, "/accounts/login/passkey/options/"), **kwargs)


@pytest.fixture
def keyed(client, approver):
    """The approver with one security key (and no authenticator app)."""
    client.force_login(approver)
    key = SoftKey()
    page = add_key(client, key).content.decode()
    assert "Security key “Blue key” added" in page
    key.recovery_codes = recovery_codes(page)
    client.logout()
    return key


def recovery_codes(page: str) -> list[str]:
    return re.findall(r'<li class="list-group-item font-monospace">([^<]+)</li>', page)


def test_enrolment_names_the_key_lists_it_and_counts_as_two_factor(client, approver):
    client.force_login(approver)
    assert mfa.standing(approver).required and not mfa.standing(approver).enrolled
    refused = add_key(client, SoftKey(), name="  ")
    assert "Give the security key a name" in refused.content.decode()
    first = add_key(client, SoftKey()).content.decode()
    assert "Security key “Blue key” added" in first and len(recovery_codes(first)) == 10
    page = client.get("/accounts/security/").content.decode()
    assert "Blue key" in page and "never" in page
    assert "Blue key" in add_key(client, SoftKey(), name="blue KEY").content.decode()
    assert WebAuthnCredential.objects.filter(user=approver).count() == 1  # names are unique per user
    approver = type(approver).objects.get(pk=approver.pk)
    assert mfa.standing(approver).enrolled and not mfa.has_totp(approver)
    assert mfa.enrolment_overview([approver]) == {approver.pk: True}
    assert AuditEvent.objects.filter(verb="mfa.passkey_added", actor=approver).count() == 1


def test_login_with_the_key_and_the_method_is_recorded(client, approver, password, keyed):
    password_step(client, approver, password)
    page = client.get("/accounts/login/verify/").content.decode()
    assert "Use your security key" in page and "authenticator app" not in page  # the code field: recovery only
    response = client.post("/accounts/login/verify/", {"passkey": login_answer(client, keyed)})
    assert response.status_code == 302 and client.get("/").status_code == 200
    assert client.session["_qms_auth_method"] == "password+passkey"
    assert WebAuthnCredential.objects.get().last_used_at is not None


def test_a_replayed_answer_is_refused(client, approver, password, keyed):
    password_step(client, approver, password)
    answer = login_answer(client, keyed)
    client.post("/accounts/login/verify/", {"passkey": answer})
    other = Client()
    password_step(other, approver, password)
    options(other, "/accounts/login/passkey/options/")  # a fresh challenge: the old answer does not match it
    replay = other.post("/accounts/login/verify/", {"passkey": answer})
    assert replay.status_code == 200 and "not accepted" in replay.content.decode()
    assert other.get("/").status_code == 302
    again = Client()
    password_step(again, approver, password)
    replay = again.post("/accounts/login/verify/", {"passkey": answer})  # no challenge issued at all
    assert "expired or was already used" in replay.content.decode() and again.get("/").status_code == 302
    assert AuditEvent.objects.filter(verb="mfa.passkey_refused", actor=approver).count() == 2


def test_a_cloned_key_whose_counter_goes_back_is_refused(client, approver, password, keyed):
    password_step(client, approver, password)
    client.post("/accounts/login/verify/", {"passkey": login_answer(client, keyed, counter=10)})
    assert client.get("/").status_code == 200
    other = Client()
    password_step(other, approver, password)
    response = other.post("/accounts/login/verify/", {"passkey": login_answer(other, keyed, counter=3)})
    assert "not accepted" in response.content.decode() and other.get("/").status_code == 302
    assert AuditEvent.objects.filter(verb="mfa.passkey_refused", comment__icontains="count").exists()


@pytest.mark.parametrize("how", ["origin", "other key", "garbage", "not json", "bad id"])
def test_bad_answers_are_refused_with_a_message(client, approver, password, keyed, how):
    password_step(client, approver, password)
    if how == "origin":
        answer = login_answer(client, keyed, origin="https://evil.example")
    elif how == "other key":
        answer = login_answer(client, SoftKey())
    elif how == "garbage":
        options(client, "/accounts/login/passkey/options/")
        answer = json.dumps({"id": "x", "rawId": "AAAA", "response": {"clientDataJSON": "!!"}})
    elif how == "bad id":
        options(client, "/accounts/login/passkey/options/")
        answer = json.dumps({"id": 5, "rawId": ["no"]})
    else:
        options(client, "/accounts/login/passkey/options/")
        answer = "{not json"
    response = client.post("/accounts/login/verify/", {"passkey": answer})
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(verb="mfa.passkey_refused", actor=approver).exists()


def test_login_options_need_a_pending_login(client):
    response = client.post("/accounts/login/passkey/options/")
    assert response.status_code == 400 and "Log in again" in response.json()["error"]


def test_signing_with_the_key_records_the_method(client, approver, staff, password, keyed):
    AccountSecurity.objects.update_or_create(user=approver, defaults={"declared_at": "2026-01-01T00:00Z"})
    record = make_record(staff, make_type("CAL"))
    client.force_login(approver)
    page = client.get(record.get_absolute_url()).content.decode()
    assert "Sign with your security key" in page and "Code from your authenticator app" not in page
    url = f"/records/{record.number}/verify/"
    base = {"username": approver.username, "password": password, **shown(record)}
    response = client.post(url, base, follow=True)
    assert "Use your security key to sign" in response.content.decode() and not Signature.objects.exists()
    answer = keyed.get(options(client, "/accounts/passkeys/options/signing/"))
    client.post(url, {**base, "passkey": answer})
    assert Signature.objects.get().method == "password+passkey"
    assert AuditEvent.objects.get(verb="signature.signed").data["method"] == "password+passkey"


def test_a_service_call_without_the_key_is_refused(approver, staff, password, keyed):
    from records import services

    AccountSecurity.objects.update_or_create(user=approver, defaults={"declared_at": "2026-01-01T00:00Z"})
    with pytest.raises(SignatureRefused, match="security key"):
        services.record_verify(actor=approver, record=make_record(staff, make_type("CAL")), password=password)


def test_remove_is_audited_and_only_for_ones_own_keys(client, approver, staff, keyed):
    key = WebAuthnCredential.objects.get()
    client.force_login(staff)
    response = client.post(f"/accounts/security/passkeys/{key.pk}/remove/", follow=True)
    assert "No such security key" in response.content.decode() and WebAuthnCredential.objects.exists()
    client.force_login(approver)
    client.post(f"/accounts/security/passkeys/{key.pk}/remove/")
    assert not WebAuthnCredential.objects.exists()
    assert AuditEvent.objects.filter(verb="mfa.passkey_removed", actor=approver).exists()


def test_the_administrators_reset_removes_keys_and_is_audited(approver, staff, keyed):
    admin = type(staff).objects.create_user("admin2", is_staff=True, is_superuser=True)
    mfa.reset(actor=admin, user=approver, reason="Key lost")
    assert not WebAuthnCredential.objects.exists()
    event = AuditEvent.objects.get(verb="mfa.reset")
    assert event.actor == admin and "Blue key" in event.comment


# ------------------------------------------------------------------ recovery codes for a key-only user
@pytest.fixture
def _no_throttle(settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # a wrong code is followed at once by a right one


def test_the_first_key_comes_with_recovery_codes_shown_once_and_stored_hashed(client, approver, keyed):
    from django_otp.plugins.otp_static.models import StaticToken

    assert len(keyed.recovery_codes) == 10 and len(set(keyed.recovery_codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=approver).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & set(keyed.recovery_codes)  # only their hashes
    assert AuditEvent.objects.filter(verb="mfa.recovery_issued", actor=approver).exists()
    client.force_login(approver)
    second = add_key(client, SoftKey(), name="Spare key").content.decode()
    assert "Security key “Spare key” added" in second and not recovery_codes(second)  # not again
    page = client.get("/accounts/security/").content.decode()
    assert "10 recovery codes left." in page and not set(keyed.recovery_codes) & set(recovery_codes(page))


def test_a_lost_key_a_recovery_code_logs_in_once(client, approver, password, keyed, _no_throttle):
    password_step(client, approver, password)
    page = client.get("/accounts/login/verify/").content.decode()
    assert "Lost your security key?" in page and "Recovery code" in page
    code = keyed.recovery_codes[0]
    wrong = client.post("/accounts/login/verify/", {"code": "aaaa-bbbb"})
    assert "recovery code is not correct" in wrong.content.decode() and client.get("/").status_code == 302
    done = client.post("/accounts/login/verify/", {"code": code.upper()}, follow=True)
    assert "You used a recovery code; 9 are left" in done.content.decode()
    assert client.session["_qms_auth_method"] == "password+recovery"
    used = AuditEvent.objects.get(verb="mfa.recovery_used", actor=approver)
    assert used.data == {"purpose": "login"} and "9 recovery codes left" in used.comment
    other = Client()
    password_step(other, approver, password)
    again = other.post("/accounts/login/verify/", {"code": code})
    assert "not correct (or was already used)" in again.content.decode() and other.get("/").status_code == 302
    assert AuditEvent.objects.filter(verb="mfa.refused", actor=approver).count() == 2
    assert "9 recovery codes left." in client.get("/accounts/security/").content.decode()


def test_new_recovery_codes_after_the_keys_answer_replace_the_old_ones(client, approver, password, keyed,
                                                                     _no_throttle):
    client.force_login(approver)
    page = client.get("/accounts/security/").content.decode()
    assert "/accounts/passkeys/options/recovery/" in page and "Make new recovery codes" in page
    refused = client.post("/accounts/security/2fa/recovery-codes/", {"code": "123456"}, follow=True)
    assert "Use your security key to make new recovery codes" in refused.content.decode()
    bad = client.post("/accounts/security/2fa/recovery-codes/", {"passkey": "{not json"}, follow=True)
    assert bad.status_code == 200 and "expired or was already used" in bad.content.decode()
    answer = keyed.get(options(client, "/accounts/passkeys/options/recovery/"))
    new = recovery_codes(client.post("/accounts/security/2fa/recovery-codes/", {"passkey": answer}).content.decode())
    assert len(new) == 10 and not set(new) & set(keyed.recovery_codes)
    assert AuditEvent.objects.filter(verb="mfa.recovery_regenerated", actor=approver).exists()
    replay = client.post("/accounts/security/2fa/recovery-codes/", {"passkey": answer}, follow=True)
    assert "expired or was already used" in replay.content.decode()
    client.logout()
    password_step(client, approver, password)
    old = client.post("/accounts/login/verify/", {"code": keyed.recovery_codes[1]})
    assert "not correct" in old.content.decode() and client.get("/").status_code == 302
    client.post("/accounts/login/verify/", {"code": new[0]})
    assert client.get("/").status_code == 200


def test_removing_the_last_key_drops_the_recovery_codes(client, approver, password, keyed):
    client.force_login(approver)
    client.post(f"/accounts/security/passkeys/{WebAuthnCredential.objects.get().pk}/remove/")
    assert mfa.recovery_codes_left(approver) == 0
    page = client.get("/accounts/security/").content.decode()
    assert "Set up two-factor authentication" in page and "recovery code" not in page
