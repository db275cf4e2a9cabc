"""Electronic signatures (21 CFR Part 11 §11.50, 11.70, 11.200; EU Annex 11 §14).

Every signing asks for the user's name and password again. A signature stores
signer, printed name, server UTC time, meaning, comment, and a SHA-256 of the
canonical content signed; `Signature.is_valid()` recomputes it.

Objects that can be signed implement `signature_content() -> dict`: the fields
whose change must invalidate a signature.

Call `authenticate_signer` before opening the transition's transaction, so a
refused attempt is recorded even though the transition itself rolls back;
`sign` checks again, so no caller can skip the check.
"""

from __future__ import annotations

import hashlib
import json

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from qms.audit import record_event
from qms.errors import SignatureRefused
from qms.forms import BootstrapForm
from qms.models import Signature
from qms.permissions import can_write

Meaning = Signature.Meaning


def canonical_json(content: dict) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def authenticate_signer(user, password: str, *, obj: models.Model | None = None, meaning: str = "") -> None:
    """Refuse (and record the attempt) unless `password` is the user's own."""
    if not getattr(user, "is_active", False) or not can_write(user):
        raise SignatureRefused("This account cannot sign.")
    if not password or not user.check_password(password):
        record_event(
            actor=user,
            verb="signature.refused",
            obj=obj,
            comment="Wrong password at signing",
            data={"meaning": meaning},
        )
        raise SignatureRefused("The password is not correct. Nothing was signed.")


def sign(*, signer, password: str, obj: models.Model, meaning: str, comment: str = "") -> Signature:
    """Sign `obj` with `meaning`. Raises SignatureRefused on a wrong password."""
    if meaning not in Meaning.values:
        raise SignatureRefused(f"Unknown signature meaning: {meaning!r}.")
    authenticate_signer(signer, password, obj=obj, meaning=meaning)
    with transaction.atomic():
        return _create_signature(signer, obj, meaning, comment)


def _create_signature(signer, obj, meaning, comment) -> Signature:
    signature = Signature.objects.create(
        signer=signer,
        printed_name=signer.display_name,
        signed_at=timezone.now(),  # server clock, never the client's
        meaning=meaning,
        comment=comment.strip(),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=obj.pk,
        content_hash=content_hash(obj.signature_content()),
    )
    record_event(actor=signer, verb="signature.signed", obj=obj, comment=comment, data={"meaning": meaning})
    return signature


def signatures_for(obj: models.Model):
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return Signature.objects.filter(content_type=ct, object_id=obj.pk).select_related("signer")


class SignatureForm(BootstrapForm):
    """The signing dialog: user name and password every time, and a comment.

    Render it with `{% include "includes/_signature_form.html" %}`.
    """

    username = forms.CharField(label="User name", max_length=150)
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    comment = forms.CharField(label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, comment_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if comment_required:
            self.fields["comment"].required = True
        if user is not None and not self.is_bound:
            self.initial.setdefault("username", user.username)

    def clean_username(self):
        name = self.cleaned_data["username"]
        if self.user is not None and name != self.user.username:
            raise forms.ValidationError("Sign with your own user name.")
        return name
