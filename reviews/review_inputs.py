"""This app's parts of the management review input pack (ISO 9001 9.3.2):
the status of actions from previous reviews (a), customer satisfaction and
feedback (c 1), and the values of every measure the QMS computes (c 5).
Each runs a fixed number of queries for the period, whatever its size."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from qms import charts, dates, measures
from qms.review_inputs import Contribution, Period, Table, contributes
from reviews.models import Complaint, Decision, SatisfactionSurvey

ACTION_ROWS = 200  # rows shown in the pack; the facts count them all


def _months(period: Period) -> list[date]:
    out, d = [], period.start.replace(day=1)
    while d <= period.end:
        out.append(d)
        d = (d.replace(day=28) + timezone.timedelta(days=4)).replace(day=1)
    return out


@contributes("previous_actions")
def previous_actions(period: Period) -> Contribution | None:
    """Actions decided at reviews held up to the end of the period: where each stands."""
    actions = Decision.objects.filter(review__meeting_date__lte=period.end).exclude(action_status="")
    counts = actions.aggregate(
        total=Count("id"), open=Count("id", filter=Q(action_status="open")),
        overdue=Count("id", filter=Q(action_status="open", action_due_date__lt=timezone.localdate())),
        done_in_period=Count("id", filter=Q(action_status="done", completed_at__date__gte=period.start,
                                             completed_at__date__lte=period.end)),
        done_late=Count("id", filter=Q(action_status="done", completed_at__date__gt=F("action_due_date"))),
    )
    if not counts["total"]:
        return Contribution("Actions from previous management reviews", note="No previous review decided an action.")
    shown = (actions.filter(Q(action_status="open") | Q(**dates.within_days("completed_at", period.start)))
             .select_related("review", "action_owner").order_by("action_due_date", "id")[:ACTION_ROWS])
    today = timezone.localdate()
    rows = [[d.review.number, d.seq, d.get_kind_display(), d.action_description, d.action_owner.display_name,
             d.action_due_date, ("done " + d.completed_at.strftime("%Y-%m-%d")) if d.action_status == "done"
             else ("overdue" if d.action_due_date < today else "open")] for d in shown]
    return Contribution(
        "Actions from previous management reviews",
        facts=[("Actions decided", counts["total"]), ("Still open", counts["open"]),
               ("Overdue", counts["overdue"]), ("Completed in the period", counts["done_in_period"]),
               ("Completed after their due date", counts["done_late"])],
        tables=[Table(["Review", "#", "Kind", "Action", "Owner", "Due", "Status"], rows,
                      caption="Open actions and those completed in the period")],
    )


@contributes("customer_satisfaction")
def customer_feedback(period: Period) -> Contribution | None:
    """Feedback received in the period (by kind, category, severity, how fast it was answered) and survey results."""
    received = Complaint.objects.filter(received_on__gte=period.start, received_on__lte=period.end)
    by = list(received.values("kind", "category", "severity", "status").annotate(n=Count("id")))
    per_month = dict(received.filter(kind=Complaint.Kind.COMPLAINT).annotate(m=TruncMonth("received_on"))
                     .values_list("m").annotate(n=Count("id")).values_list("m", "n"))
    answered = received.filter(responded_on__isnull=False).values_list("received_on", "responded_on")
    days = sorted((r - g).days for g, r in answered)
    surveys = list(SatisfactionSurvey.objects.filter(period_end__gte=period.start, period_end__lte=period.end)
                   .order_by("period_end", "id"))
    kinds, cats, sev = Counter(), Counter(), Counter()
    open_n = 0
    for row in by:
        kinds[row["kind"]] += row["n"]
        if row["kind"] == Complaint.Kind.COMPLAINT:
            cats[row["category"]] += row["n"]
            sev[row["severity"]] += row["n"]
        if row["status"] != Complaint.Status.CLOSED:
            open_n += row["n"]
    kind_labels, cat_labels, sev_labels = (dict(Complaint.Kind.choices), dict(Complaint.Category.choices),
                                           dict(Complaint.Severity.choices))
    facts = [(f"{kind_labels[k]}s received", kinds.get(k, 0)) for k in Complaint.Kind.values]
    facts += [("Not yet closed", open_n),
              ("Median days to respond", days[len(days) // 2] if days else "–")]
    months = _months(period)
    out = Contribution("Customer feedback and satisfaction", facts=facts)
    if kinds:
        out.charts.append(charts.bars("Complaints received per month", [m.strftime("%Y-%m") for m in months],
                                      {"Complaints": [per_month.get(m, 0) for m in months]}))
        out.tables.append(Table(["Category", "Complaints"], [[cat_labels[c], n] for c, n in cats.most_common()],
                                caption="Complaints by category"))
        out.tables.append(Table(["Severity", "Complaints"],
                                [[sev_labels[s], sev.get(s, 0)] for s in Complaint.Severity.values],
                                caption="Complaints by severity"))
    if surveys:
        out.tables.append(Table(["Survey", "Period", "Score", "Respondents", "Comments"],
                                [[s.title, f"{s.period_start:%Y-%m-%d} – {s.period_end:%Y-%m-%d}",
                                  f"{s.percent} %", s.respondents, s.comments[:300]] for s in surveys],
                                caption="Customer satisfaction surveys"))
        out.charts.append(charts.line("Customer satisfaction (%)", [f"{s.period_end:%Y-%m}" for s in surveys],
                                      {"Satisfaction": [float(s.percent) for s in surveys]}, unit="%"))
    else:
        out.note = "No satisfaction survey ended in this period."
    return out


@contributes("monitoring")
def computed_measures(period: Period) -> Contribution | None:
    """Every measure the QMS computes (qms.measures), for the period covered."""
    found = measures.all_measures()
    if not found:
        return None
    rows = []
    for m in found:
        value = m.value(period.start, period.end)
        rows.append([m.title, "–" if value is None else value, m.unit, "higher" if m.better == "higher" else "lower"])
    return Contribution("Measures computed by the QMS", tables=[Table(["Measure", "Value", "Unit", "Better when"],
                                                                     rows, caption="For the period covered")])


# ------------------------------------------------------------------ the measures this app offers (qms.measures)
def satisfaction_percent(start: date, end: date):
    """Respondent-weighted satisfaction (%) of the surveys whose period ended in [start, end]."""
    rows = SatisfactionSurvey.objects.filter(period_end__gte=start, period_end__lte=end).values_list(
        "score", "scale_max", "respondents")
    total = sum(r for _s, _m, r in rows)
    if not total:
        return None
    from decimal import Decimal

    weighted = sum(Decimal(s) * 100 / Decimal(m) * r for s, m, r in rows)
    return (weighted / total).quantize(Decimal("0.1"))


def complaints_received(start: date, end: date):
    from decimal import Decimal

    return Decimal(Complaint.objects.filter(kind=Complaint.Kind.COMPLAINT, received_on__gte=start,
                                            received_on__lte=end).count())


def complaints_answered_on_time(start: date, end: date):
    from reviews.models import RESPONSE_DUE_DAYS

    qs = Complaint.objects.filter(kind=Complaint.Kind.COMPLAINT, received_on__gte=start, received_on__lte=end)
    agg = qs.aggregate(whole=Count("id"), part=Count("id", filter=Q(
        responded_on__isnull=False, responded_on__lte=F("received_on") + timezone.timedelta(days=RESPONSE_DUE_DAYS))))
    return measures.percent(agg["part"], agg["whole"])


def register_measures() -> None:
    measures.register("reviews.customer_satisfaction", "Customer satisfaction (survey score)", unit="%",
                      better="higher", compute=satisfaction_percent,
                      description="Respondent-weighted score of the satisfaction surveys ending in the period.")
    measures.register("reviews.complaints_received", "Customer complaints received", unit="", better="lower",
                      compute=complaints_received)
    measures.register("reviews.complaints_answered_on_time", "Complaints answered on time", unit="%",
                      better="higher", compute=complaints_answered_on_time,
                      description="Complaints received in the period answered within 10 days.")


