"""What the planning pages share: turning a service's refusal into form errors."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from planning.services import Invalid
from qms.errors import DomainError, PermissionRefused


def refuse_into(form, exc: DomainError) -> None:
    """Show a service's refusal beside its field (or above the form). A refused
    permission is not input to correct: it propagates (403)."""
    if isinstance(exc, PermissionRefused):
        raise exc
    field = getattr(exc, "field", "") if isinstance(exc, Invalid) else ""
    form.add_error(field if field in form.fields else None, exc.message)


def trail_url(obj) -> str:
    return reverse("object-trail", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])
