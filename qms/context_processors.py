from django.conf import settings

from qms.notifications import unread_count


def qms(request):
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "COMPANY_NAME": settings.COMPANY_NAME,
        "unread_notifications": unread_count(user) if authenticated else 0,
    }
