"""Who sees which part of the system: a hook the core defines and a feature registers.

Domain apps say how each of their models links to the management system's
clauses and processes (`links(...)`, from their AppConfig.ready()); their
selectors and views narrow every queryset with `narrow(qs, user)` and check one
object with `contains(user, obj)`. Until a provider is registered nobody is
narrowed. The certification-auditor app registers the provider that cuts an
external auditor's view down to their grant, so the domain apps never import it
and the core never names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Links:
    """Lookup paths from a model to clauses and to processes (None: no such link)."""

    clauses: str | None = None
    process: str | None = None


class ScopeProvider(Protocol):
    def limited(self, user) -> bool:
        """True when `user` sees only part of the system."""

    def narrow(self, qs: QuerySet, user, links: Links | None) -> QuerySet:
        """`qs` cut down to `user`'s part (`links` None: the model links to nothing)."""

    def access_open(self, user) -> bool:
        """False when the user's access is outside its window (a feed token stops too)."""


_LINKS: dict[str, Links] = {}
_PROVIDERS: list[ScopeProvider] = []


def links(model: type[Model], *, clauses: str | None = None, process: str | None = None) -> None:
    """Declare how `model` links to clauses and processes (called by the model's app)."""
    _LINKS[model._meta.label] = Links(clauses=clauses, process=process)


def links_of(model: type[Model]) -> Links | None:
    return _LINKS.get(model._meta.label)


def register(provider: ScopeProvider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def limited(user) -> bool:
    return any(p.limited(user) for p in _PROVIDERS)


def narrow(qs: QuerySet, user) -> QuerySet:
    """Every list, search, export and feed passes its queryset through here."""
    for p in _PROVIDERS:
        if p.limited(user):
            qs = p.narrow(qs, user, links_of(qs.model))
    return qs


def contains(user, obj: Model) -> bool:
    """One object: inside the user's part of the system (the same rule as `narrow`)."""
    if not limited(user):
        return True
    model = type(obj)
    return narrow(model._default_manager.filter(pk=obj.pk), user).exists()


def access_open(user) -> bool:
    return all(p.access_open(user) for p in _PROVIDERS)
