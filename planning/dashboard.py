"""Planning sections of the home dashboard and the daily digest (qms.dashboard):
my treatment actions, risks to re-assess, KPI measurements missing and
context entries due for review. Each section costs one query (a sample
carrying its total, qms.dashboard.sample), whatever the number of rows."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from planning import selectors
from planning.models import ContextIssue, InterestedParty, Risk, RiskAction
from qms import dashboard
from qms.i18n import in_sentence
from qms.permissions import can_write, is_quality_manager

SAMPLE = 5
SOON_DAYS = 14


def _section(qs, *, key, title, item, empty, more_url=""):
    rows, total = dashboard.sample(qs, SAMPLE)
    return dashboard.Section(key=key, title=title, items=[item(r) for r in rows], total=total, empty=empty,
                             more_url=more_url)


@dashboard.provider(order=40)
def sections(user) -> list[dashboard.Section]:
    if not can_write(user) or not getattr(user, "pk", None):
        return []
    today = timezone.localdate()
    soon = today + timedelta(days=SOON_DAYS)
    qm = is_quality_manager(user)
    out = []
    actions = (RiskAction.objects.filter(owner=user, status=RiskAction.Status.OPEN, due_date__lte=soon)
               .select_related("risk").only("description", "due_date", "risk__kind", "risk__id", "risk__title")
               .order_by("due_date", "id"))
    out.append(_section(
        actions, key="planning.risk_actions", title=_("My risk treatment actions due"), empty=_("No treatment actions due."),
        item=lambda a: dashboard.Item(label=f"{a.risk.number}: {a.description[:80]}", url=a.get_absolute_url(),
                                      meta=_("due %(date)s") % {"date": f"{a.due_date:%Y-%m-%d}"}, overdue=a.due_date < today),
        more_url=reverse("planning:risks") + "?overdue=actions"))
    risks = Risk.objects.open().filter(reassess_on__lte=soon).only("kind", "title", "reassess_on").order_by(
        "reassess_on", "id")
    if not qm:
        risks = risks.filter(owner=user)
    out.append(_section(
        risks, key="planning.reassessments", title=_("Risks to re-assess"), empty=_("No re-assessments due."),
        item=lambda r: dashboard.Item(label=str(r), url=r.get_absolute_url(), meta=_("re-assess by %(date)s") % {"date": f"{r.reassess_on:%Y-%m-%d}"},
                                      overdue=r.reassess_on < today),
        more_url=reverse("planning:risks") + "?overdue=reassessment"))
    missing = selectors.kpis_missing(user, owner=None if qm else user, today=today).only(
        "name", "frequency", "objective__id", "objective__statement", "owner__id")
    out.append(_section(
        missing, key="planning.measurements_missing", title=_("KPI measurements missing"), empty=_("No measurement missing."),
        item=lambda k: dashboard.Item(label=f"{k.number} {k.name}", url=k.get_absolute_url(),
                                      meta=_("%(frequency)s, last period ended") % {"frequency": in_sentence(k.get_frequency_display())}, overdue=True),
        more_url=reverse("planning:objectives")))
    if qm:
        for model, key, title in ((ContextIssue, "planning.issue_reviews", _("Context issues to review")),
                                  (InterestedParty, "planning.party_reviews", _("Interested parties to review"))):
            qs = model.objects.filter(status="active", next_review_on__lte=soon).order_by("next_review_on", "id")
            out.append(_section(
                qs, key=key, title=title, empty=_("None due."),
                item=lambda e: dashboard.Item(label=str(e), url=e.get_absolute_url(),
                                              meta=_("review by %(date)s") % {"date": f"{e.next_review_on:%Y-%m-%d}"},
                                              overdue=e.next_review_on < today),
                more_url=reverse("planning:context")))
    return out
