"""In-app notifications (the e-mail digest is built from the same facts).

A title or body may be a stored text (qms.stored_text.text(gettext_noop(...), ...)):
it is kept in English and as msgid + params, and shown in the reader's language;
a plain string (a CAPA's title, a customer's name) is shown as it is."""

from django.contrib.auth import get_user_model

from qms import stored_text
from qms.models import Notification
from qms.safeurls import same_site_path_or_empty


def _texts(title, body) -> dict:
    return {**stored_text.fields("title", title, limit=200), **stored_text.fields("body", body)}


def notify(user, *, title: str, body: str = "", url: str = "") -> Notification:
    return Notification.objects.create(user=user, url=same_site_path_or_empty(url[:300]), **_texts(title, body))


def notify_role(role: str, *, title: str, body: str = "", url: str = "") -> int:
    users = get_user_model().objects.filter(is_active=True, groups__name=role).distinct()
    url = same_site_path_or_empty(url[:300])  # notifications link only within this site
    texts = _texts(title, body)
    rows = [Notification(user=u, url=url, **texts) for u in users]
    Notification.objects.bulk_create(rows)
    return len(rows)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
