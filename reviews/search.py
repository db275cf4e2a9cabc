"""Customer feedback and management reviews in the one search box (qms.search),
through the same selectors as their pages (rules and the auditor's scope)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy

from qms import search
from qms.rules import allowed
from reviews import selectors


@search.provider("complaints", gettext_lazy("Customer feedback"), order=60)
def find_complaints(user, q, since, until, limit) -> search.Found:
    if not allowed("reviews.view_complaints", user):
        return search.Found()
    qs = selectors.complaints_for(user).filter(
        Q(number__icontains=q) | Q(customer__icontains=q) | Q(reference__icontains=q) | Q(description__icontains=q)
        | Q(resolution__icontains=q))
    qs = search.in_range(qs, "received_on", since, until)
    total, capped = search.counted(qs)
    rows = qs.only("number", "customer", "description", "status", "received_on").order_by("-received_on", "-id")[:limit]
    return search.Found(total, [
        search.Hit(title=f"{c.number} {c.customer}", url=c.get_absolute_url(), snippet=search.highlight(c.description, q),
                   when=c.received_on, meta=c.get_status_display())
        for c in rows
    ], capped)


@search.provider("management_reviews", gettext_lazy("Management reviews"), order=61)
def find_reviews(user, q, since, until, limit) -> search.Found:
    if not allowed("reviews.view_reviews", user):
        return search.Found()
    qs = selectors.reviews_for(user).filter(
        Q(number__icontains=q) | Q(title__icontains=q) | Q(conclusions__icontains=q) | Q(decisions__text__icontains=q)
        | Q(decisions__action_description__icontains=q)).distinct()
    qs = search.in_range(qs, "meeting_date", since, until)
    total, capped = search.counted(qs)
    rows = qs.select_related(None).only("number", "title", "conclusions", "status", "meeting_date").order_by("-meeting_date", "-id")[:limit]
    return search.Found(total, [
        search.Hit(title=f"{r.number} {r.title}", url=r.get_absolute_url(),
                   snippet=search.highlight(r.conclusions, q), when=r.meeting_date, meta=r.get_status_display())
        for r in rows
    ], capped)
