"""`{% matrix_cells row %}`: a row of the training matrix in one call. A page holds
thousands of cells, so they are not rendered by one template include (or one
format_html) each: a cell's HTML depends only on its state, expiry date and the
page's language, none of it user text, and is built once per distinct (state, date, language)."""

from functools import lru_cache

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from training import matrix

register = template.Library()


@lru_cache(maxsize=16)
def _not_required(language: str) -> str:
    return f'<td class="text-center"><span class="text-muted small" title="{escape(gettext("Not required"))}">·</span></td>'


@lru_cache(maxsize=4096)
def _cell_html(status: str, expires: str, language: str) -> str:
    label = str(matrix.LABELS[status])
    title = gettext("%(label)s, expires %(expires)s") % {"label": label, "expires": expires} if expires else label
    return (f'<td class="text-center"><span class="badge text-bg-{matrix.COLOURS[status]} matrix-cell status-{status}" '
            f'title="{escape(title)}">{matrix.SHORT[status]}<span class="visually-hidden"> {escape(label)}</span></span></td>')


@register.simple_tag
def matrix_cells(row) -> str:
    language = get_language() or ""
    not_required = _not_required(language)
    return mark_safe("".join(  # noqa: S308 - constants, ISO dates and our own escaped catalogue text, no user text
        not_required if c is None else _cell_html(c.status, c.expires_on.isoformat() if c.expires_on else "", language)
        for c in row.cells))
