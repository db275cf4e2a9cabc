"""Supplier sections of the home dashboard and the daily digest (qms.dashboard):
re-evaluations due within 30 days or overdue, for those who evaluate. One query."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qms import dashboard
from qms.rules import allowed
from suppliers import selectors

SAMPLE = 5


@dashboard.provider(order=60)
def sections(user) -> list[dashboard.Section]:
    if not allowed("suppliers.evaluate", user):
        return []
    due, total = dashboard.sample(selectors.evaluations_due(user), SAMPLE)
    today = timezone.localdate()
    items = [dashboard.Item(label=f"{s.code} · {s.name}", url=reverse("suppliers:evaluate", args=[s.code]),
                            meta=_("re-evaluation due %(date)s") % {"date": f"{s.next_evaluation_due:%Y-%m-%d}"},
                            overdue=s.next_evaluation_due < today) for s in due]
    return [dashboard.Section(key="suppliers.evaluations_due", title=_("Supplier re-evaluations due"), items=items,
                              total=total, empty=_("No supplier re-evaluation due in the next 30 days."),
                              more_url=reverse("suppliers:index") + "?due=on")]
