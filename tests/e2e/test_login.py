"""Browser: a demo user logs in with the real form and sees the dashboard."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_user_logs_in_and_sees_dashboard(page, login, staff):
    login(staff)
    assert page.get_by_role("heading", name="My tasks").is_visible()
    assert page.get_by_role("link", name="Documents").is_visible()
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")


def test_wrong_password_shows_a_message(page, staff):
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(staff.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text().startswith("Please enter a correct")
