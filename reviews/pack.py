"""The management review's input pack as stored JSON: compiled once from
qms.review_inputs (one section per ISO 9001 9.3.2 input) and kept with the
review, so the page, the PDF and the signed minutes show what was presented."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from qms.charts import Chart


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _chart(c) -> dict:
    return {"title": c.title, "svg": c.svg, "columns": [str(x) for x in c.columns],
            "rows": [[_plain(v) for v in row] for row in c.rows], "unit": c.unit}


def serialise(sections) -> list[dict]:
    out = []
    for s in sections:
        out.append({
            "key": s.input.key, "ref": s.input.ref, "title": s.input.title,
            "contributions": [{
                "heading": c.heading,
                "facts": [[str(label), _plain(value)] for label, value in c.facts],
                "tables": [{"columns": [str(x) for x in t.columns], "rows": [[_plain(v) for v in r] for r in t.rows],
                            "caption": t.caption} for t in c.tables],
                "charts": [_chart(ch) for ch in c.charts],
                "note": c.note,
            } for c in s.contributions],
        })
    return out


@dataclass
class PackSection:
    key: str
    ref: str
    title: str
    contributions: list[dict] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.contributions


def sections(pack: list[dict]) -> list[PackSection]:
    """The stored pack, ready for a template: charts as qms.charts.Chart (data URI and table)."""
    out = []
    for s in pack or []:
        contributions = []
        for c in s.get("contributions", []):
            c = dict(c)
            c["charts"] = [Chart(ch["title"], ch["svg"], ch["columns"], ch["rows"], ch.get("unit", ""))
                           for ch in c.get("charts", [])]
            contributions.append(c)
        out.append(PackSection(s["key"], s["ref"], s["title"], contributions))
    return out
