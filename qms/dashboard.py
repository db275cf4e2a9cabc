"""The home dashboard's "my tasks" sections, filled by each app.

An app registers a provider in its AppConfig.ready():

    @dashboard.provider(order=10)
    def my_sections(user) -> list[dashboard.Section]: ...

The daily e-mail digest reads the same sections (those with `digest=True`),
so what the dashboard shows and what the digest says never disagree.
Each provider must run a fixed number of queries, whatever the row count.

With a shared cache (CACHE_URL, Redis), the home page keeps a user's sections
for DASHBOARD_CACHE_SECONDS. The key holds a generation that every committed
write to the database moves on (qms.apps connects the signals) and today's
date, so a cached dashboard is never older than the data it shows: it is
reused only while nothing anywhere has changed. The digest always computes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy


@dataclass
class Item:
    label: str
    url: str = ""
    meta: str = ""
    overdue: bool = False


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    empty: str = gettext_lazy("Nothing here.")
    more_url: str = ""
    total: int | None = None  # when items are a sample of a longer list
    digest: bool = True
    capped: bool = False  # more than `total` (sample() counts up to COUNT_CAP)

    def __post_init__(self):
        if self.total is not None and self.total > COUNT_CAP:
            self.total, self.capped = COUNT_CAP, True

    @property
    def total_shown(self) -> str:
        """The total as a card and the digest write it: "1000+" past the cap."""
        return f"{self.total}+" if self.capped else str(self.total or 0)


_PROVIDERS: list[tuple[int, Callable]] = []


def provider(order: int = 50):
    def register(func):
        _PROVIDERS.append((order, func))
        _PROVIDERS.sort(key=lambda p: p[0])
        return func

    return register


# A card counts its queue up to this many rows and then says "1000+": an exact
# total of a long backlog (13,000 records waiting for verification) read every
# row of it on each home page, 109 ms at 200,000 records and growing with them.
COUNT_CAP = 1000


def sample(qs, n: int) -> tuple[list, int]:
    """The first ``n`` rows of ``qs`` and how many rows it has, up to COUNT_CAP + 1, in one query.

    The total rides along as a window, ``COUNT(*) OVER (ORDER BY <the query's
    order> ROWS BETWEEN CURRENT ROW AND COUNT_CAP FOLLOWING)``: for the first row
    that is the number of rows up to COUNT_CAP + 1, and PostgreSQL reads only as
    far ahead as the frame needs, so the LIMIT stops the scan after about
    COUNT_CAP rows however long the queue is. A Section given a total over
    COUNT_CAP shows "COUNT_CAP+"."""
    rows = list(qs.annotate(dashboard_total=_TotalOver())[:n])
    return rows, (rows[0].dashboard_total if rows else 0)


class _TotalOver(RawSQL):
    """The capped total of ``sample``, written out rather than a Window
    expression (Django resolves and compiles a Window anew for every query, about
    0.3 ms each, a tenth of the home page's server time); its ORDER BY is the
    query's own, read from the compiler. A query without an order, or ordered by
    one of its own annotations, counts every row (``COUNT(*) OVER ()``). A
    window is never grouped by (``contains_over_clause``)."""

    contains_over_clause = True

    def __init__(self):
        super().__init__("COUNT(*) OVER ()", (), output_field=IntegerField())

    def as_sql(self, compiler, connection):
        order = compiler.get_order_by()
        if not order or any(is_ref for _, (_, _, is_ref) in order):
            return "COUNT(*) OVER ()", ()
        sql = ", ".join(part for _, (part, _, _) in order)
        params = tuple(p for _, (_, ps, _) in order for p in ps)
        return f"COUNT(*) OVER (ORDER BY {sql} ROWS BETWEEN CURRENT ROW AND {int(COUNT_CAP)} FOLLOWING)", params

    def get_group_by_cols(self):
        return []


# One home page computes its sections and its charts inside `one_page()`; an app
# whose section and charts count the same rows asks for them once with
# `shared(key, compute)` (open CAPAs: the ageing card and two charts). Outside a
# page (the digest, a chart's export) `shared` simply computes.
_SHARED: ContextVar[dict | None] = ContextVar("dashboard_shared", default=None)


@contextmanager
def one_page() -> Iterator[None]:
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def shared(key: str, compute: Callable):
    memo = _SHARED.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def sections_for(user, *, cached: bool = False) -> list[Section]:
    return _maybe_cached("sections", user, _compute) if cached else _compute(user)


def _maybe_cached(what: str, user, compute: Callable):
    seconds = getattr(settings, "DASHBOARD_CACHE_SECONDS", 0)
    if not (seconds and getattr(user, "pk", None)):
        return compute(user)
    # The language too: section titles and item labels are in the reader's language.
    key = f"dashboard:{what}:{user.pk}:{generation()}:{timezone.localdate():%Y%m%d}:{translation.get_language()}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    out = compute(user)
    cache.set(key, out, seconds)
    return out


def _compute(user) -> list[Section]:
    out: list[Section] = []
    for _, func in _PROVIDERS:
        out.extend(func(user))
    return out


_GENERATION_KEY = "dashboard:generation"


def generation() -> int:
    return cache.get_or_set(_GENERATION_KEY, 1, timeout=None)


def _bump() -> None:
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value differs from a cached key's
        cache.set(_GENERATION_KEY, 2, timeout=None)


def data_changed(sender=None, **kwargs) -> None:
    """A signal receiver: after the write commits, every cached dashboard is out of date."""
    if getattr(settings, "DASHBOARD_CACHE_SECONDS", 0) and sender is not None and sender._meta.app_label != "sessions":
        transaction.on_commit(_bump)


# ------------------------------------------------------------------ landing pages
# An app may give some users a home page of their own instead of the task
# cards (the external auditor's landing page): a function of the request that
# returns a response, or None for "not this user". The first answer wins.
_LANDINGS: list[tuple[int, Callable]] = []


def landing(order: int = 50):
    def register(func):
        _LANDINGS.append((order, func))
        _LANDINGS.sort(key=lambda p: p[0])
        return func

    return register


def landing_for(request):
    for _, func in _LANDINGS:
        response = func(request)
        if response is not None:
            return response
    return None


# ------------------------------------------------------------------ charts
# Apps draw the quality manager's "at a glance" charts (issue 18.1):
#
#     @dashboard.chart("documents.by_status", rule="qms.view_aggregates", order=10, link="/documents/")
#     def documents_by_status(user) -> charts.Chart: ...
#
# One function gives the numbers for the picture, its table fallback and its
# CSV/XLSX export (/charts/<key>/export/), so the three never disagree. Each
# runs a fixed number of (aggregate) queries.
@dataclass(frozen=True)
class ChartSpec:
    key: str
    rule: str
    order: int
    link: str
    draw: Callable


@dataclass
class Drawn:
    spec: ChartSpec
    chart: object  # qms.charts.Chart


_CHARTS: dict[str, ChartSpec] = {}


def chart(key: str, *, rule: str, order: int = 50, link: str = ""):
    def register(func):
        _CHARTS[key] = ChartSpec(key, rule, order, link, func)
        return func

    return register


def chart_spec(key: str) -> ChartSpec | None:
    return _CHARTS.get(key)


def chart_specs_for(user) -> list[ChartSpec]:
    """The charts ``user`` may see, in order, without drawing them (the home page
    asks this; the charts themselves load after it, see qms.views.dashboard_charts)."""
    from qms.rules import allowed

    return [spec for spec in sorted(_CHARTS.values(), key=lambda c: (c.order, c.key)) if allowed(spec.rule, user)]


def charts_for(user, *, cached: bool = False) -> list[Drawn]:
    def compute(u):
        return [Drawn(spec, spec.draw(u)) for spec in chart_specs_for(u)]

    return _maybe_cached("charts", user, compute) if cached else compute(user)
