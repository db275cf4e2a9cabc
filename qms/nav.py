"""Menu entries that apps add to the main navigation (the core knows no app).

An app calls, from its ``AppConfig.ready()``::

    nav.entry("Management system", "Risks and opportunities", "planning:risks",
              rule="planning.view_risks", prefix="/planning/risks/", order=20)

Menu names and labels are marked for translation where they are given (gettext_noop
or gettext_lazy; the menu names are the keys, so they stay English) and translated
when shown (``Entry.display``, ``Menu.display``). The base template shows one dropdown per menu, in the order of ``MENUS`` (then
any other menu by name), with the entries the user's rule allows, ordered by
``order``. An entry whose rule refuses the user is not shown; the page itself
still checks the rule on the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from qms import rules

MENUS = (gettext_noop("Management system"), gettext_noop("Resources"))


@dataclass(frozen=True)
class Entry:
    menu: str
    label: str
    url_name: str
    rule: str | None = None
    prefix: str = ""
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    @property
    def display(self) -> str:
        """The label in the reader's language."""
        return gettext(str(self.label))


@dataclass(frozen=True)
class Menu:
    title: str
    entries: tuple[Entry, ...]

    @property
    def display(self) -> str:
        """The menu's name in the reader's language."""
        return gettext(str(self.title))

    def active(self, path: str) -> bool:
        return any(e.prefix and path.startswith(e.prefix) for e in self.entries)


_ENTRIES: dict[tuple[str, str], Entry] = {}


def entry(menu: str, label: str, url_name: str, *, rule: str | None = None, prefix: str = "", order: int = 100) -> Entry:
    """Add (or replace, on a repeated ready()) an entry of ``menu``."""
    e = Entry(menu=menu, label=label, url_name=url_name, rule=rule, prefix=prefix, order=order)
    _ENTRIES[(menu, url_name)] = e
    return e


def menus_for(user) -> list[Menu]:
    if not (user and user.is_authenticated):
        return []
    by_menu: dict[str, list[Entry]] = {}
    for e in sorted(_ENTRIES.values(), key=lambda e: (e.order, e.label)):
        if e.rule is None or rules.allowed(e.rule, user):
            by_menu.setdefault(e.menu, []).append(e)
    order = {name: i for i, name in enumerate(MENUS)}
    return [Menu(title, tuple(items)) for title, items in
            sorted(by_menu.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))]
