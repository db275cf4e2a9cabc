"""Dashboard sections (also the daily digest): my drafts, to verify, overdue
for verification (unverified more than 7 days after submission)."""

import pytest
from freezegun import freeze_time

from qms import dashboard
from records import services
from records.models import Record
from tests.records.factories import make_record

pytestmark = pytest.mark.django_db


def _section(user, key):
    return next((s for s in dashboard.sections_for(user) if s.key == key), None)


def test_sections_are_accurate(staff, approver, quality_manager, cal_type, password):
    with freeze_time("2026-03-01"):
        old = make_record(staff, cal_type)
    with freeze_time("2026-03-20"):
        recent = make_record(staff, cal_type)
        draft = make_record(staff, cal_type, submit=False)
        own = make_record(approver, cal_type)
        with freeze_time("2026-03-20"):
            drafts = _section(staff, "records.my_drafts")
            to_verify = _section(approver, "records.to_verify")
            overdue = _section(approver, "records.overdue_verification")
            qm_to_verify = _section(quality_manager, "records.to_verify")
    assert drafts.total == 1 and drafts.items[0].url == draft.get_absolute_url()
    assert _section(staff, "records.to_verify") is None  # staff do not verify
    # The queue is split at the due date: the old record is only under "overdue".
    assert to_verify.total == 1 and [i.url for i in to_verify.items] == [recent.get_absolute_url()]
    assert own.get_absolute_url() not in {i.url for i in to_verify.items}  # never one's own
    assert overdue.total == 1 and overdue.items[0].overdue and old.number in overdue.items[0].label
    assert qm_to_verify.total == 2  # the quality manager also verifies the approver's own record
    services.record_verify(actor=approver, record=old, password=password)
    with freeze_time("2026-03-20"):
        assert _section(approver, "records.overdue_verification").total == 0
        assert not Record.objects.overdue_for_verification().exists()


def test_no_record_is_listed_twice_on_the_dashboard(client_for, staff, approver, cal_type):
    with freeze_time("2026-03-01"):
        old = [make_record(staff, cal_type) for _ in range(3)]
    with freeze_time("2026-03-20"):
        recent = make_record(staff, cal_type)
        sections = dashboard.sections_for(approver)
        page = client_for(approver).get("/").content.decode()
    urls = [i.url for s in sections for i in s.items]
    assert len(urls) == len(set(urls)) == 4
    assert set(urls) == {r.get_absolute_url() for r in [*old, recent]}
    for r in [*old, recent]:
        assert page.count(f'href="{r.get_absolute_url()}"') == 1


def test_home_page_shows_sections_with_constant_queries(client_for, approver, staff, cal_type,
                                                        django_assert_max_num_queries):
    with freeze_time("2026-01-05"):
        make_record(staff, cal_type)  # overdue for verification
    for _ in range(3):
        make_record(staff, cal_type)
    client = client_for(approver)
    client.get("/")
    with django_assert_max_num_queries(40) as first:
        page = client.get("/")
    assert "Records to verify" in page.content.decode() and "Records overdue for verification" in page.content.decode()
    for _ in range(15):
        make_record(staff, cal_type)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/")


def test_a_long_queue_is_counted_up_to_the_cap(client_for, staff, approver, cal_type, monkeypatch):
    """A card counts its queue up to qms.dashboard.COUNT_CAP and then says "N+" (an exact
    total of a long backlog read every row of it on each home page); the digest says
    the same. Below the cap the total is exact."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qms import digest
    from records import dashboard as records_dashboard

    monkeypatch.setattr(dashboard, "COUNT_CAP", 3)
    monkeypatch.setattr(records_dashboard, "SAMPLE", 2)
    made = [make_record(staff, cal_type) for _ in range(5)]
    section = _section(approver, "records.to_verify")
    assert section.capped and section.total == 3 and section.total_shown == "3+"
    assert [i.url for i in section.items] == [r.get_absolute_url() for r in made[:2]]
    with CaptureQueriesContext(connection) as ctx:
        html = client_for(approver).get("/").content.decode()
    assert '<span class="badge text-bg-secondary">3+</span>' in html
    window = [q["sql"] for q in ctx.captured_queries if "records_record" in q["sql"] and " OVER (" in q["sql"]]
    assert window and all("ROWS BETWEEN CURRENT ROW AND 3 FOLLOWING" in sql for sql in window)
    message = digest.build_message(approver, [section], made[0].created_at.date())
    assert "… and 1+ more" in message.body
    monkeypatch.setattr(dashboard, "COUNT_CAP", 10)
    exact = _section(approver, "records.to_verify")
    assert not exact.capped and exact.total == 5 and exact.total_shown == "5"
