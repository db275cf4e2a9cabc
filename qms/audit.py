"""The audit trail: `record_event` for transitions and security events, and
`trail_for` to read an object's history in time order with human labels.

Services call `record_event` inside their own transaction, so a transition
and its audit row commit or roll back together. Services also call
`attribute(obj, actor, reason)` before saving a history-tracked model, so that
django-simple-history records who and why even outside a request (Celery).

Each app registers the sentence of every verb it records (`register_verbs`,
from its `events.py`, imported in AppConfig.ready()); `trail_for` shows an
event and the save it made as one line, with the models' field labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst

from qms.middleware import client_ip, current_request
from qms.models import AuditEvent


def record_event(
    *,
    actor,
    verb: str,
    obj: models.Model | None = None,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    data: dict | None = None,
    actor_name: str = "",
    request=None,
) -> AuditEvent:
    """Write one append-only audit row. Call it inside the service's transaction."""
    request = request or current_request()
    real_actor = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        actor=real_actor,
        actor_name=actor_name or (real_actor.display_name if real_actor else "system"),
        verb=verb,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        from_state=from_state or "",
        to_state=to_state or "",
        comment=comment or "",
        ip_address=client_ip(request),
        data=data or {},
    )


CHANGE_REASON_LENGTH = 100  # simple-history's history_change_reason


def attribute(obj: models.Model, actor, reason: str = "") -> models.Model:
    """Tell simple-history who makes the next save of `obj`, and why."""
    obj._history_user = actor if getattr(actor, "pk", None) else None
    # simple-history keeps at most 100 characters of a reason (a longer one was a
    # database error, a 500); the whole text stays in the audit event's comment.
    obj._change_reason = (reason or "")[:CHANGE_REASON_LENGTH] or None
    return obj


# ------------------------------------------------------------------ event labels
# Each app registers the verbs it records, with the sentence the trail shows,
# from its AppConfig.ready() (`<app>/events.py`): the core imports no app.
# tests/qms/test_trail_labels.py finds every verb recorded in the code and
# checks it has a label here.
@dataclass(frozen=True)
class Verb:
    label: str  # "Root cause analysed"
    note: str = "Why"  # what the event's comment is: "Why", "Source", "Action", "Files"…
    detail: Callable[[dict], str] | None = None  # words from the event's data, shown after the label


_VERBS: dict[str, Verb] = {}


def register_verbs(labels: dict[str, str | Verb]) -> None:
    """Register `{verb: label}` (or `{verb: Verb(label, note=...)}`) for the trail."""
    for verb, value in labels.items():
        value = value if isinstance(value, Verb) else Verb(value)
        if _VERBS.get(verb, value) != value:
            raise ValueError(f"The audit verb {verb!r} is registered twice with different labels.")
        _VERBS[verb] = value


def registered_verbs() -> dict[str, Verb]:
    return dict(_VERBS)


def verb_label(verb: str) -> str:
    """The sentence for an event's verb. An event recorded by code that has
    since gone keeps a readable fallback ("capa.analysed" → "Capa analysed")."""
    known = _VERBS.get(verb)
    return known.label if known else capfirst(verb.replace(".", " ").replace("_", " "))


# ------------------------------------------------------------------ reading the trail
@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class TrailEntry:
    when: datetime
    who: str
    what: str
    why: str = ""
    changes: list[Change] = field(default_factory=list)
    kind: str = "event"  # "event" (a transition, possibly with the save it made) or "history" (a save alone)
    why_label: str = "Why"  # what `why` is: the event's comment is a reason, a source, an action…
    reason: str = ""  # the save's own reason, when the event's comment is something else


# An event and the history row of the save it accompanies are written in the
# same transaction, by the same actor, the save first and milliseconds apart.
SAME_SAVE = timedelta(seconds=5)


