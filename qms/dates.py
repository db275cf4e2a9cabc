"""The window of dates a user may enter anywhere (programmes, audits, CAPA
dates, filters). Outside it a date is a typing slip or a probe ("0001-01-01",
"9999-12-31"), and far years break numbering (IA-9999-001) and month grids."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext

from qms.errors import DomainError

EARLIEST = date(1990, 1, 1)  # before any record this system could hold
# Editions of external documents are older: ISO 2768-1:1989 is still the current edition.
HISTORIC_EARLIEST = date(1900, 1, 1)
YEARS_AHEAD = 10  # plans reach a few years ahead, never decades
MAX_PROGRAMME_YEARS = 5  # ISO 19011 programmes are planned for a cycle (typically 3 years)


def latest() -> date:
    today = timezone.localdate()
    return today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28))


def window_text(earliest: date = EARLIEST) -> str:
    return f"between {earliest:%Y-%m-%d} and {latest():%Y-%m-%d}"


def window_error(earliest: date = EARLIEST) -> str:
    """A form's message for a date outside the window, in the user's language."""
    return gettext("The date must be between %(earliest)s and %(latest)s.") % {
        "earliest": f"{earliest:%Y-%m-%d}", "latest": f"{latest():%Y-%m-%d}"}


def window_hint(earliest: date = EARLIEST) -> str:
    """The sentence a date field's help text carries."""
    return gettext("A date from %(earliest)s to %(latest)s.") % {
        "earliest": f"{earliest:%Y-%m-%d}", "latest": f"{latest():%Y-%m-%d}"}


def in_window(value, earliest: date = EARLIEST) -> bool:
    if value is None:
        return True
    d = value.date() if isinstance(value, datetime) else value
    return earliest <= d <= latest()


def check_in_window(value, label: str | None = None, *, earliest: date = EARLIEST) -> None:
    """DomainError unless `value` (a date or datetime) lies in the sane window.
    `label` (e.g. "The evaluation date") is best marked for translation by the caller."""
    if not in_window(value, earliest):
        raise DomainError(gettext("%(label)s must be between %(earliest)s and %(latest)s.") % {
            "label": label or gettext("The date"), "earliest": f"{earliest:%Y-%m-%d}", "latest": f"{latest():%Y-%m-%d}"})


# ------------------------------------------------------------------ days of a time column, as index ranges
def start_of(day: date) -> datetime:
    """The first instant of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def within_days(field: str, since: date | None = None, until: date | None = None) -> dict:
    """Lookups for the rows whose time column ``field`` falls on the days ``since`` to
    ``until``, both included, in the current time zone (as ``field__date__gte`` and
    ``field__date__lte`` would select), written as a range of instants
    (``field__gte``, ``field__lt``) so PostgreSQL reads the column's index instead of
    casting every row to a date. ``Model.objects.filter(**within_days(...))``."""
    out = {}
    if since:
        out[f"{field}__gte"] = start_of(since)
    if until:
        try:
            out[f"{field}__lt"] = start_of(until + timedelta(days=1))
        except OverflowError:  # the last representable day: no upper bound
            pass
    return out
