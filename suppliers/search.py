"""Suppliers in the one search box (qms.search): code, name, what they supply, scope of approval."""

from django.db.models import Q
from django.utils.translation import gettext_noop

from qms import search
from suppliers import selectors


@search.provider("suppliers", gettext_noop("Suppliers"), order=60)
def find(user, q, since, until, limit) -> search.Found:
    qs = selectors.suppliers_for_user(user).filter(
        Q(code__icontains=q) | Q(name__icontains=q) | Q(supplies__icontains=q) | Q(scope_of_approval__icontains=q))
    qs = search.in_range(qs, "created_at", since, until)
    total, capped = search.counted(qs)
    rows = qs.only("code", "name", "supplies", "scope_of_approval", "status", "created_at").order_by("name", "id")[:limit]
    return search.Found(total, [
        search.Hit(title=f"{s.code} {s.name}", url=s.get_absolute_url(),
                   snippet=search.highlight(f"{s.supplies}. {s.scope_of_approval}", q), when=s.created_at.date(),
                   meta=s.get_status_display())
        for s in rows
    ], capped)
