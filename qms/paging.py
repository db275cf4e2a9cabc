"""A paginator for registers that can hold millions of rows (issue 21: a register's
time stays flat from 100,000 to 1,000,000 records): it counts at most `cap` rows,
so a page costs the same however many match; past the cap the page says "more
than" and the pages stop there (a reader narrows the filters; the export lists all)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

REGISTER_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """`along_order` (a search): the capped count keeps the page's order, so it
    walks the page's index and reads the rows the page reads, from shared
    buffers. Without a search the bare count is cheaper (an index-only scan); for
    a common word it would be a sequential scan, which PostgreSQL runs through a
    small ring buffer once a table is past a quarter of shared_buffers, rereading
    every row it counts on each request."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, along_order: bool = False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = REGISTER_COUNT_CAP if cap is None else cap
        self.along_order = along_order

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list if self.along_order else self.object_list.order_by()
        return rows.values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap
