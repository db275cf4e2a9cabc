"""Every API error is JSON with a reason, in one shape:

    {"detail": "<the reason>", "code": "<kind>", "errors": {"<field>": ["<message>", ...]}}

`errors` only on 400. A rule's refusal is a 403 with the rule's message; an
illegal state move or an edit conflict a 409 with the reason; a bad id 404;
too many requests 429 with Retry-After. Never a 500 for bad input.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from qms.errors import DomainError, PermissionRefused

INVALID = _("The input is not valid.")


class FormInvalid(exceptions.APIException):
    """A page's form refused the input: its field errors, as the page would show them."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__(INVALID)


def _errors(data) -> dict:
    if isinstance(data, dict):
        return {k: [str(m) for m in (v if isinstance(v, list) else [v])] if not isinstance(v, dict) else _errors(v)
                for k, v in data.items()}
    return {"non_field_errors": [str(m) for m in (data if isinstance(data, list) else [data])]}


def handler(exc, context):
    if isinstance(exc, FormInvalid):
        return Response({"detail": exc.detail, "code": "invalid", "errors": exc.errors}, status=400)
    if isinstance(exc, PermissionRefused):
        return Response({"detail": exc.message, "code": "permission_denied"}, status=403)
    if isinstance(exc, DomainError) and isinstance(getattr(exc, "errors", None), dict):
        # e.g. records' RecordValidationError: the form's field errors, as the page shows them
        return Response({"detail": exc.message, "code": "invalid", "errors": _errors(exc.errors)}, status=400)
    if isinstance(exc, DomainError) and exc.status_code == 400 and isinstance(getattr(exc, "field", None), str):
        # e.g. planning's Invalid: the input a service refuses, on the field the page's form shows it at
        return Response({"detail": exc.message, "code": "invalid",
                         "errors": {exc.field or "non_field_errors": [exc.message]}}, status=400)
    if isinstance(exc, DomainError):
        code = exc.status_code if 400 <= exc.status_code < 500 else 409
        return Response({"detail": exc.message, "code": type(exc).__name__}, status=code)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response({"detail": INVALID, "code": "invalid", "errors": errors}, status=400)
    if isinstance(exc, ObjectDoesNotExist) and not isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied) and not isinstance(exc, exceptions.APIException):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": INVALID, "code": "invalid", "errors": _errors(exc.detail)}
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {"detail": str(exc.detail), "code": codes if isinstance(codes, str) else exc.default_code}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "code": "not_found" if response.status_code == 404
                         else "error"}
    return response
