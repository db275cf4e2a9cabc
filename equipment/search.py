"""Measuring instruments in the one search box (qms.search): id, description, location, range."""

from django.db.models import Q
from django.utils.translation import gettext, gettext_noop

from equipment import selectors
from qms import search


@search.provider("instruments", gettext_noop("Measuring equipment"), order=61)
def find(user, q, since, until, limit) -> search.Found:
    qs = selectors.instruments_for_user(user).filter(
        Q(code__icontains=q) | Q(description__icontains=q) | Q(location__icontains=q)
        | Q(measurement_range__icontains=q))
    qs = search.in_range(qs, "created_at", since, until)
    total, capped = search.counted(qs)
    rows = qs.only("code", "description", "location", "measurement_range", "status", "next_due",
                   "created_at").order_by("code")[:limit]
    return search.Found(total, [
        search.Hit(title=f"{i.code} {i.description}", url=i.get_absolute_url(),
                   snippet=search.highlight(f"{i.description}. {i.location}. {i.measurement_range}", q),
                   when=i.created_at.date(),
                   meta=(gettext("%(status)s · next due %(date)s") % {"status": i.get_status_display(), "date": f"{i.next_due:%Y-%m-%d}"}
                         if i.next_due else i.get_status_display()))
        for i in rows
    ], capped)
