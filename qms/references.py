"""Kinds of object a record's form can name (a supplier, a measuring
instrument, ...), registered by the app that owns them; the records form
builder offers a "Reference" field for each kind, without knowing the app.

    references.register(references.Kind(
        key="instrument", label="Measuring instrument",
        choices=lambda: Instrument.objects.exclude(status="retired").order_by("code"),
        identifier="code",
        refuse=lambda inst: "EQ-0007 is overdue for calibration (due 2026-03-01)." if ... else None,
    ))

A record stores the chosen object's identifier (the `identifier` field, e.g.
"EQ-0007"), so it reads the same after the object changes and never needs a
foreign key into another app. `refuse(obj)` says why the object cannot be
chosen on a new record now (None: it can); a value a record already holds is
kept on correction. `describe(obj)` is the text the select shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    choices: Callable[[], QuerySet]
    identifier: str = "pk"
    refuse: Callable[[Model], str | None] | None = None
    describe: Callable[[Model], str] = str

    def refusal(self, obj) -> str | None:
        return self.refuse(obj) if self.refuse is not None else None


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> Kind | None:
    return _KINDS.get(key)


def kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: k.label)


def choices() -> list[tuple[str, str]]:
    return [(k.key, k.label) for k in kinds()]
