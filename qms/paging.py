"""A paginator for registers that can hold millions of rows (issue 21: a register's
time stays flat from 100,000 to 1,000,000 records): it counts at most `cap` rows,
so a page costs the same however many match; past the cap the page says "more
than" and the pages stop there (a reader narrows the filters; the export lists all)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

REGISTER_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = REGISTER_COUNT_CAP if cap is None else cap

    @cached_property
    def _counted(self) -> int:
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap
