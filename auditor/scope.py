"""What an external auditor may see: the clauses and processes of their grant.

`scope_for(user)` is None for everyone but a scoped external auditor (no
restriction). `GrantScope` is registered with the core hook `qms.scope`, which
the domain apps call; this app's own pages use `restrict(...)` directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from auditor.backends import external_access_open
from qms.models import Clause
from qms.permissions import is_external_auditor
from qms.scope import Links


@dataclass(frozen=True)
class Scope:
    clause_ids: frozenset[int] = field(default_factory=frozenset)
    process_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not self.clause_ids and not self.process_ids


NOTHING = Scope()


def _with_descendants(clause_numbers: list[str]) -> frozenset[int]:
    """A grant for clause 8.5 covers 8.5.1 … 8.5.6 too."""
    if not clause_numbers:
        return frozenset()
    q = Q()
    for number in clause_numbers:
        q |= Q(number=number) | Q(number__startswith=number + ".")
    return frozenset(Clause.objects.filter(q).values_list("pk", flat=True))


def scope_for(user) -> Scope | None:
    if not is_external_auditor(user):
        return None
    cached = getattr(user, "_auditor_scope", False)
    if cached is not False:
        return cached
    access = getattr(user, "auditor_access", None)
    if access is None:
        scope = NOTHING
    elif access.all_scope:
        scope = None
    else:
        scope = Scope(
            clause_ids=_with_descendants(list(access.clauses.values_list("number", flat=True))),
            process_ids=frozenset(access.processes.values_list("pk", flat=True)),
        )
    user._auditor_scope = scope
    return scope


def restrict(qs: QuerySet, user, *, clauses: str | None = "clauses", process: str | None = "process") -> QuerySet:
    """Keep only rows linked to a clause or a process in the user's scope.

    `clauses` and `process` are the lookup paths from the queryset's model
    (e.g. "record_type__clauses"); pass None where the model has no such link.
    """
    scope = scope_for(user)
    if scope is None:
        return qs
    q = Q(pk__in=[])
    if clauses and scope.clause_ids:
        q |= Q(**{f"{clauses}__in": scope.clause_ids})
    if process and scope.process_ids:
        q |= Q(**{f"{process}__in": scope.process_ids})
    return qs.filter(pk__in=qs.model._default_manager.filter(q).values("pk"))


def clause_allowed(user, clause: Clause) -> bool:
    scope = scope_for(user)
    return scope is None or clause.pk in scope.clause_ids


class GrantScope:
    """The provider registered with `qms.scope`: an external auditor sees what
    their grant's clauses and processes cover, and nothing outside its window."""

    def limited(self, user) -> bool:
        return scope_for(user) is not None

    def narrow(self, qs: QuerySet, user, links: Links | None) -> QuerySet:
        if links is None:  # a kind of object with no clause or process link is outside a limited scope
            return qs.none()
        return restrict(qs, user, clauses=links.clauses, process=links.process)

    def access_open(self, user) -> bool:
        return not is_external_auditor(user) or external_access_open(user)


PROVIDER = GrantScope()
