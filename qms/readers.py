"""Who else must read a controlled document: a hook documents/ asks, other apps answer.

The distribution of a document (its users and groups) says who must read and
acknowledge each significant revision. An app that knows more readers (the
training app: everyone whose job role needs the document) registers, from its
AppConfig.ready():

    @readers.provider
    def role_readers(document) -> QuerySet:  # of user primary keys (`.values("pk")`-like)
        ...

documents.selectors.distribution_users() adds them, so they get the same
read-and-understood task (never a second one) when a revision becomes effective.
Each provider returns a lazy queryset of user ids: the distribution stays one query.
"""

from __future__ import annotations

from collections.abc import Callable

_PROVIDERS: list[Callable] = []


def provider(func: Callable) -> Callable:
    if func not in _PROVIDERS:
        _PROVIDERS.append(func)
    return func


def extra_reader_ids(document) -> list:
    """Each provider's queryset of user ids that must read `document`."""
    return [func(document) for func in _PROVIDERS]
