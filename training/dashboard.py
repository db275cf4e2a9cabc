"""Training sections of my tasks and the daily digest (qms.dashboard): my
qualifications expiring within 30 days (or expired), training records waiting
for my signature, and for the quality manager the people whose qualifications
expire soon. Each section is a fixed number of queries."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qms import dashboard
from qms.rules import allowed
from training import matrix, selectors
from training.models import Competence, Person, TrainingRecord

SAMPLE = 5


def _expiry_items(rows, comps, people=None):
    today = timezone.localdate()
    items = []
    for pid, cid, cell in rows[:SAMPLE]:
        who = f"{people[pid].name} · " if people else ""
        meta = (_("expired %(date)s") if cell.expires_on < today else _("expires %(date)s")) % {
            "date": f"{cell.expires_on:%Y-%m-%d}"}
        items.append(dashboard.Item(label=f"{who}{comps[cid].code} {comps[cid].name}",
                                    url=reverse("training:expiring") if people else reverse("training:mine"),
                                    meta=meta, overdue=cell.expires_on < today))
    return items


@dashboard.provider(order=60)
def sections(user) -> list[dashboard.Section]:
    out = []
    person = selectors.person_for_user(user)
    if person is not None:
        rows = selectors.expiring(person_ids=(person.pk,))
        comps = {c.pk: c for c in Competence.objects.filter(pk__in=[c for _, c, _ in rows[:SAMPLE]])}
        out.append(dashboard.Section(key="training.my_expiring", title=_("My qualifications expiring"),
                                     items=_expiry_items(rows, comps), total=len(rows),
                                     empty=_("None within 30 days."), more_url=reverse("training:mine")))
    waiting = (TrainingRecord.objects.filter(status=TrainingRecord.Status.DRAFT)
               .filter(trainer=user, trainer_signature__isnull=True)
               .select_related("person", "competence").order_by("trained_on", "id"))
    mine = (TrainingRecord.objects.filter(status=TrainingRecord.Status.DRAFT, person__user=user,
                                          trainee_signature__isnull=True)
            .select_related("person", "competence").order_by("trained_on", "id"))
    waiting, waiting_total = dashboard.sample(waiting, SAMPLE)
    mine, mine_total = dashboard.sample(mine, SAMPLE)
    items = [dashboard.Item(label=f"{r.number} · {r.person} · {r.competence.code}", url=r.get_absolute_url(),
                            meta=_("trained %(date)s") % {"date": f"{r.trained_on:%Y-%m-%d}"}) for r in waiting + mine]
    total = waiting_total + mine_total
    if total:
        out.append(dashboard.Section(key="training.to_sign", title=_("Training records to sign"), items=items[:SAMPLE],
                                     total=total, more_url=reverse("training:records")))
    if allowed("training.view_matrix", user) and allowed("training.manage", user):
        rows = selectors.expiring()
        shown = rows[:SAMPLE]
        comps = {c.pk: c for c in Competence.objects.filter(pk__in=[c for _, c, _ in shown])}
        people = {p.pk: p for p in Person.objects.filter(pk__in=[p for p, _, _ in shown]).only("name")}
        out.append(dashboard.Section(key="training.expiring", title=_("Qualifications expiring (all people)"),
                                     items=_expiry_items(shown, comps, people), total=len(rows),
                                     empty=_("None within 30 days."), more_url=reverse("training:expiring")))
    return out


__all__ = ["sections", "matrix"]
