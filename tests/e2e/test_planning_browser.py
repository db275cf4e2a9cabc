"""Browser: a quality manager records last month's KPI measurement on the KPI
page and sees the chart move (a new point in the picture and its table), the
"missing" warning go, and the rating follow the value."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from planning import services
from qms.permissions import Role
from tests.planning.factories import last_month, make_kpi

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _roles(db):
    # A transactional test before this one may have flushed the seeded groups.
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)


def test_qm_records_a_measurement_and_sees_the_chart_move(page, login, quality_manager):
    kpi = make_kpi(quality_manager)
    earlier = last_month() - timedelta(days=1)
    services.measurement_record(actor=quality_manager, kpi=kpi, day=earlier, value=Decimal("91"))

    login(quality_manager)
    page.goto(f"/planning/kpis/{kpi.pk}/")
    assert page.locator("#missing").is_visible()
    before = page.locator("#kpi-chart img").get_attribute("src")
    rows_before = page.locator("#kpi-chart .qms-chart-table tbody tr").count()

    page.get_by_label("A day in the period measured").fill(last_month().isoformat())
    page.get_by_label("Value").fill("97.5")
    page.get_by_label("Comment").fill("From the ERP report")
    page.get_by_role("button", name="Record").click()
    page.wait_for_selector("text=Measurement recorded.")

    assert page.locator("#kpi-chart img").get_attribute("src") != before
    assert page.locator("#kpi-chart .qms-chart-table tbody tr").count() == rows_before + 1
    assert "97.5" in page.locator("#kpi-chart .qms-chart-table").text_content()
    assert page.locator("#missing").count() == 0
    assert page.locator("#kpi-rating").inner_text() == "On target"
    assert "97.5" in page.locator("#measurements").inner_text()
