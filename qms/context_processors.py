from django.conf import settings
from django.utils import timezone

from qms.notifications import unread_count


def qms(request):
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "COMPANY_NAME": settings.COMPANY_NAME,
        "unread_notifications": unread_count(user) if authenticated else 0,
        # The zone the page's times are shown in: the user's own (qms/i18n.py) or the site's.
        "CURRENT_TIME_ZONE": timezone.get_current_timezone_name(),
    }
