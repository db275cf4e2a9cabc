"""Records sections of the home dashboard and the daily digest (see qms.dashboard).

Each section costs one query (a sample of five carrying its total), whatever
the number of records. "To verify" and "overdue for verification" split the same
queue at the due date: a record is in one or the other, never both. "Overdue for verification" means submitted, verification
required, and still unverified more than VERIFICATION_DUE_DAYS (7) days after
submission.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qms import dashboard, dates, permissions
from qms.rules import allowed
from records.models import VERIFICATION_DUE_DAYS, Record
from records.rules import is_record_verifier

SAMPLE = 5


def _sampled(qs, *, overdue_before=None):
    """A sample of the queue and its total, in one query (qms.dashboard.sample)."""
    rows, total = dashboard.sample(qs, SAMPLE)
    items = []
    for r in rows:
        when = r.submitted_at or r.created_at
        late = overdue_before is not None and r.submitted_at is not None and r.submitted_at < overdue_before
        items.append(dashboard.Item(
            label=f"{r.number} · {r.record_type.name}", url=r.get_absolute_url(),
            meta=(_("submitted %(date)s") if r.submitted_at else _("started %(date)s")) % {"date": f"{when:%Y-%m-%d}"},
            overdue=late,
        ))
    return items, total


def _columns(qs):
    return qs.select_related("record_type").only(
        "number", "created_at", "submitted_at", "record_type__name", "record_type__code"
    )


@dashboard.provider(order=20)
def sections(user) -> list[dashboard.Section]:
    out = []
    register = reverse("records:index")
    if allowed("records.create_record", user):
        drafts = _columns(Record.objects.filter(created_by=user, status=Record.Status.DRAFT)).order_by("-created_at")
        items, total = _sampled(drafts)
        out.append(dashboard.Section(
            key="records.my_drafts", title=_("My draft records"), items=items, total=total,
            empty=_("No drafts."), more_url=f"{register}?status=draft&submitter={user.pk}",
        ))
    if is_record_verifier(user) and permissions.can_write(user):
        overdue_before = timezone.now() - timezone.timedelta(days=VERIFICATION_DUE_DAYS)
        waiting = Record.objects.awaiting_verification().exclude(created_by=user)
        # The two sections split one queue at the due date, so no record is listed twice.
        to_verify = _columns(waiting.filter(submitted_at__gte=overdue_before)).order_by("submitted_at", "id")
        items, total = _sampled(to_verify, overdue_before=overdue_before)
        out.append(dashboard.Section(
            key="records.to_verify", title=_("Records to verify"), items=items,
            total=total, empty=_("Nothing new waiting for you."),
            more_url=f"{register}?verified=no&status=submitted&since={overdue_before:%Y-%m-%d}",
        ))
        overdue = _columns(waiting.filter(submitted_at__lt=overdue_before)).order_by("submitted_at", "id")
        items, total = _sampled(overdue, overdue_before=overdue_before)
        out.append(dashboard.Section(
            key="records.overdue_verification", title=_("Records overdue for verification"),
            items=items, total=total,
            empty=_("None waiting more than %(days)s days.") % {"days": VERIFICATION_DUE_DAYS},
            more_url=f"{register}?verified=no&status=submitted&until={overdue_before:%Y-%m-%d}",
        ))
    return out


# ------------------------------------------------------------------ charts (qms.dashboard.chart)
@dashboard.chart("records.per_week", rule="qms.view_aggregates", order=20, link="/records/")
def records_per_week(user):
    from collections import Counter

    from django.db.models import Count, Q
    from django.db.models.functions import TruncWeek

    from qms import charts

    weeks = charts.weeks_back(12, timezone.localdate())
    since = dates.start_of(weeks[0])

    # One grouped query for both series: each row is a (submitted week, verified week) pair
    # and its count, summed per week in Python (at most 13 x 13 rows, whatever the records).
    rows = (Record.objects.filter(Q(submitted_at__gte=since) | Q(verified_at__gte=since))
            .annotate(sub=TruncWeek("submitted_at"), ver=TruncWeek("verified_at"))
            .values("sub", "ver").annotate(n=Count("id")).order_by())
    submitted, verified = Counter(), Counter()
    for r in rows:
        for week, found in ((r["sub"], submitted), (r["ver"], verified)):
            if week is not None:
                found[week.date() if hasattr(week, "date") else week] += r["n"]
    return charts.line("Records submitted and verified per week", [w.strftime("%Y-%m-%d") for w in weeks],
                       {"Submitted": [submitted[w] for w in weeks], "Verified": [verified[w] for w in weeks]})
