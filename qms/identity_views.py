"""The user's security page (issue 17): two-factor set-up and recovery codes,
the signature declaration, links to sessions and the password."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from qms import i18n, mfa, passkeys
from qms.audit import record_event
from qms.forms import BootstrapForm, StrictBooleanField
from qms.identity_models import DECLARATION_TEXT, security_of
from qms.login import CodeForm
from qms.middleware import auditor_may_post
from qms.safeurls import is_same_site_path
from qms.signing_auth import is_sso_account


class DeclarationForm(BootstrapForm):
    agree = StrictBooleanField(label=DECLARATION_TEXT)
    password = forms.CharField(label=_("Password"), strip=False, required=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None and is_sso_account(user):
            del self.fields["password"]

    def clean_agree(self):
        if not self.cleaned_data["agree"]:
            raise forms.ValidationError(gettext("Tick the declaration to make it."))
        return True

    def clean_password(self):
        password = self.cleaned_data.get("password", "")
        if self.user is not None and self.user.has_usable_password() and not self.user.check_password(password):
            raise forms.ValidationError(gettext("The password is not correct."))
        return password


class PreferencesForm(BootstrapForm):
    """The user's own language and time zone (issue 20); blank follows the browser and the site."""

    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("The language my browser asks for"))] + list(settings.LANGUAGES)
        self.fields["time_zone"].choices = [("", _("The site's time zone (%(zone)s)") % {"zone": settings.TIME_ZONE})] + [
            (name, name) for name in sorted(i18n.time_zone_names())
        ]


@require_GET
def security(request):
    user = request.user
    standing = mfa.standing(user)
    return render(request, "qms/security.html", {
        "standing": standing,
        "required_roles": mfa.required_roles(user),
        "recovery_left": mfa.recovery_codes_left(user) if standing.enrolled else 0,
        "has_recovery": standing.enrolled and mfa.has_recovery_codes(user),
        "account": security_of(user),
        "declaration_text": DECLARATION_TEXT,
        "declaration_form": DeclarationForm(user=user),
        "code_form": CodeForm(),
        "sso_account": is_sso_account(user),
        "passkeys": passkeys.keys_of(user), "has_totp": mfa.has_totp(user),
        "preferences_form": PreferencesForm(initial={"language": user.language, "time_zone": user.time_zone}),
    })


# ------------------------------------------------------------------ language and time zone (qms/i18n.py)
def _refused(request, message):
    return render(request, "error.html", {"title": gettext("Not changed"), "message": message}, status=400)


def _back(request):
    """The page the switch was used on (same site only), else the dashboard: the URL never names a language."""
    target = request.POST.get("next", "")
    return redirect(target if is_same_site_path(target) else "home")


@auditor_may_post  # one's own language changes no QMS data
@require_http_methods(["POST"])
def language_set(request):
    """The navigation's language switch: stores the user's language and goes back to the same page."""
    language = request.POST.get("language")
    if language is None:
        return _refused(request, gettext("Choose a language."))
    try:
        i18n.set_preferences(actor=request.user, language=language)
    except ValidationError as exc:
        return _refused(request, " ".join(exc.messages))
    return _back(request)


@auditor_may_post
@require_http_methods(["POST"])
def preferences(request):
    """The security page's language and time zone form."""
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return _refused(request, " ".join(f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
                                          for k, v in form.errors.items()))
    i18n.set_preferences(actor=request.user, language=form.cleaned_data["language"],
                         time_zone=form.cleaned_data["time_zone"])
    messages.success(request, gettext("Your language and time zone are saved."))
    return redirect("security")


# ------------------------------------------------------------------ security keys (qms/passkeys.py)
@auditor_may_post  # an auditor's own second factor changes no QMS data
@require_http_methods(["POST"])
def passkey_options(request, purpose):
    """The options for the browser's WebAuthn call (static/js/webauthn.js), as JSON."""
    if purpose not in ("register", "signing", "recovery"):
        return JsonResponse({"error": gettext("Unknown purpose.")}, status=404)
    try:
        if purpose == "register":
            options = passkeys.registration_options(request, request.user)
        else:
            options = passkeys.authentication_options(request, request.user, purpose)
    except passkeys.PasskeyRefused as exc:
        return JsonResponse({"error": exc.message}, status=400)
    return HttpResponse(options, content_type="application/json")


