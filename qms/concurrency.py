"""Optimistic concurrency for forms that edit or sign shared objects.

A form carries a stamp of what it showed: the SHA-256 of the content, a copy of
the content (so a refusal can say what changed meanwhile) and a random form
token. The stamp is signed with the secret key, so a crafted stamp is refused
as damaged rather than believed. Services compare the stamp's hash with the
object's current content under a row lock (`check_unchanged`), so two tabs or
two users can never silently overwrite each other's work.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.utils.translation import gettext

from qms.errors import DomainError

SALT = "qms.concurrency.stamp"
# Copies above this size are not carried in the form; the hash still is, and a
# refusal then says only that the content changed.
MAX_COPY_CHARS = 300_000
SHOWN_CHARS = 80


def _normalise(content: dict) -> dict:
    from qms.signatures import canonical_json

    return json.loads(canonical_json(content))


@dataclass(frozen=True)
class Stamp:
    hash: str
    content: dict | None
    token: str

    @classmethod
    def of(cls, content: dict) -> Stamp:
        from qms.signatures import content_hash

        copy = _normalise(content)
        if len(json.dumps(copy)) > MAX_COPY_CHARS:
            copy = None
        return cls(hash=content_hash(content), content=copy, token=secrets.token_urlsafe(18))

    def dumps(self) -> str:
        return signing.dumps({"h": self.hash, "c": self.content, "t": self.token}, salt=SALT, compress=True)

    @classmethod
    def loads(cls, value: str) -> Stamp:
        data = signing.loads(value or "", salt=SALT)
        return cls(hash=str(data["h"]), content=data.get("c"), token=str(data.get("t") or ""))


class EditConflict(DomainError):
    """The object changed after the form was opened; nothing was saved."""

    status_code = 409

    def __init__(self, message: str, changes: list[str]):
        self.changes = changes
        super().__init__(message)


def _short(value) -> str:
    if value in (None, "", [], {}):
        return "(empty)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _text_change(old: str, new: str) -> str:
    """Where a long text changed: the first changed lines, old → new."""
    import difflib

    a, b = old.splitlines(), new.splitlines()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            return f"line {i1 + 1}: {_short(chr(10).join(a[i1:i2]))} → {_short(chr(10).join(b[j1:j2]))}"
    return "whitespace changed"


def describe_changes(before: dict | None, after: dict, labels: dict | None = None) -> list[str]:
    """Human lines "field: old → new" between two contents (one level into dicts)."""
    if before is None:
        return ["the content changed"]
    after = _normalise(after)
    labels = labels or {}
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            for sub in sorted(set(old) | set(new)):
                if old.get(sub) != new.get(sub):
                    name = labels.get(sub, sub)
                    lines.append(f"{name}: {_short(old.get(sub))} → {_short(new.get(sub))}")
        elif isinstance(old, str) and isinstance(new, str) and ("\n" in old or "\n" in new):
            lines.append(f"{labels.get(key, key).replace('_', ' ')}: {_text_change(old, new)}")
        else:
            lines.append(f"{labels.get(key, key).replace('_', ' ')}: {_short(old)} → {_short(new)}")
    return lines or ["the content changed"]


def check_unchanged(stamp: Stamp | None, current: dict, *, what: str, action: str, labels=None) -> None:
    """Refuse with EditConflict when `current` is not what the form showed.

    Call it after locking the row. `stamp=None` means the caller did not come
    from a form (a task, a command, a test of the service): nothing to check.
    """
    from qms.signatures import content_hash

    if stamp is None or stamp.hash == content_hash(current):
        return
    changes = describe_changes(stamp.content, current, labels)
    raise EditConflict(
        f"{what} changed after you opened it; {action}. Changed meanwhile: " + "; ".join(changes) + ".",
        changes,
    )


class StampField(forms.CharField):
    """A hidden form field holding a Stamp; a missing or damaged one is a form error."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {
            "required": "This form is out of date or incomplete: reload the page and try again.",
        })
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value.dumps() if isinstance(value, Stamp) else value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return Stamp.loads(value)
        except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
            raise forms.ValidationError(
                gettext("This form is damaged or out of date: reload the page and try again."), code="stamp"
            ) from exc
