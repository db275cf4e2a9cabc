"""Equipment sections of the home dashboard and the daily digest (qms.dashboard):
calibrations overdue and due within 30 days, for the quality manager (all) and
each instrument's owner (theirs). One query per section (a sample carrying its total)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from equipment import selectors
from qms import dashboard
from qms.permissions import can_write
from qms.rules import allowed

SAMPLE = 5


def _section(user, *, overdue: bool) -> dashboard.Section:
    rows, total = dashboard.sample(selectors.calibrations_due(user, overdue=overdue), SAMPLE)
    items = [dashboard.Item(label=f"{i.code} · {i.description}", url=reverse("equipment:calibrate", args=[i.code]),
                            meta=_("calibration due %(date)s") % {"date": f"{i.next_due:%Y-%m-%d}"}, overdue=overdue) for i in rows]
    key, title = (("equipment.overdue", _("Calibrations overdue")) if overdue
                  else ("equipment.due_soon", _("Calibrations due within 30 days")))
    return dashboard.Section(key=key, title=title, items=items, total=total,
                             empty=_("None overdue.") if overdue else _("None due in the next 30 days."),
                             more_url=reverse("equipment:index") + ("?due=overdue" if overdue else "?due=soon"))


@dashboard.provider(order=61)
def sections(user) -> list[dashboard.Section]:
    if not allowed("equipment.view_equipment", user) or not can_write(user):
        return []
    out = [_section(user, overdue=True), _section(user, overdue=False)]
    # Owners without instruments (most staff) see nothing rather than two empty sections.
    return [s for s in out if s.total or allowed("equipment.manage_equipment", user)]
