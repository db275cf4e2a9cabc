"""Core forms. Widgets get Bootstrap classes in one place (`bootstrap`)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.utils import timezone


def bootstrap(form: forms.BaseForm) -> forms.BaseForm:
    """Add Bootstrap classes to every widget of `form` (call in __init__)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


class BootstrapForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class BootstrapModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class StyledAuthenticationForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
        self.fields["username"].widget.attrs["autofocus"] = True

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            # A right password refused because an external auditor's access
            # window is closed: say so (the backend only marks it after the
            # password matched, so a guess never learns a user name exists).
            access = getattr(self.request, "closed_auditor_access", None)
            if access is None:
                raise
            raise forms.ValidationError(access_closed_message(access), code="access_closed") from None


def access_closed_message(access) -> str:
    """The one sentence an external auditor sees when their access is not open now."""
    ask = "Ask the quality manager who invited you."
    if access == "none":
        return f"Your access to this QMS has not been set up. {ask}"
    window = f"from {_when(access.valid_from)} to {_when(access.valid_until)}"
    if access.revoked_at:
        return f"Your access to this QMS was withdrawn on {_when(access.revoked_at)}. {ask}"
    if access.valid_from > timezone.now():
        return f"Your access to this QMS is open {window}. Please log in then."
    return f"Your access to this QMS was open {window} and has ended. {ask}"


def _when(dt) -> str:
    return f"{timezone.localtime(dt):%Y-%m-%d %H:%M} {timezone.get_current_timezone_name()}"


class StyledPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class StyledSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
