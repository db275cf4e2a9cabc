"""`{% matrix_cells row %}`: a row of the training matrix in one call (a page holds thousands of cells,
so they are not rendered by one template include each)."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

NOT_REQUIRED = '<td class="text-center"><span class="text-muted small" title="Not required">·</span></td>'


def _cell(cell) -> str:
    if cell is None:
        return NOT_REQUIRED
    title = cell.label + (f", expires {cell.expires_on:%Y-%m-%d}" if cell.expires_on else "")
    return format_html('<td class="text-center"><span class="badge text-bg-{} matrix-cell status-{}" title="{}">{}'
                       '<span class="visually-hidden"> {}</span></span></td>',
                       cell.colour, cell.status, title, cell.short, cell.label)


@register.simple_tag
def matrix_cells(row) -> str:
    return format_html_join("", "{}", ((_cell(c),) for c in row.cells))
