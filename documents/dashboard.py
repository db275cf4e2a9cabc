"""Documents sections of the home dashboard (see qms.dashboard). Each section
runs one query (a slice carrying its total, qms.dashboard.sample), whatever the
row count."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import selectors
from qms import dashboard, dates, permissions
from qms.rules import allowed

LIMIT = 10


def read_task_url(ack) -> str:
    """A read task opens the redline from the revision its reader last acknowledged, when
    there is one (selectors.open_acknowledgements: since_seq); else the document."""
    number = ack.revision.document.number
    if getattr(ack, "since_seq", None):
        return f"{reverse('documents:document-compare', args=[number])}?since=acknowledged&b={ack.revision.seq}"
    return reverse("documents:document-detail", args=[number])


@dashboard.provider(order=10)
def sections(user) -> list[dashboard.Section]:
    if not allowed("documents.view_documents", user):
        return []
    today = timezone.localdate()
    out = []

    waiting, total = dashboard.sample(selectors.waiting_for_signature(user), LIMIT)
    items = [
        dashboard.Item(
            label=f"{s.step.revision.document.number} {s.step.revision.document.title}",
            url=reverse("documents:revision-detail", args=[s.step.revision.document.number, s.step.revision.seq]),
            meta=_("%(kind)s of revision %(label)s") % {"kind": s.step.get_kind_display(), "label": s.step.revision.label},
        )
        for s in waiting
    ]
    out.append(dashboard.Section(key="documents.to_sign", title=_("Waiting for my signature"), items=items,
                                 total=total,
                                 empty=_("Nothing waiting for you.")))

    acks, total = dashboard.sample(selectors.open_acknowledgements(user), LIMIT)
    items = [
        dashboard.Item(
            label=f"{a.revision.document.number} {a.revision.document.title}",
            url=read_task_url(a),
            meta=(_("revision %(label)s, due %(date)s, see what changed since the revision you acknowledged")
                  if a.since_seq else _("revision %(label)s, due %(date)s"))
            % {"label": a.revision.label, "date": f"{a.due_date:%Y-%m-%d}"},
            overdue=a.due_date < today,
        )
        for a in acks
    ]
    out.append(dashboard.Section(key="documents.to_read", title=_("Documents to read and acknowledge"), items=items,
                                 total=total,
                                 more_url=reverse("documents:acknowledgement-list"),
                                 empty=_("You have read everything.")))

    overdue, total = dashboard.sample(selectors.review_overdue(user, today), LIMIT)
    items = [
        dashboard.Item(label=f"{d.number} {d.title}", url=reverse("documents:document-detail", args=[d.number]),
                       meta=_("review was due %(date)s") % {"date": f"{d.next_review_date:%Y-%m-%d}"}, overdue=True)
        for d in overdue
    ]
    if items or permissions.is_quality_manager(user):
        out.append(dashboard.Section(key="documents.review_overdue", title=_("Documents overdue for review"),
                                     items=items, total=total,
                                     more_url=reverse("documents:review-list"), empty=_("No review is overdue.")))

    if permissions.is_quality_manager(user):
        # The quality manager's own late reads are already under "Documents to read".
        late, total = dashboard.sample(selectors.overdue_acknowledgements(today).exclude(user=user), LIMIT)
        items = [
            dashboard.Item(label=f"{a.user.display_name}: {a.revision.document.number}",
                           url=reverse("documents:document-acknowledgements", args=[a.revision.document.number]),
                           meta=_("due %(date)s") % {"date": f"{a.due_date:%Y-%m-%d}"}, overdue=True)
            for a in late
        ]
        out.append(dashboard.Section(key="documents.acks_overdue", title=_("Overdue acknowledgements"), items=items,
                                     total=total,
                                     more_url=reverse("documents:acknowledgement-list"),
                                     empty=_("Nobody is late.")))
    return out


# ------------------------------------------------------------------ charts (qms.dashboard.chart)
@dashboard.chart("documents.by_status", rule="qms.view_aggregates", order=10, link="/documents/")
def documents_by_status(user):
    from django.db.models import Count

    from documents.models import Document, Revision
    from qms import charts

    counts = dict(Document.objects.values_list("latest_revision__status").annotate(n=Count("id")).order_by())
    labels = [str(label) for value, label in Revision.Status.choices if value != Revision.Status.SUPERSEDED]
    values = [counts.get(value, 0) for value, _ in Revision.Status.choices if value != Revision.Status.SUPERSEDED]
    return charts.bars("Documents by status of their newest revision", labels, {"Documents": values})


@dashboard.chart("documents.acknowledgements", rule="qms.view_aggregates", order=11,
                 link="/documents/acknowledgements/")
def acknowledgements_on_time(user):
    from django.db.models import Count, F, Q
    from django.db.models.functions import TruncMonth

    from documents.models import Acknowledgement
    from qms import charts

    months = charts.months_back(12, timezone.localdate())
    rows = (Acknowledgement.objects.filter(**dates.within_days("acknowledged_at", months[0]))
            .annotate(month=TruncMonth("acknowledged_at")).values("month")
            .annotate(on_time=Count("id", filter=Q(acknowledged_at__date__lte=F("due_date"))),
                      late=Count("id", filter=Q(acknowledged_at__date__gt=F("due_date")))).order_by())
    by_month = {r["month"].date() if hasattr(r["month"], "date") else r["month"]: r for r in rows}
    return charts.bars("Read-and-understood acknowledgements per month", [m.strftime("%Y-%m") for m in months], {
        "On time": [by_month.get(m, {}).get("on_time", 0) for m in months],
        "Late": [by_month.get(m, {}).get("late", 0) for m in months],
    }, stacked=True)
