"""Browser: a user sets up two-factor authentication from the QR code page
(reading the key as someone typing it into an app would), keeps the recovery
codes, and logs in again with password and code (issue 17)."""

import base64

import pytest
from django_otp.oath import TOTP, hotp
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(secret: str, step: int = 0) -> str:
    raw = secret.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    return f"{hotp(key, TOTP(key).t() + step):06d}"


def test_totp_enrolment_then_login_with_the_code(page, login, staff, password):
    login(staff)
    page.locator("#user-menu").click()
    page.get_by_role("link", name="Security").click()
    page.get_by_role("link", name="Set up two-factor authentication").click()
    expect(page.locator("#mfa-qr")).to_be_visible()
    secret = page.locator("#mfa-secret").inner_text()
    page.get_by_label("Code").fill(_code(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_role("link", name="I have saved them").click()
    assert "recovery codes left" in page.locator("#two-factor").inner_text()
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")

    page.get_by_label("User name").fill(staff.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/login/verify/")
    page.get_by_label("Code").fill(_code(secret, 1))  # the enrolment used the current code
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.get_by_role("heading", name="My tasks").is_visible()
