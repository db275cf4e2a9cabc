"""Registers an app keeps (context, risks, objectives, complaints, suppliers, ...),
declared once so the core can export them, and the auditor can read them as
they stood on a date and put them in evidence packs, without knowing the app.

    registers.declare(registers.Register(
        key="planning.risks", title="Risk and opportunity register", clause="6.1",
        rule="planning.view_risks",
        columns=["Number", "Title", "Kind", "Score", "Rating", "Owner", "Status"],
        rows=risk_rows,  # rows(user, on: date | None) -> iterable of row sequences
    ))

`rows(user, None)` is the register now; `rows(user, on)` is the register as it
stood at the end of day `on` (UTC), read from the model's history (simple-history
`as_of`). Either way the user's scope applies (qms.scope.narrow), and the number
of queries is fixed, whatever the row count. `rule` decides who may read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Register:
    key: str
    title: str
    clause: str
    rule: str
    columns: Sequence[str]
    rows: Callable[[object, date | None], Iterable[Sequence]]
    url_name: str = ""  # the register's own page, if it has one

    @property
    def slug(self) -> str:
        return self.key.replace(".", "-")


_REGISTERS: dict[str, Register] = {}


def declare(register: Register) -> Register:
    _REGISTERS[register.key] = register
    return register


def all_registers() -> list[Register]:
    return sorted(_REGISTERS.values(), key=lambda r: (r.clause, r.title))


def get(key: str) -> Register | None:
    return _REGISTERS.get(key) or next((r for r in _REGISTERS.values() if r.slug == key), None)


def readable(user) -> list[Register]:
    from qms.rules import allowed

    return [r for r in all_registers() if allowed(r.rule, user)]
