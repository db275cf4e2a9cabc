"""Charts drawn on the server as SVG (pygal), the same picture on a page and in a PDF.

Every chart keeps the numbers it was drawn from, so the template shows a table
fallback beside the picture (screen readers, copy and paste, and tests compare
the two). Pages embed the SVG as an ``<img>`` with a ``data:`` URI: the CSP
allows it, and an image SVG cannot run script. WeasyPrint renders the same
``<img>`` in controlled PDFs.

Why pygal: it is from Kozea, the makers of WeasyPrint, is pure Python, draws a
chart in ~5 ms and writes plain SVG; matplotlib weighs 40 MB and takes 10x
longer; a browser library (Chart.js) would not draw in the PDFs.

    chart = charts.line("Complaints per month", labels, {"Complaints": [3, 4, 1]},
                        target=2, unit="")
    {% include "qms/_chart.html" with chart=chart %}
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

import pygal
from pygal.style import Style

Number = float | int | None

_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    font_family="DejaVu Sans, Liberation Sans, Arial, Noto Sans SC, sans-serif",
    colors=("#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997", "#6c757d"),
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=11,
    title_font_size=13,
    value_font_size=10,
)


@dataclass
class Chart:
    """A drawn chart and the table it was drawn from."""

    title: str
    svg: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    unit: str = ""

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")

    @property
    def empty(self) -> bool:
        return not self.rows


def _config(title: str, width: int, height: int, **extra):
    return dict(
        title=title, width=width, height=height, explicit_size=True, style=_STYLE, js=[],
        disable_xml_declaration=True, print_values=False, show_y_guides=True,
        legend_at_bottom=True, truncate_legend=-1, no_data_text="No data yet", **extra,
    )


def _table(labels: Sequence[str], series: dict[str, Sequence[Number]], extra: dict[str, Sequence[Number]]):
    names = list(series) + list(extra)
    rows = []
    for i, label in enumerate(labels):
        row = [label]
        for name in names:
            values = series.get(name, extra.get(name))
            row.append(values[i] if i < len(values) else None)
        rows.append(row)
    return ["", *names], rows


def line(title: str, labels: Sequence[str], series: dict[str, Sequence[Number]], *,
         target: Number = None, thresholds: dict[str, Number] | None = None, unit: str = "",
         width: int = 640, height: int = 280) -> Chart:
    """One or more series over time, with an optional target and alert lines (dashed)."""
    extra: dict[str, list] = {}
    if target is not None:
        extra["Target"] = [target] * len(labels)
    for name, value in (thresholds or {}).items():
        if value is not None:
            extra[name] = [value] * len(labels)
    columns, rows = _table(labels, series, extra)
    svg = (_draw_line(str(title), _frozen_labels(labels), _frozen_series(series), _frozen_series(extra), width, height)
           if labels else _empty(str(title), width, height))
    return Chart(title, svg, columns, rows if any(v is not None for r in rows for v in r[1:]) else [], unit)


# Drawing is a pure function of the title, the labels and the numbers, and costs
# pygal ~5-15 ms a chart: the same picture is drawn once per process and reused
# while its numbers stay the same (after a write, only the charts whose numbers
# changed are drawn again). The numbers themselves are always queried afresh.
_DRAWN = 256


def _frozen_labels(labels: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(label) for label in labels)


def _frozen_series(series: dict[str, Sequence[Number]]) -> tuple[tuple[str, tuple], ...]:
    return tuple((str(name), tuple(values)) for name, values in series.items())


@lru_cache(maxsize=_DRAWN)
def _draw_line(title: str, labels: tuple, series: tuple, extra: tuple, width: int, height: int) -> str:
    chart = pygal.Line(**_config(title, width, height, x_label_rotation=30 if len(labels) > 8 else 0,
                                 allow_interruptions=True))
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    for name, values in extra:
        chart.add(name, list(values), show_dots=False, stroke_style={"width": 2, "dasharray": "6, 4"})
    return chart.render(is_unicode=True)


def bars(title: str, labels: Sequence[str], series: dict[str, Sequence[Number]], *, stacked: bool = False,
         horizontal: bool = False, unit: str = "", width: int = 640, height: int = 280) -> Chart:
    """Counts per category; stacked for parts of a whole (covered / stale / gap)."""
    columns, rows = _table(labels, series, {})
    svg = (_draw_bars(str(title), _frozen_labels(labels), _frozen_series(series), stacked, horizontal, width, height)
           if labels else _empty(str(title), width, height))
    return Chart(title, svg, columns, rows, unit)


@lru_cache(maxsize=_DRAWN)
def _draw_bars(title: str, labels: tuple, series: tuple, stacked: bool, horizontal: bool, width: int,
               height: int) -> str:
    kind = {(False, False): pygal.Bar, (True, False): pygal.StackedBar,
            (False, True): pygal.HorizontalBar, (True, True): pygal.HorizontalStackedBar}[(stacked, horizontal)]
    chart = kind(**_config(title, width, height, x_label_rotation=30 if len(labels) > 8 and not horizontal else 0))
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return chart.render(is_unicode=True)


@lru_cache(maxsize=_DRAWN)
def _empty(title: str, width: int, height: int) -> str:
    chart = pygal.Line(**_config(title, width, height))
    return chart.render(is_unicode=True)


def months_back(n: int, today) -> list:
    """The first days of the last ``n`` months, oldest first, ending with this month."""
    first = today.replace(day=1)
    out = []
    for _ in range(n):
        out.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return out[::-1]


def weeks_back(n: int, today) -> list:
    """The Mondays of the last ``n`` weeks, oldest first, ending with this week."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=i) for i in range(n - 1, -1, -1)]
