"""Context entries, risks and objectives in the one search box (qms.search),
through the same visibility selectors as their pages (rules and the auditor's scope)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from planning import selectors
from planning.models import parse_risk_number
from qms import search


def _found(qs, q, *, date_field, text, title, meta, limit):
    total, capped = search.counted(qs)
    return search.Found(total, [
        search.Hit(title=title(o), url=o.get_absolute_url(), snippet=search.highlight(text(o), q),
                   when=getattr(o, date_field).date(), meta=meta(o))
        for o in qs[:limit]
    ], capped)


@search.provider("risks", gettext_lazy("Risks and opportunities"), order=60)
def find_risks(user, q, since, until, limit) -> search.Found:
    pk = parse_risk_number(q)
    match = Q(pk=pk) if pk else Q(title__icontains=q) | Q(cause__icontains=q) | Q(effect__icontains=q)
    qs = search.in_range(selectors.risks_for_user(user).filter(match), "created_at", since, until)
    qs = qs.only("kind", "title", "cause", "effect", "score", "status", "created_at").order_by("-score", "id")
    return _found(qs, q, date_field="created_at", text=lambda r: f"{r.cause} {r.effect}", title=str,
                  meta=lambda r: gettext("score %(score)s · %(status)s") % {"score": r.score, "status": r.get_status_display()}, limit=limit)


@search.provider("context", gettext_lazy("Context issues and interested parties"), order=61)
def find_context(user, q, since, until, limit) -> search.Found:
    issues = search.in_range(selectors.issues_for_user(user).filter(
        Q(title__icontains=q) | Q(description__icontains=q) | Q(effect__icontains=q)), "created_at", since, until)
    parties = search.in_range(selectors.parties_for_user(user).filter(
        Q(name__icontains=q) | Q(requirements__icontains=q) | Q(monitoring__icontains=q)), "created_at", since, until)
    (issues_total, more_issues), (parties_total, more_parties) = search.counted(issues), search.counted(parties)
    total, capped = issues_total + parties_total, more_issues or more_parties
    hits = [search.Hit(title=str(i), url=i.get_absolute_url(), snippet=search.highlight(i.description, q),
                       when=i.created_at.date(), meta=i.get_origin_display()) for i in issues.order_by("id")[:limit]]
    hits += [search.Hit(title=str(p), url=p.get_absolute_url(), snippet=search.highlight(p.requirements, q),
                        when=p.created_at.date(), meta=p.get_kind_display())
             for p in parties.order_by("id")[: max(0, limit - len(hits))]]
    return search.Found(total, hits, capped)


@search.provider("objectives", gettext_lazy("Quality objectives"), order=62)
def find_objectives(user, q, since, until, limit) -> search.Found:
    qs = search.in_range(selectors.objectives_for_user(user).filter(
        Q(statement__icontains=q) | Q(plan_what__icontains=q) | Q(kpis__name__icontains=q)).distinct(),
        "created_at", since, until).order_by("id")
    return _found(qs, q, date_field="created_at", text=lambda o: o.plan_what, title=str,
                  meta=lambda o: o.get_status_display(), limit=limit)
