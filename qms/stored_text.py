"""Texts stored in the database, shown in the reader's language (issue 20).

A message that is written now and read later (a job's error, a notice of text
extraction, an import's problems, a notification) cannot be translated when
it is written: the reader is not known yet, and one row may be read by a
German and a French user. So it is kept twice:

- in English, filled in, in its plain text field (`Job.error`): for exports,
  the audit trail, the admin and every reader that does not know this module;
- as its source msgid and parameters, in JSON beside it (`Job.error_i18n`),
  translated when shown, in the viewer's active language.

Writers build the text with `text()` (or `ngettext()` for a count), the msgid
marked with gettext_noop so makemessages finds it::

    error = stored_text.text(gettext_noop("The file %(name)s is missing."), name=name)
    Job.objects.filter(pk=pk).update(**stored_text.fields("error", error, limit=4000))

(modules that write many, like the importer's, import it as `text as said`:
`problems.append(said(gettext_noop("Unknown role “%(role)s”."), role=name))`).

What they get is a `StoredText`: a `str` (the English text) that also carries
its JSON, so code that only knows strings keeps working (it sees English).
A parameter may itself be a stored text (a label, a reason), translated with
the sentence around it. The JSON shapes:

    {"msgid": "...", "params": {"name": ...}}                      one sentence
    {"msgid": "...", "plural": "...", "n": 3, "params": {...}}     a count (ngettext)
    {"msgid": "...", "context": "...", "params": {...}}            a word with a context (pgettext)
    {"join": [<text>, ...], "sep": " "}                            sentences one after the other
    "..."                                                          said as it is (a file name)

Readers call `display(obj, "error")` (the template filter `|stored_text:"error"`,
the API serializers): the translation when there is JSON, else the English
field (rows written before this module). Displaying never raises: malformed
JSON, or a translation whose placeholders do not fit, shows the English field.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.utils import translation
from django.utils.functional import Promise

log = logging.getLogger(__name__)

# Parameters nest (a reason inside a sentence inside a list); stored JSON
# deeper than this is malformed and shown by its English field.
MAX_DEPTH = 8


class StoredText(str):
    """The English text (the string itself) and `data`, its JSON to store."""

    data: dict | list | str

    def __new__(cls, english: str, data):
        obj = super().__new__(cls, english)
        obj.data = data
        return obj

    def __reduce__(self):  # pickled (a cache, a Celery result) with its JSON
        return (StoredText, (str(self), self.data))

    def translated(self) -> str:
        """The text in the active language."""
        return render(self.data, fallback=str(self))


# ------------------------------------------------------------------ writing
def _param(value):
    """A parameter as JSON: a stored text keeps its JSON, numbers stay numbers, anything else is its text."""
    if isinstance(value, StoredText):
        return value.data
    if isinstance(value, Promise):
        return lazy(value).data
    if isinstance(value, str):
        return str(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def text(msgid: str, /, **params) -> StoredText:
    """A sentence to store: `msgid` (marked with gettext_noop at the call) filled with `params`."""
    data = {"msgid": str(msgid), "params": {k: _param(v) for k, v in params.items()}}
    return StoredText(english(data), data)


def ngettext(singular: str, plural: str, number: int, /, **params) -> StoredText:
    """A sentence with a count, in the form the number asks for in each language.
    Named after the function xgettext knows, so makemessages finds both forms."""
    data = {"msgid": str(singular), "plural": str(plural), "n": int(number),
            "params": {k: _param(v) for k, v in params.items()}}
    return StoredText(english(data), data)


def pgettext(context: str, msgid: str, /, **params) -> StoredText:
    """A short word that needs its context to be translated right ("create" as an import's action).
    Named after the function xgettext knows, so makemessages finds it with its context."""
    data = {"msgid": str(msgid), "context": str(context), "params": {k: _param(v) for k, v in params.items()}}
    return StoredText(english(data), data)


def join(parts: Iterable, sep: str = " ") -> StoredText:
    """Texts one after the other (stored texts translated, plain strings as they are)."""
    data = {"join": [_param(p) for p in parts], "sep": sep}
    return StoredText(english(data), data)


def lazy(label) -> StoredText:
    """A lazily translated label (a choice's `get_..._display()`, a gettext_lazy
    constant) as a stored text: its msgid, translated again when shown."""
    with translation.override(None):
        msgid = str(label)
    return text(msgid)


def as_data(value):
    """What to store in the `_i18n` field for `value`: its JSON, or None for a plain string (shown as is)."""
    return value.data if isinstance(value, StoredText) else None


def as_data_list(values) -> list:
    """The `_i18n` list beside a list of texts: each one's JSON, a plain string kept as it is."""
    return [v.data if isinstance(v, StoredText) else str(v) for v in values or ()]


def fields(name: str, value, *, limit: int | None = None) -> dict:
    """The two columns to write for `value`: {name: English (cut at `limit`), name_i18n: JSON or None}."""
    english_text = str(value or "")
    return {name: english_text[:limit] if limit else english_text, f"{name}_i18n": as_data(value)}


def message_of(exc: BaseException) -> str:
    """The stored text an exception was raised with (DomainError(text(...))), or its plain text."""
    for candidate in (getattr(exc, "message", None), exc.args[0] if exc.args else None):
        if isinstance(candidate, StoredText):
            return candidate
    message = getattr(exc, "message", None)
    return message if isinstance(message, str) else str(exc)


def from_validation_error(exc) -> StoredText:
    """A form's or validator's ValidationError as a stored text: each message by
    its msgid (Django's own and ours are in the catalogues) with its params."""
    parts = []
    for error in getattr(exc, "error_list", [exc]):
        message = error.message
        msgid = lazy(message).data["msgid"] if isinstance(message, Promise) else str(message)
        params = error.params if isinstance(error.params, dict) else {}
        try:
            parts.append(text(msgid, **params))
        except (KeyError, TypeError, ValueError):  # a message that does not take its params: as Django says it
            parts.append(" ".join(error.messages))
    return parts[0] if len(parts) == 1 and isinstance(parts[0], StoredText) else join(parts)


# ------------------------------------------------------------------ reading
def _render(data, translate: bool, depth: int = 0) -> str:
    if depth > MAX_DEPTH:
        raise ValueError("stored text nested too deep")
    if isinstance(data, str):
        return data
    if isinstance(data, list):
        return " ".join(_render(part, translate, depth + 1) for part in data)
    if not isinstance(data, dict):
        raise TypeError(f"not a stored text: {type(data).__name__}")
    if "join" in data:
        sep = data.get("sep", " ")
        if not isinstance(sep, str) or not isinstance(data["join"], list):
            raise TypeError("malformed join")
        return sep.join(_render(part, translate, depth + 1) for part in data["join"])
    msgid, params = data["msgid"], data.get("params") or {}
    if not isinstance(msgid, str) or not isinstance(params, dict):
        raise TypeError("malformed stored text")
    values = {k: _value(v, translate, depth + 1) for k, v in params.items()}
    if "plural" in data:
        plural, number = data["plural"], data["n"]
        if not isinstance(plural, str) or not isinstance(number, int):
            raise TypeError("malformed plural")
        template = translation.ngettext(msgid, plural, number) if translate else (msgid if number == 1 else plural)
    elif "context" in data:
        if not isinstance(data["context"], str):
            raise TypeError("malformed context")
        template = translation.pgettext(data["context"], msgid) if translate and msgid else msgid
    else:
        template = translation.gettext(msgid) if translate and msgid else msgid
    return template % values if values else template


def _value(value, translate: bool, depth: int):
    if isinstance(value, (dict, list)):
        return _render(value, translate, depth)
    return value


def english(data) -> str:
    """The stored text in English, as written (the msgids are English)."""
    return _render(data, translate=False)


def render(data, *, fallback: str = "") -> str:
    """The stored text in the active language; `fallback` (the English field)
    when the JSON is malformed or a translation does not fit its parameters."""
    try:
        return _render(data, translate=True)
    except Exception as exc:  # noqa: BLE001 - a stored row must never break the page that shows it
        log.warning("stored text not shown (%s: %s); its English field is", type(exc).__name__, exc)
        return fallback


def _get(obj, key: str):
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def display(obj, name: str) -> str:
    """Field `name` of `obj` (a model row or a dict) in the viewer's language:
    `name_i18n` translated, else the plain (English) `name`."""
    try:
        plain, data = _get(obj, name), _get(obj, f"{name}_i18n")
    except Exception:  # noqa: BLE001 - a deferred field on a deleted row, a property that raises
        return ""
    plain = "" if plain is None else plain if isinstance(plain, str) else str(plain)
    if data is None or data == "" or data == {} or data == []:
        return plain
    return render(data, fallback=plain)


def display_list(obj, name: str) -> list[str]:
    """A list of texts (an import row's problems) in the viewer's language:
    `name_i18n` item by item beside the plain `name` (an item that fails shows its English)."""
    try:
        plain, data = _get(obj, name), _get(obj, f"{name}_i18n")
    except Exception:  # noqa: BLE001
        return []
    if isinstance(plain, str):
        plain = [plain]
    plain = [str(p) for p in plain] if isinstance(plain, (list, tuple)) else []
    if not isinstance(data, list) or len(data) != len(plain):
        return plain
    return [render(d, fallback=p) for d, p in zip(data, plain, strict=True)]
