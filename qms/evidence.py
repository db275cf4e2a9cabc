"""What an app contributes to the ISO 9001 readiness map beyond documents,
record types and audits (which the map counts itself).

An app whose objects cover a clause registers a provider in AppConfig.ready():

    @evidence.provider
    def planning_evidence(today) -> list[evidence.Evidence]:
        return [evidence.Evidence("6.1", "Risk register", count=15, current=True)]

`current=False` makes the clause "stale" with `reason` ("Risk register not
reviewed since 2025-03-01"); evidence on a sub-clause also counts for its parents,
as documents do. Providers run a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Evidence:
    clause: str  # clause number, e.g. "6.1" or "9.1.2"
    label: str  # what covers it, e.g. "Risk register"
    count: int
    current: bool
    reason: str = ""  # why it is not current
    url: str = ""


_PROVIDERS: list[Callable[[date], list[Evidence]]] = []


def provider(func: Callable[[date], list[Evidence]]):
    if func not in _PROVIDERS:
        _PROVIDERS.append(func)
    return func


def collect(today: date) -> list[Evidence]:
    """Every provider's evidence that exists: an entry counting nothing is left
    out, so a clause nothing covers stays a gap ("Nothing linked"), never "stale"."""
    out: list[Evidence] = []
    for func in _PROVIDERS:
        out.extend(e for e in func(today) if e.count)
    return out
