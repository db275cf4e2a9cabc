"""The daily digest: one e-mail (text + HTML) and one notification per user and
day with that user's dashboard items; none when nothing is due; a second or
concurrent run sends nothing; a failed send is retried once, later."""

import threading
from datetime import date

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection

from qms import dashboard, digest
from qms.celery import app
from qms.models import DigestLog, Notification

# user pk -> list of sections this test provider returns (the documents,
# records and audits apps register the real providers the same way).
DUE: dict[int, list[dashboard.Section]] = {}


@dashboard.provider(order=999)
def _test_sections(user):
    return DUE.get(user.pk, [])


@pytest.fixture(autouse=True)
def _clear_due():
    DUE.clear()
    yield
    DUE.clear()


def _due(user, *labels, overdue=False, digest_flag=True, total=None):
    DUE.setdefault(user.pk, []).append(
        dashboard.Section(
            key="test.reviews",
            title="Periodic reviews due",
            items=[dashboard.Item(label=lb, url=f"/documents/{lb}/", meta="due 2026-12-01", overdue=overdue) for lb in labels],
            total=total,
            digest=digest_flag,
            more_url="/documents/?overdue=1",
        )
    )


@pytest.mark.django_db
def test_one_email_per_user_with_their_items_and_none_without(author, approver, staff, quality_manager):
    _due(author, "SOP-QA-001", "SOP-QA-002")
    _due(approver, "WI-PRD-004", overdue=True, total=7)
    _due(staff, "Hidden", digest_flag=False)  # a dashboard-only section is not mailed
    run = digest.send_daily_digests(day=date(2026, 11, 26))
    assert run.sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == [approver.email, author.email]
    by_user = {m.to[0]: m for m in mail.outbox}
    text, (html, mimetype) = by_user[author.email].body, by_user[author.email].alternatives[0]
    assert mimetype == "text/html"
    assert "SOP-QA-001" in text and "SOP-QA-002" in text and "http://127.0.0.1:8000/documents/SOP-QA-001/" in text
    assert "SOP-QA-001" in html and 'href="http://127.0.0.1:8000/documents/SOP-QA-002/"' in html
    assert "WI-PRD" not in text  # only their own items
    assert "2 items" in by_user[author.email].subject and "2026-11-26" in by_user[author.email].subject
    approver_text = by_user[approver.email].body
    assert "OVERDUE" in approver_text and "and 6 more" in approver_text
    # One in-app notification each; nothing for staff or the quality manager.
    assert Notification.objects.filter(user=author, title__startswith="Your daily digest").count() == 1
    assert Notification.objects.filter(user=approver, title__contains="7 items").count() == 1
    assert not Notification.objects.filter(user__in=[staff, quality_manager]).exists()
    assert set(DigestLog.objects.values_list("user_id", "status")) == {(author.pk, "sent"), (approver.pk, "sent")}


@pytest.mark.django_db
def test_second_run_the_same_day_sends_nothing_and_next_day_sends_again(author):
    _due(author, "SOP-QA-001")
    assert digest.send_daily_digests(day=date(2026, 11, 26)).sent == 1
    again = digest.send_daily_digests(day=date(2026, 11, 26))
    assert again.sent == 0 and again.skipped_already_done == 1
    assert len(mail.outbox) == 1 and Notification.objects.filter(user=author).count() == 1
    assert digest.send_daily_digests(day=date(2026, 11, 27)).sent == 1
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_nothing_due_means_no_email_no_notification_no_row(author, staff):
    run = digest.send_daily_digests(day=date(2026, 11, 26))
    assert run.sent == 0 and run.skipped_nothing_due >= 2
    assert mail.outbox == [] and not Notification.objects.exists() and not DigestLog.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent runs need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_one_digest_per_user(author, approver, staff):
    for user in (author, approver, staff):
        _due(user, f"Item for {user.username}")
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            digest.send_daily_digests(day=date(2026, 11, 26))
        except Exception as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in (author, approver, staff))
    assert Notification.objects.count() == 3 and DigestLog.objects.count() == 3


class FlakyBackend(EmailBackend):
    """Refuses the first message (a mail server briefly away), then delivers."""

    refused = 0

    def send_messages(self, messages):
        if FlakyBackend.refused == 0:
            FlakyBackend.refused += 1
            raise ConnectionRefusedError("smtp down")
        return super().send_messages(messages)


@pytest.mark.django_db
def test_failed_send_is_recorded_and_retried_once_by_a_later_run(author, settings):
    settings.EMAIL_BACKEND = "tests.qms.test_digest.FlakyBackend"
    FlakyBackend.refused = 0
    _due(author, "SOP-QA-001")
    first = digest.send_daily_digests(day=date(2026, 11, 26))
    assert first.sent == 0 and first.failed == [author.pk]
    row = DigestLog.objects.get(user=author)
    assert row.status == "failed" and "smtp down" in row.error
    second = digest.send_daily_digests(day=date(2026, 11, 26))
    assert second.sent == 1 and len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2
    assert Notification.objects.filter(user=author).count() == 1  # the retry re-sends the e-mail only
    assert digest.send_daily_digests(day=date(2026, 11, 26)).sent == 0


@pytest.mark.django_db
def test_daily_digest_task_runs_and_is_on_the_beat_schedule(author):
    app.loader.import_default_modules()  # what a worker or beat does at start: autodiscover the tasks modules
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name} names an unknown task"
    entry = app.conf.beat_schedule["daily-digest"]
    assert entry["task"] == "qms.tasks.send_daily_digests"
    _due(author, "SOP-QA-001")
    assert app.tasks[entry["task"]].apply().get() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_send_digests_command_for_set_ups_without_beat(author):
    from io import StringIO

    from django.core.management import call_command

    _due(author, "SOP-QA-001")
    out = StringIO()
    call_command("send_digests", stdout=out)
    call_command("send_digests", stdout=out)
    assert len(mail.outbox) == 1
    assert "1 sent" in out.getvalue() and "1 already sent today" in out.getvalue()
