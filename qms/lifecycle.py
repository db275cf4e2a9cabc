"""Lifecycles: each model's states, allowed moves and badge colours, declared
once beside the model; one helper moves any object between states.

    REVISION = lifecycle.declare(Revision, moves={...}, colours={...})

    lifecycle.transition(revision, Revision.Status.APPROVED, actor=user,
                         verb="revision.approved", reason="Route complete")

`transition` checks the move (IllegalTransition with a sentence the user can
act on), optionally the rule (qms.rules), sets the state, saves with history
attribution and reason, and writes the AuditEvent in the same transaction.
Services are the only callers; nothing else sets a status field. Labels come
from the model's TextChoices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext

from qms.audit import attribute, record_event
from qms.errors import IllegalTransition
from qms.rules import predicate, require


@dataclass(frozen=True)
class Lifecycle:
    model: type[models.Model]
    moves: dict[str, frozenset[str]]
    colours: dict[str, str] = field(default_factory=dict)
    field_name: str = "status"

    def state(self, obj) -> str:
        return getattr(obj, self.field_name)

    def label(self, state: str) -> str:
        return str(dict(self.model._meta.get_field(self.field_name).choices).get(state, state))

    def can_move(self, obj, to: str) -> bool:
        return to in self.moves.get(self.state(obj), ())

    def check(self, obj, to: str) -> None:
        """Refuse a move the lifecycle does not allow, saying from what to what."""
        if not self.can_move(obj, to):
            raise IllegalTransition(
                gettext("%(object)s is %(state)s; it cannot become %(to)s.")
                % {"object": obj, "state": self.label(self.state(obj)).lower(), "to": self.label(to).lower()}
            )

    def is_final(self, obj) -> bool:
        return not self.moves.get(self.state(obj))


_LIFECYCLES: dict[str, Lifecycle] = {}


def declare(model: type[models.Model], *, moves: dict, colours: dict | None = None,
            field_name: str = "status") -> Lifecycle:
    """Declare `model`'s lifecycle. Every state of the field's choices must appear in `moves`."""
    states = {value for value, _ in model._meta.get_field(field_name).choices}
    missing = states - set(moves)
    if missing:
        raise ValueError(f"{model._meta.label}: states without moves declared: {sorted(missing)}")
    for frm, targets in moves.items():
        unknown = set(targets) - states
        if unknown or frm not in states:
            raise ValueError(f"{model._meta.label}: unknown states in moves from {frm}: {sorted(unknown)}")
    lc = Lifecycle(model=model, moves={str(k): frozenset(map(str, v)) for k, v in moves.items()},
                   colours={str(k): v for k, v in (colours or {}).items()}, field_name=field_name)
    _LIFECYCLES[model._meta.label] = lc
    return lc


def of(obj_or_model) -> Lifecycle:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return _LIFECYCLES[model._meta.label]


def declared() -> dict[str, Lifecycle]:
    return dict(_LIFECYCLES)


def colour(state: str, model: type[models.Model] | None = None) -> str:
    """The badge colour of a state: the model's own when given, else the first
    lifecycle that names the state (states mean the same thing across apps)."""
    if model is not None and model._meta.label in _LIFECYCLES:
        return _LIFECYCLES[model._meta.label].colours.get(state, "secondary")
    for lc in _LIFECYCLES.values():
        if state in lc.colours:
            return lc.colours[state]
    return "secondary"


def guard(obj, to: str, *, actor, rule: str) -> None:
    """A service's first check before it works towards a move: the lifecycle
    allows it (IllegalTransition otherwise), then the rule (PermissionRefused)."""
    of(obj).check(obj, to)
    require(rule, actor, obj)


def transition(obj, to: str, *, actor, verb: str, rule: str | None = None, reason: str = "",
               comment: str = "", data: dict | None = None):
    """Move `obj` to state `to`: check the move and the rule, save with history
    (`reason` or the verb) and write the AuditEvent (from → to, comment). Other
    fields the caller set on `obj` are saved with it. Call it inside the service's
    transaction (services are atomic), so the move and its event commit together.
    Returns `obj`."""
    lc = of(obj)
    lc.check(obj, to)
    if rule is not None:
        require(rule, actor, obj)
    frm = lc.state(obj)
    setattr(obj, lc.field_name, to)
    attribute(obj, actor, reason or verb)
    obj.save()
    record_event(actor=actor, verb=verb, obj=obj, from_state=frm, to_state=to, comment=comment, data=data)
    return obj


# ------------------------------------------------------------------ predicates for rules (qms.rules)
def may_become(to: str):
    """A rule predicate: the object's lifecycle allows the move to `to` now."""
    return predicate(lambda user, obj: obj is not None and of(obj).can_move(obj, to), name=f"may_become_{to}")


def in_state(*states: str):
    """A rule predicate: the object is in one of `states`."""
    return predicate(lambda user, obj: obj is not None and of(obj).state(obj) in states,
                     name=f"in_state_{'_'.join(states)}")
