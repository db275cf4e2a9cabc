"""Electronic signatures (21 CFR Part 11 §11.50, 11.70, 11.200; EU Annex 11 §14).

Every signing asks for the user's name and password again. A signature stores
signer, printed name, server UTC time, meaning, comment, and a SHA-256 of the
canonical content signed; `Signature.is_valid()` recomputes it.

Objects that can be signed implement `signature_content() -> dict`: the fields
whose change must invalidate a signature.

Call `authenticate_signer` before opening the transition's transaction, so a
refused attempt is recorded even though the transition itself rolls back;
`sign` checks again, so no caller can skip the check.

Signing forms (`SignatureForm`) carry a stamp of what the page showed (the
content hash, a copy of the content, a one-time token; qms/concurrency.py).
A view signs inside `with form.signing():`; then `sign` refuses when the
object's content differs from what was shown (21 CFR 11.50/11.70: the
signature is linked to what the signer saw) and says what changed, and a
second post of the same form (a double click) raises `SignatureRepeated`,
which the view answers like the first, successful, post.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qms.audit import record_event
from qms.concurrency import Stamp, StampField, check_unchanged
from qms.errors import DomainError, SignatureRefused
from qms.forms import BootstrapForm
from qms.models import Signature
from qms.permissions import can_write

Meaning = Signature.Meaning

# What the signing form showed, while a view signs inside `SignatureForm.signing()`.
_shown: ContextVar[dict | None] = ContextVar("qms_signature_shown", default=None)


class SignatureRepeated(DomainError):
    """The same signing form was posted again (a double click): it already signed."""

    status_code = 200

    def __init__(self, signature: Signature | None = None):
        self.signature = signature
        super().__init__("This form was already signed.")


class SignedContentChanged(SignatureRefused):
    """The object changed after the signer opened the page: nothing was signed."""

    status_code = 409


def canonical_json(content: dict) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def authenticate_signer(user, password: str, *, obj: models.Model | None = None, meaning: str = "") -> str:
    """Refuse (and record the attempt) unless the signer re-proves identity now.

    Returns the method that proved it (see qms.signing_auth): the password
    (local, or a bind to the directory for LDAP accounts), plus the second
    factor when the user is enrolled; an account without a password of ours
    (single sign-on) signs with its second factor. The one-time signature
    declaration must have been made first."""
    from qms import signing_auth

    if not getattr(user, "is_active", False) or not can_write(user):
        raise SignatureRefused(gettext("This account cannot sign."))
    signing_auth.require_declaration(user)
    return signing_auth.prove(user, password, obj=obj, meaning=meaning)


def sign(*, signer, password: str, obj: models.Model, meaning: str, comment: str = "") -> Signature:
    """Sign `obj` with `meaning`. Raises SignatureRefused on a wrong password."""
    if meaning not in Meaning.values:
        raise SignatureRefused(gettext("Unknown signature meaning: %(meaning)s.") % {"meaning": repr(meaning)})
    method = authenticate_signer(signer, password, obj=obj, meaning=meaning)
    with transaction.atomic():
        check_shown(obj)
        return _create_signature(signer, obj, meaning, comment, method)


def check_shown(obj: models.Model) -> None:
    """Inside `SignatureForm.signing()`: refuse unless `obj` is what the form showed.

    `sign` calls it; a service whose signature covers the state *after* its
    transition (disposition blanks the values) calls it itself, on the locked
    object, before changing it. Outside a signing form it does nothing.
    """
    shown = _shown.get()
    if shown is None or shown["checked"]:
        return
    stamp: Stamp = shown["stamp"]
    if stamp.token and Signature.objects.filter(form_token=stamp.token).exists():
        raise SignatureRepeated(Signature.objects.filter(form_token=stamp.token).first())  # the same form, twice
    try:
        labels = obj.content_labels() if hasattr(obj, "content_labels") else None
        check_unchanged(stamp, obj.signature_content(), what=f"{obj}", labels=labels,
                        action="nothing was signed: read the current version and sign again")
    except DomainError as exc:
        raise SignedContentChanged(exc.message) from exc
    shown["checked"] = True


def _signed_with(token: str, user) -> Signature | None:
    if not token or not getattr(user, "pk", None):
        return None
    return Signature.objects.filter(form_token=token, signer_id=user.pk).first()


def _create_signature(signer, obj, meaning, comment, method: str = "password") -> Signature:
    shown = _shown.get()
    token = None
    if shown is not None and not shown["used"]:
        token, shown["used"] = shown["stamp"].token or None, True  # one form, one signature
    try:
        with transaction.atomic():  # a savepoint: the unique token is the last line against a double post
            signature = Signature.objects.create(
                signer=signer,
                printed_name=signer.display_name,
                signed_at=timezone.now(),  # server clock, never the client's
                meaning=meaning,
                comment=comment.strip(),
                content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
                object_id=obj.pk,
                content_hash=content_hash(obj.signature_content()),
                form_token=token,
                method=method,
            )
    except IntegrityError:
        if token and Signature.objects.filter(form_token=token).exists():
            raise SignatureRepeated(Signature.objects.filter(form_token=token).first()) from None
        raise
    record_event(actor=signer, verb="signature.signed", obj=obj, comment=comment,
                 data={"meaning": meaning, "method": method})
    return signature


def signatures_for(obj: models.Model):
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return Signature.objects.filter(content_type=ct, object_id=obj.pk).select_related("signer")


class SignatureForm(BootstrapForm):
    """The signing dialog: user name and password every time, and a comment.

    `obj` (on the page that shows it) is the object the signature will cover:
    the form carries a stamp of its content and a one-time token. Sign inside
    `with form.signing():`. Render it with `{% include "includes/_signature_form.html" %}`.
    """

    shown = StampField()

    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # The second factor (issue 17): shown and required when the signer is enrolled.
    otp_code = forms.CharField(
        label=_("Code from your authenticator app"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("Six digits from your app, or one of your recovery codes."),
    )
    # The answer of a security key (qms/passkeys.py), filled in by static/js/webauthn.js.
    passkey = forms.CharField(required=False, max_length=20000, widget=forms.HiddenInput(attrs={"data-passkey": "answer"}))

    def __init__(self, *args, user=None, comment_required: bool = False, obj: models.Model | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        from qms import signing_auth

        signing_auth.shape_form(self, user)
        if comment_required:
            self.fields["comment"].required = True
        if user is not None and not self.is_bound:
            self.initial.setdefault("username", user.username)
        if obj is not None and not self.is_bound:
            self.initial["shown"] = Stamp.of(obj.signature_content())

    @classmethod
    def already_signed(cls, data, user) -> Signature | None:
        """The signature `user` made with this posted form, if it was posted before.

        For views whose own checks (state, step) would refuse the repeat
        before the service is reached."""
        try:
            stamp = Stamp.loads(data.get("shown", ""))
        except Exception:  # noqa: BLE001 - a missing or damaged stamp is simply "not signed before"
            return None
        return _signed_with(stamp.token, user)

    def restamp(self, obj: models.Model) -> None:
        """After a refusal the page shows `obj` as it is now: carry that (and a fresh token)."""
        self.data = self.data.copy()
        self.data[self.add_prefix("shown")] = Stamp.of(obj.signature_content()).dumps()

    @contextmanager
    def signing(self):
        """Sign within this block: `sign` checks what was shown and the one-time token.

        A repeated post of this form raises SignatureRepeated, also when the
        service refused it for a state the first post made ("already verified").
        """
        stamp: Stamp = self.cleaned_data["shown"]
        if (earlier := _signed_with(stamp.token, self.user)) is not None:
            raise SignatureRepeated(earlier)
        from qms import signing_auth

        reset = _shown.set({"stamp": stamp, "checked": False, "used": False})
        try:
            with signing_auth.second_factor(self.cleaned_data.get("otp_code", ""), self.cleaned_data.get("passkey", "")):
                yield stamp
        except SignatureRepeated:
            raise
        except DomainError as exc:
            # Refused for a state the first post made ("already verified"): still a repeat.
            if (earlier := _signed_with(stamp.token, self.user)) is not None:
                raise SignatureRepeated(earlier) from exc
            raise
        finally:
            _shown.reset(reset)

    def clean_username(self):
        name = self.cleaned_data["username"]
        if self.user is not None and name != self.user.username:
            raise forms.ValidationError(gettext("Sign with your own user name."))
        return name


class BulkSignatureForm(SignatureForm):
    """One signing dialog covering several objects (bulk verification, bulk
    read-and-understood): the signer proves identity once, and each object
    gets its own Signature row with its own content hash.

    `items` maps a selection key (the register row's id, as a string) to the
    object the signature will cover. The form's stamp carries, signed with the
    secret key, exactly those keys and the hash of each object as the page
    listed it ("nothing signed unseen"): the rows signed are the stamp's rows,
    never posted ids, and a row whose content changed since is refused alone.

        with form.signing():
            form.prove(meaning)              # wrong password or code: nothing is signed
            for key, obj in rows:
                with form.signing_item(key):  # the one row's stamp
                    service(...)              # calls sign() as for a single object
    """

    def __init__(self, *args, items: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if items is not None and not self.is_bound:
            self.initial["shown"] = Stamp.of({"items": {str(k): content_hash(o.signature_content())
                                                        for k, o in items.items()}})

    def shown_items(self) -> dict[str, str]:
        """{key: content hash} that the signing page listed (after is_valid)."""
        stamp: Stamp = self.cleaned_data["shown"]
        items = (stamp.content or {}).get("items")
        if not isinstance(items, dict) or not items:
            raise DomainError(gettext("This signing page lists nothing to sign: go back to the register and select again."))
        return {str(k): str(v) for k, v in items.items()}

    def clean_shown(self):
        stamp = self.cleaned_data.get("shown")
        if stamp is not None and not isinstance((stamp.content or {}).get("items"), dict):
            raise forms.ValidationError(gettext("This form is damaged or out of date: reload the page and try again."))
        return stamp

    def prove(self, meaning: str) -> str:
        """Inside `signing()`: re-prove the signer once, before any row (refused: SignatureRefused)."""
        return authenticate_signer(self.user, self.cleaned_data.get("password", ""), meaning=meaning)

    @contextmanager
    def signing_item(self, key: str):
        """Inside `signing()`: sign the row `key` against the hash the page listed for it.

        The form's one-time token goes with the first signature made, so a
        second post of the same page is recognised (SignatureRepeated)."""
        outer = _shown.get()
        if outer is None:
            raise RuntimeError("signing_item() is used inside signing()")
        items = self.shown_items()
        if str(key) not in items:
            raise DomainError(gettext("This row was not on the signing page: nothing was signed for it."))
        token = "" if outer["used"] else outer["stamp"].token
        state = {"stamp": Stamp(hash=items[str(key)], content=None, token=token), "checked": False, "used": False}
        reset = _shown.set(state)
        try:
            yield
        finally:
            _shown.reset(reset)
        if state["used"] and token:
            outer["used"] = True  # this row's signature holds the token (it was committed)
