"""List filters are the page's filter form: the same fields, the same checks,
handed to the same selector. Bad values are a 400 with the form's errors."""

from __future__ import annotations

from django import forms
from rest_framework.filters import BaseFilterBackend

from api.base import as_form_data, form_errors
from api.exceptions import FormInvalid

RESERVED = ("cursor", "page_size", "ordering", "file_format")


def cleaned_filters(view, request) -> dict:
    form_class = getattr(view, "filter_form", None)
    if form_class is None:
        return {}
    data = as_form_data(request.query_params)
    for key in RESERVED:
        data.pop(key, None)
    form = form_class(data, **view.filter_form_kwargs(request))
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}


def _type(f: forms.Field) -> dict:
    if isinstance(f, forms.BooleanField):
        return {"type": "boolean"}
    if isinstance(f, forms.IntegerField):
        return {"type": "integer"}
    if isinstance(f, forms.DateField):
        return {"type": "string", "format": "date"}
    if isinstance(f, forms.ChoiceField) and not isinstance(f, forms.ModelChoiceField):
        return {"type": "string", "enum": [c for c, _ in f.choices if c != ""]}
    return {"type": "string"}


class FormFilter(BaseFilterBackend):
    """Documents the filter form's fields as query parameters (the view applies them through its selector)."""

    def filter_queryset(self, request, queryset, view):
        return queryset

    def get_schema_operation_parameters(self, view):
        form_class = getattr(view, "filter_form", None)
        if form_class is None:
            return []
        form = form_class(**view.filter_form_kwargs(None))
        return [{
            "name": name, "required": False, "in": "query",
            "description": str(f.help_text or f.label or name), "schema": _type(f),
        } for name, f in form.fields.items() if name not in RESERVED]
