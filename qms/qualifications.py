"""Who may do this? A hook a service asks before an action that needs a qualified person.

A service that performs an act a competence may be required for (submitting a
record of a type) calls

    qualifications.require(actor, "records.submit", obj=record_type)

An app that knows people's competences (training/) registers a checker from
its AppConfig.ready():

    @qualifications.checker
    def competence_check(user, action, obj) -> str | None:
        return "You are not qualified: ..."  # or None when nothing stands in the way

The first refusal raises `NotQualified` (a DomainError: HTTP 403 with the
message, e.g. the missing or expired competence by name). With no checker
registered every action is allowed, so the asking app works alone.
"""

from __future__ import annotations

from collections.abc import Callable

from qms.errors import DomainError


class NotQualified(DomainError):
    status_code = 403


_CHECKERS: list[Callable] = []


def checker(func: Callable) -> Callable:
    if func not in _CHECKERS:
        _CHECKERS.append(func)
    return func


def refusal(user, action: str, obj=None) -> str | None:
    """Why `user` may not do `action` on `obj` for want of a qualification, or None."""
    for func in _CHECKERS:
        message = func(user, action, obj)
        if message:
            return message
    return None


def require(user, action: str, obj=None) -> None:
    message = refusal(user, action, obj)
    if message:
        raise NotQualified(message)
