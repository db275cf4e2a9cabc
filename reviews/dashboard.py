"""My tasks and the daily digest: feedback I own that waits for an answer,
review actions I own, and minutes waiting for my signature as chair.
One query per section (a sample carrying its total), whatever the row count."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qms import dashboard
from qms.i18n import in_sentence
from qms.permissions import can_write
from reviews.models import Complaint, Decision, ManagementReview

SAMPLE = 5


@dashboard.provider(order=60)
def sections(user) -> list[dashboard.Section]:
    if not can_write(user):
        return []
    today = timezone.localdate()
    out = []
    waiting = (Complaint.objects.filter(owner=user).exclude(status__in=[Complaint.Status.CLOSED])
               .only("number", "customer", "received_on", "status").order_by("received_on", "id"))
    waiting, total = dashboard.sample(waiting, SAMPLE)
    items = [dashboard.Item(label=f"{c.number} · {c.customer}", url=c.get_absolute_url(),
                            meta=_("received %(date)s · %(status)s") % {"date": f"{c.received_on:%Y-%m-%d}",
                                                                "status": in_sentence(c.get_status_display())},
                            overdue=c.status != Complaint.Status.RESPONDED and c.response_due < today)
             for c in waiting]
    out.append(dashboard.Section(key="reviews.my_complaints", title=_("Customer feedback to handle"), items=items,
                                 total=total, empty=_("No open feedback of yours."),
                                 more_url=reverse("reviews:complaints") + f"?owner={user.pk}&status=not_closed"))
    actions = (Decision.objects.filter(action_owner=user, action_status=Decision.ActionStatus.OPEN)
               .select_related("review").only("seq", "action_description", "action_due_date", "review__number")
               .order_by("action_due_date", "id"))
    actions, total = dashboard.sample(actions, SAMPLE)
    items = [dashboard.Item(label=f"{d.review.number} · {d.action_description[:80]}", url=d.get_absolute_url(),
                            meta=_("due %(date)s") % {"date": f"{d.action_due_date:%Y-%m-%d}"}, overdue=d.action_due_date < today)
             for d in actions]
    out.append(dashboard.Section(key="reviews.my_actions", title=_("Management review actions"), items=items,
                                 total=total, empty=_("No open review actions."),
                                 more_url=reverse("reviews:actions")))
    to_sign = (ManagementReview.objects.filter(chair=user, status=ManagementReview.Status.PLANNED,
                                               meeting_date__lte=today)
               .only("number", "title", "meeting_date").order_by("meeting_date", "id"))
    to_sign, total = dashboard.sample(to_sign, SAMPLE)
    items = [dashboard.Item(label=f"{r.number} · {r.title}", url=r.get_absolute_url(),
                            meta=_("met %(date)s") % {"date": f"{r.meeting_date:%Y-%m-%d}"}, overdue=(today - r.meeting_date).days > 30)
             for r in to_sign]
    if items:
        out.append(dashboard.Section(key="reviews.minutes_to_sign", title=_("Review minutes to sign"), items=items,
                                     total=total, empty=_("No minutes waiting for you.")))
    return out
