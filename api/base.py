"""What every API view shares: authentication and logging, the page's forms
as the input check, the signing ceremony of the pages, and lookups that answer
404 for what the user may not see.

Actions bind THE SAME Django form the page binds, call THE SAME service, which
asks THE SAME registered rule (qms.rules): the API copies no check.
"""

from __future__ import annotations

import json
import secrets

from django import forms
from django.http import Http404, QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from api.exceptions import FormInvalid
from api.models import PersonalAccessToken
from qms.concurrency import Stamp
from qms.i18n import activate_user_language
from qms.rules import allowed


class ApiViewMixin:
    """The API answers for itself: no login redirect (a token request has no
    session), no HTML 403 from the external auditor's page middleware (the
    API's own permission refuses with JSON); every token request is logged."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        view.login_required = False  # django.contrib.auth.decorators.login_not_required
        view.auditor_may_post = True
        return view

    def perform_authentication(self, request):
        super().perform_authentication(request)
        # A token's user is known only now (the middleware saw an anonymous request):
        # the API answers in their language as the pages do, else in the Accept-Language one.
        activate_user_language(request._request, request.user)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(request, "_auth", None)
        if isinstance(token, PersonalAccessToken):
            from api import services

            services.record_use(token=token, request=request, status_code=response.status_code)
        return response


# The error answers every action documents (api.exceptions gives them their one shape).
ERRORS = {400: OpenApiResponse(description="Field errors: {detail, code, errors}"),
          403: OpenApiResponse(description="The rule's refusal: {detail, code}"),
          404: OpenApiResponse(description="No such object, or not for you"),
          409: OpenApiResponse(description="An illegal state move or an edit conflict: {detail, code}")}


class ViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """Read-only by default; actions are POSTs declared with @action.

    A resource names its object once: `get_visible(request, key)` (the
    page's lookup under the page's view rule, else 404) and
    `detail_serializer`; `detail_response` then serves every action's reply and
    `list_response` every list's (the names are no action's: an @action of the same name would shadow them)."""

    lookup_value_converter = "str"
    detail_serializer: type[serializers.Serializer] | None = None

    def filter_form_kwargs(self, request):
        return {}

    def get_visible(self, request, key):
        raise NotImplementedError

    def serializer_context(self, request) -> dict:
        return {"request": request}

    def list_response(self, request, queryset, serializer=None):
        """One cursor page of `queryset`, serialized with the list serializer."""
        rows = self.paginate_queryset(queryset)
        data = (serializer or self.serializer_class)(rows, many=True, context=self.serializer_context(request)).data
        return self.get_paginated_response(data)

    def detail_response(self, request, key, code=status.HTTP_200_OK):
        """The object as its GET shows it, looked up afresh (after an action changed it)."""
        obj = self.get_visible(request, key)
        serializer = self.detail_serializer or self.serializer_class
        return Response(serializer(obj, context=self.serializer_context(request)).data, status=code)


class Trail:
    """GET <object>/trail/: the object's audit trail (the page's, under its view rule)."""

    @extend_schema(responses={200: {"type": "object"}})
    @action(detail=True, methods=["get"])
    def trail(self, request, **kwargs):
        from api.resources.qms import trail_response

        return trail_response(request, self.get_visible(request, kwargs[self.lookup_url_kwarg or self.lookup_field]))


def visible(queryset, rule: str, user, what: str = "object", **lookup):
    """`queryset.filter(**lookup).first()` if `rule` lets `user` see it, else 404.
    A malformed key (a text id where a number goes) is a 404 too."""
    try:
        obj = queryset.filter(**lookup).first()
    except (ValueError, TypeError, OverflowError):
        obj = None
    return visible_or_404(rule, user, obj, what)


# ------------------------------------------------------------------ the page's forms as the input check
def as_form_data(data) -> QueryDict:
    """A JSON object or a multipart body as the QueryDict a page's form reads:
    scalars as text, lists as repeated values, booleans as true/false."""
    out = QueryDict(mutable=True)
    if isinstance(data, QueryDict):
        for key in data:  # a multipart body's files are read from request.FILES, not here
            out.setlist(key, [v for v in data.getlist(key) if isinstance(v, str)])
        return _without_nul(out)
    if not isinstance(data, dict):
        raise FormInvalid({"non_field_errors": ["Send a JSON object (or a multipart form)."]})

    def text(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, dict | list):
            return json.dumps(v)
        return str(v)

    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list):
            out.setlist(str(key), [text(v) for v in value if v is not None])
        else:
            out.setlist(str(key), [text(value)])
    return _without_nul(out)


def _without_nul(data: QueryDict) -> QueryDict:
    """PostgreSQL refuses a NUL in any text: a 400 here (as qms.middleware.RejectNulMiddleware does for forms)."""
    bad = sorted({k for k in data for v in [k, *data.getlist(k)] if "\x00" in v})
    if bad:
        raise FormInvalid({k.replace("\x00", "") or "non_field_errors": [
            "Contains a NUL character (\\u0000), which is never valid."] for k in bad})
    return data


def value(request, name: str) -> str:
    """One plain text value of the body (what a page reads with request.POST.get), NUL-checked."""
    return as_form_data(request.data).get(name, "") or ""


def form_errors(form) -> dict:
    return {key: [str(e) for e in errors] for key, errors in form.errors.items()}


def _as_text(v):
    if hasattr(v, "all") and callable(v.all):
        v = list(v.all())
    if isinstance(v, list | tuple | set):
        return [_as_text(x) for x in v]
    if hasattr(v, "pk"):
        return str(v.pk)
    if isinstance(v, bool):
        return "true" if v else "false"
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return "" if v is None else str(v)


def bind(form_class, request, *, extra: dict | None = None, page_defaults: bool = False, current: dict | None = None,
         **kwargs):
    """The page's form bound to the request body (and files), validated: or a 400 with its errors.

    `page_defaults`: a required field the request leaves out takes the value
    the page shows pre-selected (a browser posts it), e.g. a route step's "all of".
    `current`: an edit page's initial values (the object as it is): a field the
    request leaves out keeps its value, as the page posts it back unchanged."""
    data = as_form_data(request.data)
    for key, value in (current or {}).items():
        if key not in data:
            text = _as_text(value)
            data.setlist(key, text if isinstance(text, list) else [text])
    for key, value in (extra or {}).items():
        data[key] = value
    form = form_class(data, request.FILES or None, **kwargs)
    if page_defaults:
        for name, field in form.fields.items():
            if field.required and name not in data and field.initial not in (None, "") and not callable(field.initial):
                data[name] = str(field.initial)
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    return form


def signing_fields(request) -> dict:
    """What the page's signing form carries, from the API request: the signer's
    own user name, and a stamp of the content hash the client was shown (the
    object's `content_hash` in its GET). The password is the client's to send.
    A token alone never signs: the service checks the password."""
    shown = value(request, "content_hash")
    if not shown:
        raise FormInvalid({"content_hash": [
            "Required: the content_hash of the object as you read it (GET it first); it is what you sign."]})
    stamp = Stamp(hash=shown.strip(), content=None, token=secrets.token_urlsafe(18))
    return {"username": request.user.username, "shown": stamp.dumps()}


def opened_stamp(request) -> dict:
    """An edit may carry the content_hash it was based on: a change meanwhile is then a 409."""
    shown = value(request, "content_hash")
    if not shown:
        return {}
    return {"opened": Stamp(hash=shown.strip(), content=None, token=secrets.token_urlsafe(18)).dumps()}


def signed(request, service, *, with_comment: bool = True, **kwargs):
    """An electronic signature through the page's signing form: the signer's
    password (and second factor, `otp_code`, when enrolled) and the
    content_hash they were shown, from the body; the service checks them."""
    from qms.signatures import SignatureForm

    form = bind(SignatureForm, request, extra=signing_fields(request), user=request.user)
    with form.signing():
        if with_comment:
            kwargs["comment"] = form.cleaned_data["comment"]
        return service(actor=request.user, password=form.cleaned_data["password"], **kwargs)


def visible_or_404(rule: str, user, obj, what: str = "object"):
    """The object if `rule` lets `user` see it; otherwise 404 (its existence is not revealed)."""
    if obj is None or not allowed(rule, user, obj):
        raise Http404(f"No such {what}.")
    return obj


def require_user(request):
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    return request.user


# ------------------------------------------------------------------ the schema of a page's form
def _choices(f: forms.ChoiceField) -> list:
    return [(c, str(label)) for c, label in f.choices if c != "" and not isinstance(label, list | tuple)]


def _schema_field(f: forms.Field) -> serializers.Field:
    kw = {"required": bool(f.required), "help_text": str(f.help_text or f.label or "") or None}
    if isinstance(f, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.CharField(), **kw)
    if isinstance(f, forms.ModelChoiceField):
        return serializers.CharField(**kw)
    if isinstance(f, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.ChoiceField(choices=_choices(f)), **kw)
    if isinstance(f, forms.ChoiceField):
        return serializers.ChoiceField(choices=_choices(f), **kw)
    if isinstance(f, forms.BooleanField):
        return serializers.BooleanField(**{**kw, "required": False})
    if isinstance(f, forms.IntegerField):
        return serializers.IntegerField(min_value=f.min_value, max_value=f.max_value, **kw)
    if isinstance(f, forms.DecimalField | forms.FloatField):
        return serializers.FloatField(**kw)
    if isinstance(f, forms.DateTimeField):
        return serializers.DateTimeField(**kw)
    if isinstance(f, forms.DateField):
        return serializers.DateField(**kw)
    if isinstance(f, forms.FileField):
        return serializers.FileField(**kw)
    if isinstance(f, forms.EmailField):
        return serializers.EmailField(**kw)
    return serializers.CharField(max_length=getattr(f, "max_length", None), **kw)


def form_schema(name: str, form, *, drop=("shown", "opened", "username"), signing: bool = False,
                extra: dict | None = None) -> type[serializers.Serializer]:
    """A serializer that only describes a page's form in the OpenAPI document (the form does the checking)."""
    fields = {k: _schema_field(f) for k, f in form.fields.items() if k not in drop}
    if signing:
        fields["content_hash"] = serializers.CharField(
            help_text=_("The content_hash of the object as you read it: what you sign."))
    fields.update(extra or {})
    return type(name, (serializers.Serializer,), fields)


# ------------------------------------------------------------------ a register as a file (the page's export)
# The parameter is `file_format`, not `format`: DRF reads `format` as the renderer's name.
FILE_EXPORT_SCHEMA = extend_schema(
    parameters=[OpenApiParameter("file_format", str, enum=["csv", "xlsx"], description="csv (the default) or xlsx")],
    responses={(200, "text/csv"): OpenApiTypes.BINARY,
               (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
               **ERRORS})


def file_format(request) -> str:
    """`file_format` of an export: csv (the default) or xlsx; anything else is a field error."""
    fmt = request.query_params.get("file_format", "csv") or "csv"
    if fmt not in ("csv", "xlsx"):
        raise FormInvalid({"file_format": ["Choose csv or xlsx."]})
    return fmt
