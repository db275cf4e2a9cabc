"""Measures the QMS computes from its own data, for computed KPIs (ISO 9001 9.1.1).

The core knows no app: each app registers what it can measure in its
AppConfig.ready(), and the objectives app offers them as KPI data sources.

    measures.register(
        "documents.reviews_on_time", "Periodic reviews done on time", unit="%",
        better="higher", compute=reviews_on_time,   # compute(start: date, end: date) -> Decimal | None
    )

`compute` answers for one closed period [start, end] (both dates inclusive) and
returns None when the period has nothing to measure (no reviews were due), so a
KPI never shows 0 % for "nothing happened". It must run a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Measure:
    code: str
    title: str
    unit: str
    better: str  # "higher" or "lower"
    compute: Callable[[date, date], Decimal | None]
    description: str = ""

    def value(self, start: date, end: date) -> Decimal | None:
        return self.compute(start, end)


_MEASURES: dict[str, Measure] = {}


def register(code: str, title: str, *, unit: str, better: str, compute: Callable,
             description: str = "") -> Measure:
    if better not in ("higher", "lower"):
        raise ValueError(f"better must be 'higher' or 'lower', not {better!r}")
    measure = Measure(code, title, unit, better, compute, description)
    _MEASURES[code] = measure
    return measure


def get(code: str) -> Measure | None:
    return _MEASURES.get(code)


def all_measures() -> list[Measure]:
    return sorted(_MEASURES.values(), key=lambda m: m.title)


def choices() -> list[tuple[str, str]]:
    return [(m.code, m.title) for m in all_measures()]


def percent(part: int, whole: int) -> Decimal | None:
    """part/whole as a percentage with one decimal; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))