def _format_value(value) -> str:
    """Stored values as people read them everywhere else in the QMS."""
    if value in (None, "") or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if value.tzinfo else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, list | tuple):
        return "; ".join(_format_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{capfirst(str(k).replace('_', ' '))}: {_format_value(v)}" for k, v in value.items())
    text = str(value)
    return text if len(text) <= 300 else text[:300] + "…"


def _display(model, record, fieldname: str, value) -> str:
    """A field's value in words: choice labels, related objects' names, dates
    without microseconds, lists and JSON readably."""
    if value in (None, "") or value == [] or value == {}:
        return "—"
    try:
        f = model._meta.get_field(fieldname)
    except FieldDoesNotExist:
        return _format_value(value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.many_to_many:
        return _m2m_display(f, value)
    if f.is_relation and f.many_to_one:
        related = getattr(record, fieldname, None) if record is not None else None
        return str(related) if related is not None else _format_value(value)
    return _format_value(value)


def _m2m_display(f, rows) -> str:
    """simple-history's m2m values are the through rows ({source: pk, target: pk})."""
    target = f.m2m_reverse_field_name()
    pks = [row.get(target) for row in rows if isinstance(row, dict)]
    names = {o.pk: str(o) for o in f.related_model._default_manager.filter(pk__in=pks)}
    return "; ".join(names.get(pk, f"#{pk}") for pk in pks) or "—"


def _field_label(model, fieldname: str) -> str:
    try:
        return capfirst(model._meta.get_field(fieldname).verbose_name)
    except FieldDoesNotExist:
        return capfirst(fieldname.replace("_", " "))


def _history_rows(obj) -> list:
    history = getattr(obj, "history", None)
    if history is None:
        return []
    return list(history.select_related("history_user").order_by("history_date", "history_id"))


def _history_entry(model, rec, prev) -> TrailEntry:
    changes = []
    if prev is not None:
        order = {f.name: i for i, f in enumerate(model._meta.get_fields())}  # as the model declares them
        for ch in sorted(rec.diff_against(prev).changes, key=lambda ch: order.get(ch.field, len(order))):
            changes.append(Change(_field_label(model, ch.field), _display(model, prev, ch.field, ch.old),
                                  _display(model, rec, ch.field, ch.new)))
    name = capfirst(model._meta.verbose_name)
    what = {"+": f"{name} created", "~": f"{name} changed", "-": f"{name} deleted"}.get(rec.history_type, f"{name} changed")
    why = rec.history_change_reason or ""
    if why in _VERBS:  # services give the verb as the reason of a transition's save
        what, why = _VERBS[why].label, ""
    user = rec.history_user
    return TrailEntry(when=rec.history_date, who=user.display_name if user else "system", what=what, why=why,
                      changes=changes, kind="history")


def _state_change(model, ev: AuditEvent) -> Change | None:
    if not ev.to_state:
        return None
    try:
        choices = dict(model._meta.get_field("status").flatchoices)
    except FieldDoesNotExist:
        choices = {}

    def word(state):
        return str(choices[state]) if state in choices else capfirst(state.replace("_", " ")) if state else "—"

    return Change("Status" if ev.to_state in choices else "State", word(ev.from_state), word(ev.to_state))


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _merge(model, ev: AuditEvent, saved: TrailEntry | None) -> TrailEntry:
    """One line for an event and, if any, the save it accompanies: the event's
    sentence and comment, the save's field changes (its status change stands
    for the event's from → to)."""
    verb = _VERBS.get(ev.verb)
    changes = list(saved.changes) if saved else []
    state = _state_change(model, ev)
    status_label = _field_label(model, "status")
    if state and not any(c.label in (status_label, "Status") for c in changes):
        changes.insert(0, state)
    what = verb_label(ev.verb)
    if verb and verb.detail and (detail := verb.detail(ev.data or {})):
        what = f"{what}: {detail}"
    comment, reason = ev.comment, saved.why if saved else ""
    # The save's reason is left out when the line says it already ("submitted",
    # "draft created") or the comment does.
    if reason and (_words(reason) <= _words(" ".join([what, *(c.new for c in changes)]))
                   or (comment and (reason in comment or comment in reason))):
        reason = ""
    if not comment:
        comment, reason = reason, ""
    return TrailEntry(when=saved.when if saved else ev.created_at, who=ev.actor_name, what=what, why=comment,
                      changes=changes, kind="event", why_label=verb.note if verb and ev.comment else "Why",
                      reason=reason)


def _same_save(rec, status_set: str | None, ev: AuditEvent) -> bool:
    """Whether history row `rec` is the save that event `ev` accompanies (the
    caller has checked actor and time). `status_set` is the status the save
    set, if it set one. Said by: the save's reason being the event's verb, the
    save setting the state the event moved to, or the save's reason and the
    event's comment telling the same."""
    reason = rec.history_change_reason or ""
    if reason in _VERBS:
        return reason == ev.verb
    if ev.to_state and status_set == ev.to_state:
        return True
    if reason and ev.comment and (reason in ev.comment or ev.comment in reason):
        return True
    return bool(reason) and _words(reason) <= _words(verb_label(ev.verb))  # "verified" for "Record verified"


def _object_entries(obj) -> list[TrailEntry]:
    model = type(obj)
    saves = []  # (history row, status it set or None, entry)
    prev = None
    for rec in _history_rows(obj):
        status = getattr(rec, "status", None)
        status_set = status if status is not None and (prev is None or getattr(prev, "status", None) != status) else None
        saves.append((rec, status_set, _history_entry(model, rec, prev)))
        prev = rec
    ct = ContentType.objects.get_for_model(obj)
    events = AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).order_by("created_at", "id")
    paired: set[int] = set()  # indexes of the saves merged into an event's line
    out = []
    for ev in events:
        match = None
        for i in range(len(saves) - 1, -1, -1):  # the latest save before the event first
            rec, status_set, _ = saves[i]
            if rec.history_date > ev.created_at:
                continue
            if ev.created_at - rec.history_date > SAME_SAVE:
                break
            if i not in paired and rec.history_user_id == ev.actor_id and _same_save(rec, status_set, ev):
                match = i
                break
        if match is not None:
            paired.add(match)
        out.append(_merge(model, ev, saves[match][2] if match is not None else None))
    out += [entry for i, (_, _, entry) in enumerate(saves) if i not in paired]
    return out


def trail_for(*objs: models.Model) -> list[TrailEntry]:
    """History rows and audit events of the given objects, oldest first; an
    event and the save it accompanies are one entry."""
    entries: list[TrailEntry] = []
    for obj in objs:
        entries += _object_entries(obj)
    return sorted(entries, key=lambda e: e.when)
