"""Searchable selects (issue 18.7): one widget for every form field that picks
people, groups, clauses, documents or records.

`bootstrap()` (qms/forms.py) calls `searchable(form)`: every model choice field
shown as a select whose model is registered here gets the picker. Its select
carries `data-picker`; static/js/picker.js turns it into a Tom Select box (type
to filter, remove buttons on a multiple choice). Without JavaScript the select
stays a plain select and the form works as before.

Two kinds of model:
- `local(model)`: small sets (groups, clauses). Every option is in the page;
  the box only filters them.
- `source(name, model, ...)`: large sets (users, documents, records). The select
  lists at most `PICKER_INLINE_MAX` options (default 100) plus those chosen, and
  the box asks `/pick/<name>/?q=…` for more as you type. That endpoint answers
  (login required) at most 20 objects of the source's queryset *for the asking
  user* (the app's own visibility rule and the external auditor's scope), in a
  constant number of queries. The form still validates what is posted against
  its own queryset: the endpoint only suggests.

The core registers users, groups and clauses; documents and records register
their sources from their AppConfig.ready() (the core knows no app).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse_lazy
from django.utils.text import format_lazy

RESULTS_MAX = 20


@dataclass(frozen=True)
class Source:
    name: str
    model: type
    queryset: Callable  # (user) -> QuerySet of what the user may see and choose
    search: tuple[str, ...]  # fields matched (icontains), every word in one of them
    label: Callable  # (obj) -> str
    values: tuple[str, ...] = ("pk",)  # fields a form may use as the option value (to_field_name)

    def results(self, user, q: str, value: str = "pk") -> list[dict]:
        qs = self.queryset(user)
        for word in q.split()[:5]:
            cond = Q()
            for f in self.search:
                cond |= Q(**{f"{f}__icontains": word})
            qs = qs.filter(cond)
        return [{"value": str(getattr(obj, value) if value != "pk" else obj.pk), "text": self.label(obj)}
                for obj in qs[:RESULTS_MAX]]


_SOURCES: dict[str, Source] = {}
_LOCAL: set[type] = set()


def source(name: str, model: type, *, queryset: Callable, search: tuple[str, ...], label: Callable = str,
           values: tuple[str, ...] = ("pk",)) -> Source:
    """Register a large set picked through the JSON endpoint (or replace it, on a repeated ready())."""
    s = Source(name=name, model=model, queryset=queryset, search=tuple(search), label=label, values=tuple(values))
    _SOURCES[name] = s
    return s


def local(model: type) -> None:
    """Register a small set whose options are all in the page."""
    _LOCAL.add(model)


def get_source(name: str) -> Source | None:
    return _SOURCES.get(name)


def _source_for(model) -> Source | None:
    return next((s for s in _SOURCES.values() if issubclass(model, s.model)), None)


def picker_models() -> tuple[type, ...]:
    return (*_LOCAL, *(s.model for s in _SOURCES.values()))


def inline_max() -> int:
    return getattr(settings, "PICKER_INLINE_MAX", 100)


class PickerMixin:
    """A Select/SelectMultiple that, for a remote source, renders at most
    `inline_max()` options plus the chosen ones, and says when there are more."""

    def optgroups(self, name, value, attrs=None):
        it = self.choices
        if "data-picker-url" not in self.attrs or not isinstance(it, forms.models.ModelChoiceIterator):
            return super().optgroups(name, value, attrs)
        field, cap = it.field, inline_max()
        rows = list(it.queryset[: cap + 1])
        more = len(rows) > cap
        rows = rows[:cap]
        have = {str(field.prepare_value(o)) for o in rows}
        missing = [v for v in value if v not in ("", None) and str(v) not in have]
        keys = _valid_keys(it.queryset.model, field.to_field_name or "pk", missing)
        if keys:
            rows += list(it.queryset.filter(**{f"{field.to_field_name or 'pk'}__in": keys}))
        choices = [("", field.empty_label)] if field.empty_label is not None else []
        choices += [it.choice(o) for o in rows]
        self.choices = choices
        try:
            groups = super().optgroups(name, value, attrs)
        finally:
            self.choices = it
        if more:
            note = "More are not listed: type to search (needs JavaScript)"
            option = self.create_option(name, "", note, False, len(choices))
            option["attrs"].update({"disabled": True, "data-picker-more": ""})  # a Select's options inherit no attrs
            groups.append((None, [option], len(choices)))
        return groups


def _valid_keys(model, key: str, values) -> list:
    """The posted values that can name a row (a value that is no id, or an id no
    column holds, names none: the form reports it; the query must not fail on it)."""
    column = model._meta.pk if key == "pk" else model._meta.get_field(key)
    out = []
    for v in values:
        try:
            py = column.to_python(v)
        except (ValidationError, ValueError, TypeError):
            continue
        if (isinstance(py, int) and not -(2**63) < py < 2**63) or (isinstance(py, str) and "\x00" in py):
            continue
        if py is not None:
            out.append(py)
    return out


@cache
def _picker_class(cls):
    return type(f"Picker{cls.__name__}", (PickerMixin, cls), {})


def is_picker(widget) -> bool:
    return isinstance(widget, PickerMixin) and "data-picker" in widget.attrs


def searchable(form: forms.BaseForm) -> forms.BaseForm:
    """Give every select of a registered model the picker (see the module docstring)."""
    for field in form.fields.values():
        widget = field.widget
        if not isinstance(field, forms.ModelChoiceField) or not isinstance(widget, forms.Select):
            continue  # radios and checkboxes are no select; a hidden input neither
        model = field.queryset.model if field.queryset is not None else None
        if model is None:
            continue  # set after bootstrap() (tests/qms/test_pickers.py walks the forms for any missed)
        remote = _source_for(model)
        if remote is None and not any(issubclass(model, m) for m in _LOCAL):
            continue
        if not isinstance(widget, PickerMixin):
            widget.__class__ = _picker_class(type(widget))
        widget.attrs["data-picker"] = ""
        value = field.to_field_name or "pk"
        if remote is not None and value in remote.values:
            url = reverse_lazy("picker", args=[remote.name])  # lazy: some forms are built while URLs load
            widget.attrs["data-picker-url"] = url if value == "pk" else format_lazy("{}?v={}", url, value)
    return form


# ---------------------------------------------------------------- the core's own sets
def _users_for(user) -> QuerySet:
    """People a form may name: active internal users. An external auditor names nobody."""
    from qms.models import User
    from qms.permissions import Role, is_external_auditor

    if not getattr(user, "is_active", False) or is_external_auditor(user):
        return User.objects.none()
    return (User.objects.filter(is_active=True).exclude(groups__name=Role.EXTERNAL_AUDITOR)
            .only("id", "username", "full_name", "first_name", "last_name").order_by("full_name", "username"))


def register_core() -> None:
    from django.contrib.auth.models import Group

    from qms.models import Clause, User

    source("users", User, queryset=_users_for, search=("username", "full_name", "first_name", "last_name"))
    local(Group)
    local(Clause)
