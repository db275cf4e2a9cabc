"""The home dashboard's "my tasks" sections, filled by each app.

An app registers a provider in its AppConfig.ready():

    @dashboard.provider(order=10)
    def my_sections(user) -> list[dashboard.Section]: ...

The daily e-mail digest reads the same sections (those with `digest=True`),
so what the dashboard shows and what the digest says never disagree.
Each provider must run a fixed number of queries, whatever the row count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Item:
    label: str
    url: str = ""
    meta: str = ""
    overdue: bool = False


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    empty: str = "Nothing here."
    more_url: str = ""
    total: int | None = None  # when items are a sample of a longer list
    digest: bool = True


_PROVIDERS: list[tuple[int, Callable]] = []


def provider(order: int = 50):
    def register(func):
        _PROVIDERS.append((order, func))
        _PROVIDERS.sort(key=lambda p: p[0])
        return func

    return register


def sections_for(user) -> list[Section]:
    out: list[Section] = []
    for _, func in _PROVIDERS:
        out.extend(func(user))
    return out
