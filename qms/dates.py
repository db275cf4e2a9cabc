"""The window of dates a user may enter anywhere (programmes, audits, CAPA
dates, filters). Outside it a date is a typing slip or a probe ("0001-01-01",
"9999-12-31"), and far years break numbering (IA-9999-001) and month grids."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from qms.errors import DomainError

EARLIEST = date(1990, 1, 1)  # before any record this system could hold
YEARS_AHEAD = 10  # plans reach a few years ahead, never decades
MAX_PROGRAMME_YEARS = 5  # ISO 19011 programmes are planned for a cycle (typically 3 years)


def latest() -> date:
    today = timezone.localdate()
    return today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28))


def window_text() -> str:
    return f"between {EARLIEST:%Y-%m-%d} and {latest():%Y-%m-%d}"


def window_hint() -> str:
    """The sentence a date field's help text carries."""
    return f"A date from {EARLIEST:%Y-%m-%d} to {latest():%Y-%m-%d}."


def in_window(value) -> bool:
    if value is None:
        return True
    d = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= d <= latest()


def check_in_window(value, label: str = "The date") -> None:
    """DomainError unless `value` (a date or datetime) lies in the sane window."""
    if not in_window(value):
        raise DomainError(f"{label} must be {window_text()}.")
