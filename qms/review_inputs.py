"""The inputs of a management review (ISO 9001 9.3.2), each filled by the app
that holds the data. The core names the inputs; apps contribute to them.

    @review_inputs.contributes("nonconformities")
    def capa_input(period) -> review_inputs.Contribution: ...

`period` is a `Period(start, end)` of dates (inclusive). A contribution has a
heading, facts (label, value) pairs, optional tables and charts
(qms.charts.Chart) and a note; an input nobody contributes to shows
"No data yet" in the pack, so a missing source is visible, never silent.
A contribution runs a fixed number of queries for the period, whatever its size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Input:
    key: str
    ref: str  # the clause item, e.g. "9.3.2 c) 1)"
    title: str


INPUTS: tuple[Input, ...] = (
    Input("previous_actions", "9.3.2 a)", "Status of actions from previous management reviews"),
    Input("context_changes", "9.3.2 b)", "Changes in external and internal issues relevant to the QMS"),
    Input("customer_satisfaction", "9.3.2 c) 1)", "Customer satisfaction and feedback from interested parties"),
    Input("objectives", "9.3.2 c) 2)", "The extent to which quality objectives have been met"),
    Input("process_performance", "9.3.2 c) 3)", "Process performance and conformity of products and services"),
    Input("nonconformities", "9.3.2 c) 4)", "Nonconformities and corrective actions"),
    Input("monitoring", "9.3.2 c) 5)", "Monitoring and measurement results"),
    Input("audit_results", "9.3.2 c) 6)", "Audit results"),
    Input("external_providers", "9.3.2 c) 7)", "The performance of external providers"),
    Input("resources", "9.3.2 d)", "The adequacy of resources"),
    Input("risk_actions", "9.3.2 e)", "The effectiveness of actions taken to address risks and opportunities"),
    Input("improvement", "9.3.2 f)", "Opportunities for improvement"),
)
KEYS = frozenset(i.key for i in INPUTS)


@dataclass(frozen=True)
class Period:
    start: date
    end: date


@dataclass
class Table:
    columns: list[str]
    rows: list[list]
    caption: str = ""


@dataclass
class Contribution:
    heading: str
    facts: list[tuple[str, object]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list = field(default_factory=list)  # qms.charts.Chart
    note: str = ""


_CONTRIBUTORS: dict[str, list[Callable[[Period], Contribution | None]]] = {k: [] for k in KEYS}


def contributes(key: str):
    if key not in KEYS:
        raise KeyError(f"{key!r} is not a management review input; one of {sorted(KEYS)}")

    def register(func):
        if func not in _CONTRIBUTORS[key]:
            _CONTRIBUTORS[key].append(func)
        return func

    return register


@dataclass
class Section:
    input: Input
    contributions: list[Contribution]

    @property
    def empty(self) -> bool:
        return not self.contributions


def compile_inputs(period: Period) -> list[Section]:
    """Every 9.3.2 input in order, with what each app contributes for the period."""
    sections = []
    for item in INPUTS:
        found = [c for c in (func(period) for func in _CONTRIBUTORS[item.key]) if c is not None]
        sections.append(Section(item, found))
    return sections
