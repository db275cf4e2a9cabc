"""Browser: a security key (Chromium's virtual WebAuthn authenticator, through
CDP) is added on the security page with a name (the first factor: recovery
codes are shown once), then used to log in and to sign a record; removed
again from the list (issue 17)."""

import pytest
from playwright.sync_api import expect

from qms.identity_models import AccountSecurity, WebAuthnCredential
from qms.models import AuditEvent, Signature
from tests.records.factories import make_record, make_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": False, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    yield cdp, added["authenticatorId"]
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": added["authenticatorId"]})


def test_add_a_security_key_then_log_in_and_sign_with_it(page, login, authenticator, approver, staff, password):
    cdp, authenticator_id = authenticator
    AccountSecurity.objects.update_or_create(user=approver, defaults={"declared_at": "2026-01-01T00:00Z",
                                                                   "declaration_text": "x"})
    login(approver)
    page.goto("/accounts/security/")
    page.get_by_label("Name of the key").fill("Blue key")
    page.get_by_role("button", name="Add a security key").click()
    page.wait_for_selector("text=Security key “Blue key” added")
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()  # the first factor: codes too
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_role("link", name="I have saved them").click()
    assert WebAuthnCredential.objects.get(user=approver).name == "Blue key"
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1
    assert AuditEvent.objects.filter(verb="mfa.passkey_added", actor=approver).exists()
    assert "Blue key" in page.locator("#passkeys").inner_text()
    assert "10 recovery codes left" in page.locator("#two-factor").inner_text()

    page.locator("#user-menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    page.get_by_label("User name").fill(approver.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/login/verify/")
    assert page.get_by_label("Code", exact=True).count() == 0  # no authenticator app: the key, or a recovery code
    assert page.get_by_label("Recovery code").count() == 1
    page.get_by_role("button", name="Use your security key").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.get_by_role("heading", name="My tasks").is_visible()
    assert WebAuthnCredential.objects.get(user=approver).last_used_at is not None

    record = make_record(staff, make_type("CAL"))  # made by someone else: the approver verifies it
    page.goto(record.get_absolute_url())
    form = page.locator("form.signature-form")
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign with your security key").click()
    page.wait_for_selector("text=verified and signed")
    signature = Signature.objects.get()
    assert signature.signer == approver and signature.method == "password+passkey"

    page.goto("/accounts/security/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#passkeys").get_by_role("button", name="Remove").click()
    page.wait_for_selector("text=Security key removed")
    assert not WebAuthnCredential.objects.filter(user=approver).exists()
    assert AuditEvent.objects.filter(verb="mfa.passkey_removed", actor=approver).exists()
