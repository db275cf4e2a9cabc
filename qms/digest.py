"""The daily reminder digest: one e-mail (text and HTML) and one in-app
notification per user and day, built from the same dashboard sections the home
page shows (`qms.dashboard.sections_for`, those with `digest=True` and items).
Documents, records and audits fill those sections, so whatever they list —
reviews due within 30 days or overdue, signatures waiting, acknowledgements
due, records to verify, actions due — is in the digest without code here.

Never two digests per user and day, even with the task run twice or two beats
running: for each user with something to say we first INSERT a `DigestLog`
row (unique on user and date) together with the in-app notification, in one
small transaction, and only the run whose insert succeeded sends the e-mail.
A concurrent run's insert fails on the constraint (or waits for ours and then
fails) and it moves on. The order is claim, then send: if sending fails the
row is marked `failed` with the error, and a later run the same day claims
it again with a conditional UPDATE (failed → sending) and retries the e-mail
only (the notification already exists). A worker that dies between claim and
send leaves the row `sending`: that user gets no e-mail that day rather than,
possibly, two. Nobody with nothing due is e-mailed or notified.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from qms import dashboard, stored_text
from qms.models import DigestLog, Notification

log = logging.getLogger(__name__)


@dataclass
class DigestRun:
    date: date
    users_checked: int = 0
    sent: int = 0
    skipped_nothing_due: int = 0
    skipped_already_done: int = 0
    failed: list[int] = field(default_factory=list)


def digest_sections(user) -> list[dashboard.Section]:
    return [s for s in dashboard.sections_for(user) if s.digest and s.items]


def _item_count(sections) -> int:
    return sum(max(s.total or 0, len(s.items)) for s in sections)


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def _claim(user, day: date, sections) -> bool:
    """Insert the (user, day) row and the notification, or take over a failed
    row. True means this run owns the user's digest for the day."""
    count = _item_count(sections)
    try:
        with transaction.atomic():
            DigestLog.objects.create(user=user, date=day, item_count=count)
            # The title is a stored text (shown in the reader's language); the body lists the
            # sections by their titles, already in the recipient's language (digest_sections).
            title = stored_text.ngettext("Your daily digest: %(count)s item needs attention",
                                         "Your daily digest: %(count)s items need attention", count, count=count)
            Notification.objects.create(
                user=user,
                body="\n".join(f"{s.title}: {s.total_shown if s.capped else max(s.total or 0, len(s.items))}"
                                for s in sections),
                url="/",
                **stored_text.fields("title", title, limit=200),
            )
        return True
    except IntegrityError:
        return bool(
            DigestLog.objects.filter(user=user, date=day, status=DigestLog.Status.FAILED).update(
                status=DigestLog.Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now(), error=""
            )
        )


def user_language(user) -> str:
    """The language a user's e-mail is written in: theirs, or the site's when blank."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def build_message(user, sections, day: date, connection=None) -> EmailMultiAlternatives:
    """The digest e-mail, subject and both bodies in the recipient's language."""
    with translation.override(user_language(user)):
        return _build_message(user, sections, day, connection)


def _build_message(user, sections, day: date, connection=None) -> EmailMultiAlternatives:
    context = {
        "user": user,
        "date": day,
        "sections": [
            {
                "title": s.title,
                "items": [{"label": i.label, "url": _absolute(i.url), "meta": i.meta, "overdue": i.overdue} for i in s.items],
                # Past the card's cap: "… and 995+ more".
                "more": f"{max(0, s.total - len(s.items))}+" if s.capped else max(0, (s.total or 0) - len(s.items)),
                "more_url": _absolute(s.more_url) if s.more_url else "",
            }
            for s in sections
        ],
        "count": _item_count(sections),
        "COMPANY_NAME": settings.COMPANY_NAME,
        "site_url": settings.SITE_URL,
    }
    subject = " ".join(render_to_string("emails/digest_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/digest.txt", context),
        to=[user.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("emails/digest.html", context), "text/html")
    return message


def send_daily_digests(*, day: date | None = None) -> DigestRun:
    """Send today's digest to every active user who has something due."""
    day = day or timezone.localdate()
    run = DigestRun(date=day)
    # A cheap pre-filter; the unique constraint is what makes it safe.
    done = set(
        DigestLog.objects.filter(date=day)
        .exclude(status=DigestLog.Status.FAILED)
        .values_list("user_id", flat=True)
    )
    users = get_user_model().objects.filter(is_active=True).order_by("pk")
    connection = get_connection(fail_silently=False)
    try:
        for user in users.iterator(chunk_size=500):
            run.users_checked += 1
            if user.pk in done:
                run.skipped_already_done += 1
                continue
            # Section titles and item labels are written in the reader's language.
            with translation.override(user_language(user)):
                sections = digest_sections(user)
            if not sections:
                run.skipped_nothing_due += 1
                continue
            if not _claim(user, day, sections):
                run.skipped_already_done += 1
                continue
            _send(user, sections, day, connection, run)
    finally:
        connection.close()
    return run


def _send(user, sections, day, connection, run: DigestRun) -> None:
    try:
        if user.email:  # no address: the in-app notification is the digest
            build_message(user, sections, day, connection).send()
    except Exception as exc:  # noqa: BLE001 - SMTP raises many types; the row records it for the retry
        log.warning("digest for user %s not sent: %s", user.pk, exc)
        DigestLog.objects.filter(user=user, date=day).update(status=DigestLog.Status.FAILED, error=str(exc)[:2000])
        run.failed.append(user.pk)
        return
    DigestLog.objects.filter(user=user, date=day).update(status=DigestLog.Status.SENT, sent_at=timezone.now())
    run.sent += 1
