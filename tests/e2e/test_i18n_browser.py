"""Browser (issue 20, must hold): a user picks German in the navigation, sees the
German dashboard at the same address, submits a record with a form error and
reads the German message."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from qms.permissions import Role
from records.models import Record
from tests.records.factories import make_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIELDS = [
    {"key": "instrument_id", "label": "Instrument ID", "type": "text", "required": True},
    {"key": "deviation", "label": "Measured deviation", "type": "number", "required": True, "min": "-10", "max": "10"},
]


@pytest.fixture(autouse=True)
def _roles(db):
    # A transactional test before this one may have flushed the seeded groups.
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)


def test_german_user_sees_dashboard_and_reads_a_german_form_error(page, login, staff):
    make_type("CAL", name="Calibration record", fields=FIELDS)
    login(staff)
    assert page.get_by_role("heading", name="My tasks").count() == 1
    address = page.url

    page.locator("#user-menu").click()
    page.locator("#nav-language").select_option("de")
    page.locator("#language-switch").get_by_role("button", name="Change").click()
    page.get_by_role("heading", name="Meine Aufgaben").wait_for()
    assert page.url == address  # the same page, no language in the URL
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("link", name="Aufzeichnungen", exact=True).count() == 1
    staff.refresh_from_db()
    assert staff.language == "de"

    page.goto(reverse("records:create", args=["CAL"]))
    page.get_by_label("Measured deviation").fill("12")
    page.get_by_role("button", name="Einreichen (sperrt die Aufzeichnung)").click()
    page.get_by_text("Dieses Feld ist zwingend erforderlich.").wait_for()
    assert page.get_by_text("Dieser Wert muss kleiner oder gleich 10 sein.").count() == 1
    assert "This field is required." not in page.content()
    assert not Record.objects.exists()
