"""The registers this app keeps (qms.registers): exported as CSV/XLSX, read as
they stood on a date in the auditor's as-of view, and put in evidence packs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.utils import translation

from qms import registers, scope
from qms.models import User
from reviews.models import Complaint, ManagementReview, SatisfactionSurvey
from reviews.selectors import complaint_register, reviews_for, surveys_for

COMPLAINT_COLUMNS = ["Number", "Kind", "Customer", "Channel", "Received", "Reference", "Category", "Severity",
                     "Owner", "Acknowledged", "Responded", "Status", "Resolution"]
SURVEY_COLUMNS = ["Survey", "Period from", "Period to", "Score", "Scale", "Score %", "Respondents", "Comments"]
REVIEW_COLUMNS = ["Number", "Title", "Meeting", "Chair", "Period from", "Period to", "Status", "Approved"]


def _end_of(on: date) -> datetime:
    return datetime.combine(on + timedelta(days=1), time.min, tzinfo=UTC)


def _as_of(model, user, on: date, visible):
    """The rows of `model` as they stood at the end of `on`, limited to the ids `user` may see now."""
    ids = set(visible.values_list("pk", flat=True))
    return [obj for obj in model.history.as_of(_end_of(on)) if obj.pk in ids]


def _names(ids) -> dict[int, str]:
    return {u.pk: u.display_name for u in User.objects.filter(pk__in=set(ids))}


def _english(choices) -> dict[str, str]:
    """A choice's labels as exports show them: in English, like their column headings."""
    with translation.override("en"):
        return {value: str(label) for value, label in choices.choices}


def complaint_rows(user, on: date | None):
    if on is None:
        items = complaint_register(user)
    else:
        items = sorted(_as_of(Complaint, user, on, scope.narrow(Complaint.objects.all(), user)),
                       key=lambda c: (c.received_on, c.pk), reverse=True)
    yield from complaint_rows_of(items)


def complaint_rows_of(items):
    """Export rows of complaints (a list, or a queryset read in chunks with one name lookup per chunk)."""
    if not isinstance(items, list):
        items = list(items.select_related(None).only(
            "number", "kind", "customer", "channel", "received_on", "reference", "category", "severity",
            "owner_id", "acknowledged_on", "responded_on", "status", "resolution"))
    names = _names(c.owner_id for c in items)
    kind, channel, cat, sev, status = (_english(Complaint.Kind), _english(Complaint.Channel),
                                       _english(Complaint.Category), _english(Complaint.Severity),
                                       _english(Complaint.Status))
    for c in items:
        yield [c.number, kind.get(c.kind, c.kind), c.customer, channel.get(c.channel, c.channel), c.received_on,
               c.reference, cat.get(c.category, c.category), sev.get(c.severity, c.severity), names.get(c.owner_id, ""),
               c.acknowledged_on, c.responded_on, status.get(c.status, c.status), c.resolution]


def survey_rows(user, on: date | None):
    items = list(surveys_for(user)) if on is None else sorted(
        _as_of(SatisfactionSurvey, user, on, scope.narrow(SatisfactionSurvey.objects.all(), user)),
        key=lambda s: (s.period_end, s.pk), reverse=True)
    for s in items:
        yield [s.title, s.period_start, s.period_end, s.score, s.scale_max, s.percent, s.respondents, s.comments]


def review_rows(user, on: date | None):
    items = list(reviews_for(user)) if on is None else sorted(
        _as_of(ManagementReview, user, on, reviews_for(user)), key=lambda r: (r.meeting_date, r.pk), reverse=True)
    names = _names(r.chair_id for r in items)
    status = _english(ManagementReview.Status)
    for r in items:
        yield [r.number, r.title, r.meeting_date, names.get(r.chair_id, ""), r.period_start, r.period_end,
               status.get(r.status, r.status), r.approved_at]


def declare() -> None:
    registers.declare(registers.Register(
        key="reviews.complaints", title="Customer feedback and complaints log", clause="9.1.2",
        rule="reviews.export_complaints", columns=COMPLAINT_COLUMNS, rows=complaint_rows,
        url_name="reviews:complaints"))
    registers.declare(registers.Register(
        key="reviews.surveys", title="Customer satisfaction surveys", clause="9.1.2", rule="reviews.view_surveys",
        columns=SURVEY_COLUMNS, rows=survey_rows, url_name="reviews:surveys"))
    registers.declare(registers.Register(
        key="reviews.management_reviews", title="Management reviews", clause="9.3", rule="reviews.view_reviews",
        columns=REVIEW_COLUMNS, rows=review_rows, url_name="reviews:reviews"))
