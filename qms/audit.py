"""The audit trail: `record_event` for transitions and security events, and
`trail_for` to read an object's history in time order with human labels.

Services call `record_event` inside their own transaction, so a transition
and its audit row commit or roll back together. Services also call
`attribute(obj, actor, reason)` before saving a history-tracked model, so that
django-simple-history records who and why even outside a request (Celery).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models

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


def attribute(obj: models.Model, actor, reason: str = "") -> models.Model:
    """Tell simple-history who makes the next save of `obj`, and why."""
    obj._history_user = actor if getattr(actor, "pk", None) else None
    obj._change_reason = reason or None
    return obj


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
    kind: str = "event"  # "event" or "history"


def _display(instance, fieldname: str, value) -> str:
    if value in (None, ""):
        return "—"
    try:
        f = instance._meta.get_field(fieldname)
    except Exception:  # noqa: BLE001 - unknown column: show raw
        return str(value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.is_relation and f.many_to_one:
        related = getattr(instance, fieldname, None)
        return str(related) if related is not None else str(value)
    text = str(value)
    return text if len(text) <= 300 else text[:300] + "…"


def _history_entries(obj) -> list[TrailEntry]:
    history = getattr(obj, "history", None)
    if history is None:
        return []
    records = list(history.select_related("history_user").order_by("history_date", "history_id"))
    entries: list[TrailEntry] = []
    prev = None
    verbs = {"+": "created", "~": "changed", "-": "deleted"}
    for rec in records:
        changes = []
        if prev is not None:
            delta = rec.diff_against(prev)
            for ch in delta.changes:
                try:
                    label = str(obj._meta.get_field(ch.field).verbose_name).capitalize()
                except Exception:  # noqa: BLE001
                    label = ch.field
                changes.append(Change(label, _display(prev, ch.field, ch.old), _display(rec, ch.field, ch.new)))
        user = rec.history_user
        entries.append(
            TrailEntry(
                when=rec.history_date,
                who=user.display_name if user else "system",
                what=f"{obj._meta.verbose_name.capitalize()} {verbs.get(rec.history_type, rec.history_type)}",
                why=rec.history_change_reason or "",
                changes=changes,
                kind="history",
            )
        )
        prev = rec
    return entries


def _event_entries(obj) -> list[TrailEntry]:
    ct = ContentType.objects.get_for_model(obj)
    out = []
    for ev in AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).order_by("created_at", "id"):
        what = ev.verb.replace("_", " ").replace(".", ": ")
        changes = [Change("State", ev.from_state or "—", ev.to_state)] if ev.to_state else []
        out.append(TrailEntry(when=ev.created_at, who=ev.actor_name, what=what, why=ev.comment, changes=changes))
    return out


def trail_for(*objs: models.Model) -> list[TrailEntry]:
    """History rows and audit events of the given objects, oldest first."""
    entries: list[TrailEntry] = []
    for obj in objs:
        entries += _history_entries(obj) + _event_entries(obj)
    return sorted(entries, key=lambda e: e.when)
