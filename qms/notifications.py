"""In-app notifications (the e-mail digest is built from the same facts)."""

from django.contrib.auth import get_user_model

from qms.models import Notification
from qms.safeurls import same_site_path_or_empty


def notify(user, *, title: str, body: str = "", url: str = "") -> Notification:
    return Notification.objects.create(user=user, title=title[:200], body=body, url=same_site_path_or_empty(url[:300]))


def notify_role(role: str, *, title: str, body: str = "", url: str = "") -> int:
    users = get_user_model().objects.filter(is_active=True, groups__name=role).distinct()
    url = same_site_path_or_empty(url[:300])  # notifications link only within this site
    rows = [Notification(user=u, title=title[:200], body=body, url=url) for u in users]
    Notification.objects.bulk_create(rows)
    return len(rows)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