@auditor_may_post
@require_http_methods(["POST"])
def passkey_add(request):
    try:
        key = passkeys.register(request, user=request.user, name=request.POST.get("name", ""),
                                credential=request.POST.get("credential", ""))
    except passkeys.PasskeyRefused as exc:
        messages.error(request, gettext("Security key not added: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, gettext("Security key “%(name)s” added. You can use it when you log in and sign.")
                         % {"name": key.name})
        codes = [] if mfa.has_totp(request.user) else mfa.first_recovery_codes(user=request.user)
        if codes:  # the first second factor: codes for the day the key is lost, shown only now
            return render(request, "registration/mfa_recovery_codes.html", {"codes": codes, "for_passkey": True})
    return redirect("security")


@auditor_may_post
@require_http_methods(["POST"])
def passkey_remove(request, pk):
    try:
        passkeys.remove(user=request.user, pk=pk)
    except passkeys.PasskeyRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Security key removed."))
    return redirect("security")


@auditor_may_post  # an auditor's own second factor changes no QMS data
@require_http_methods(["GET", "POST"])
def mfa_setup(request):
    user = request.user
    if mfa.has_totp(user):
        messages.info(request, gettext("Two-factor authentication is already set up."))
        return redirect("security")
    form = CodeForm(request.POST or None)
    device = mfa.pending_device(user) or mfa.start_enrolment(user=user)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.confirm_enrolment(user=user, code=form.cleaned_data["code"])
        except mfa.MfaRefused as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, gettext("Two-factor authentication is set up."))
            return render(request, "registration/mfa_recovery_codes.html", {"codes": codes})
    return render(request, "registration/mfa_setup.html",
                  {"form": form, "qr": mfa.qr_data_uri(device), "secret": mfa.secret_text(device)})


@auditor_may_post
@require_http_methods(["POST"])
def mfa_recovery_codes(request):
    """New recovery codes after the app's current code, or the security key's answer."""
    answer = request.POST.get("passkey", "")
    form = CodeForm(request.POST)
    if answer.strip() or form.is_valid():
        try:
            codes = mfa.regenerate_recovery_codes(user=request.user, request=request, passkey=answer,
                                                  code="" if answer.strip() else form.cleaned_data["code"])
        except (mfa.MfaRefused, passkeys.PasskeyRefused) as exc:
            messages.error(request, exc.message)
        else:
            return render(request, "registration/mfa_recovery_codes.html", {"codes": codes})
    elif mfa.has_totp(request.user):
        messages.error(request, gettext("Enter the current code from your app to make new recovery codes."))
    else:
        messages.error(request, gettext("Use your security key to make new recovery codes."))
    return redirect("security")


@require_http_methods(["POST"])
def declaration(request):
    user = request.user
    account = security_of(user)
    if account.has_declared:
        messages.info(request, gettext("You made the signature declaration already."))
        return redirect("security")
    form = DeclarationForm(request.POST, user=user)
    if not form.is_valid():
        messages.error(request, gettext("Not declared: %(errors)s")
                       % {"errors": " ".join(e for errs in form.errors.values() for e in errs)})
        return redirect("security")
    account.declared_at = timezone.now()
    account.declaration_text = DECLARATION_TEXT
    account.save(update_fields=["declared_at", "declaration_text"])
    record_event(actor=user, verb="signature.declared", obj=user, comment=DECLARATION_TEXT)
    messages.success(request, gettext("Signature declaration made. You can now sign electronically."))
    return redirect("security")


# ------------------------------------------------------------------ the access review (quality manager)
@require_GET
def access_review(request):
    from qms import access_review as review
    from qms.rules import require

    require("qms.access_review", request.user)
    items = review.rows()
    summary = {
        "users": len(items), "active": sum(r["active"] for r in items),
        "mfa_required": 0, "mfa_enrolled": sum(r["mfa"] for r in items),
    }
    for r in items:
        r["mfa_required"] = r["active"] and mfa.is_required_cheap(r["user"], r["roles"])
        summary["mfa_required"] += r["mfa_required"]
    from qms.identity_models import AccessReview
    from qms.signatures import Meaning, SignatureForm

    return render(request, "qms/access_review.html", {
        "rows": items, "summary": summary,
        "sig_form": SignatureForm(user=request.user, obj=review.unsigned(items)),
        "sig_action": reverse("access-review-sign"), "sig_meaning_label": Meaning.REVIEWED.label,
        "past": AccessReview.objects.select_related("reviewed_by")[:8],
    })


@require_http_methods(["POST"])
def access_review_sign(request):
    from qms import access_review as review
    from qms.errors import DomainError
    from qms.rules import require
    from qms.signatures import SignatureForm, SignatureRepeated

    require("qms.access_review", request.user)
    form = SignatureForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, gettext("Not signed: %(errors)s")
                       % {"errors": " ".join(e for errs in form.errors.values() for e in errs)})
        return redirect("access-review")
    try:
        with form.signing():
            signed = review.sign_review(actor=request.user, password=form.cleaned_data["password"],
                                        comment=form.cleaned_data["comment"])
    except SignatureRepeated:
        return redirect("access-review")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("access-review")
    messages.success(request, gettext("Access review signed. Its PDF is being made."))
    return redirect(signed.job)


@auditor_may_post
@require_http_methods(["POST"])
def access_review_pdf(request):
    from qms import jobs
    from qms.rules import require

    require("qms.access_review", request.user)
    job = jobs.request_job(kind="access_review_pdf", actor=request.user)
    return redirect(job)
