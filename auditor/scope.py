"""What an external auditor may see: the clauses and processes of their grant.

`scope_for(user)` is None for everyone but a scoped external auditor (no
restriction). Apps narrow their querysets with `restrict(...)`; one object is
checked with qms.permissions.in_auditor_scope (-> `object_in_scope`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from qms.models import Clause
from qms.permissions import is_external_auditor


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


# What links an object to clauses and processes, by model (app_label.ModelName).
# Each returns (clause ids, process ids).
def _document_links(doc):
    return set(doc.clauses.values_list("pk", flat=True)), {doc.process_id} - {None}


_LINKS = {
    "documents.Document": _document_links,
    "documents.Revision": lambda rev: _document_links(rev.document),
    "records.RecordType": lambda t: (set(t.clauses.values_list("pk", flat=True)), set()),
    "records.Record": lambda r: (set(r.record_type.clauses.values_list("pk", flat=True)), set()),
    "audits.Audit": lambda a: (
        set(a.criteria_clauses.values_list("pk", flat=True)), set(a.processes.values_list("pk", flat=True))
    ),
    "audits.Finding": lambda f: ({f.clause_id} - {None}, {f.process_id} - {None}),
    "audits.Capa": lambda c: ({c.clause_id} - {None}, {c.process_id} - {None}),
}


def object_in_scope(user, obj) -> bool:
    """True unless `user` is a scoped external auditor and `obj` lies outside the grant.
    Objects of a kind with no clause or process link are outside a limited scope."""
    scope = scope_for(user)
    if scope is None:
        return True
    links = _LINKS.get(obj._meta.label)
    if links is None:
        return False
    clause_ids, process_ids = links(obj)
    return bool(clause_ids & scope.clause_ids) or bool(process_ids & scope.process_ids)
