"""The daily digest goes out in each recipient's language (issue 20): the
subject, the text body and the HTML body are rendered under the user's
`language`, blank meaning the site's default, by the same function the
celery job runs (`qms.digest.send_daily_digests`)."""

from datetime import date

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext_lazy

from qms import dashboard, digest

# The test provider of tests/qms/test_digest.py: its sections per user, cleared around each test.
from tests.qms.test_digest import DUE, _clear_due  # noqa: E402, F401


def _due(user, *labels, total=None):
    DUE.setdefault(user.pk, []).append(
        dashboard.Section(
            key="test.language",
            title=gettext_lazy("Records to verify"),
            items=[dashboard.Item(label=lb, url=f"/records/{lb}/", overdue=True) for lb in labels],
            total=total,
            more_url="/records/",
        )
    )


@pytest.mark.django_db
def test_a_german_users_digest_is_german_and_an_english_users_stays_english(author, approver, staff):
    author.language = "de"
    author.save(update_fields=["language"])
    approver.language = "en-gb"
    approver.save(update_fields=["language"])
    staff.language = ""  # blank: the site's language
    staff.save(update_fields=["language"])
    for user in (author, approver, staff):
        _due(user, "REC-0001", "REC-0002", total=5)
    with translation.override("fr"):  # whatever the worker's language happens to be
        run = digest.send_daily_digests(day=date(2026, 11, 26))
    assert run.sent == 3
    by_user = {m.to[0]: m for m in mail.outbox}

    german = by_user[author.email]
    html = german.alternatives[0][0]
    assert "5 Einträge für Sie am 26.11.2026" in german.subject  # the German short date
    assert german.body.startswith("Hallo ")
    assert "Zu verifizierende Aufzeichnungen" in german.body and "ÜBERFÄLLIG" in german.body
    assert "… und 3 weitere" in german.body
    assert "Zu verifizierende Aufzeichnungen" in html and 'lang="de"' in html and "überfällig" in html
    assert "Records to verify" not in german.body and "items" not in german.subject

    for english in (by_user[approver.email], by_user[staff.email]):
        assert "5 items for you on 2026-11-26" in english.subject
        assert english.body.startswith("Hello ")
        assert "Records to verify" in english.body and "OVERDUE" in english.body and "and 3 more" in english.body
        assert 'lang="en-gb"' in english.alternatives[0][0]


@pytest.mark.django_db
def test_build_message_uses_the_recipients_language(author):
    author.language = "de"
    _due(author, "REC-0001")
    message = digest.build_message(author, digest.digest_sections(author), date(2026, 11, 26))
    assert "1 Eintrag für Sie am 26.11.2026" in message.subject
    assert translation.get_language() != "de"
