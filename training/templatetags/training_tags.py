"""`{% matrix_cells row %}`: a row of the training matrix in one call. A page holds
thousands of cells, so they are not rendered by one template include (or one
format_html) each: a cell's HTML depends only on its state and expiry date, none
of it user text, and is built once per distinct (state, date)."""

from functools import lru_cache

from django import template
from django.utils.safestring import mark_safe

from training import matrix

register = template.Library()

NOT_REQUIRED = '<td class="text-center"><span class="text-muted small" title="Not required">·</span></td>'


@lru_cache(maxsize=4096)
def _cell_html(status: str, expires: str) -> str:
    label = matrix.LABELS[status]
    title = label + (f", expires {expires}" if expires else "")
    return (f'<td class="text-center"><span class="badge text-bg-{matrix.COLOURS[status]} matrix-cell status-{status}" '
            f'title="{title}">{matrix.SHORT[status]}<span class="visually-hidden"> {label}</span></span></td>')


@register.simple_tag
def matrix_cells(row) -> str:
    return mark_safe("".join(  # noqa: S308 - constants and ISO dates only, no user text
        NOT_REQUIRED if c is None else _cell_html(c.status, c.expires_on.isoformat() if c.expires_on else "")
        for c in row.cells))
