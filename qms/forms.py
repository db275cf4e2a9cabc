"""Core forms. Widgets get Bootstrap classes in one place (`bootstrap`)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.utils import timezone


class StrictCheckboxInput(forms.CheckboxInput):
    """Hands the raw value on (Django's CheckboxInput turns any string into True)."""

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return False
        return data.get(name)


class StrictBooleanField(forms.BooleanField):
    """A checkbox that accepts only what a checkbox sends.

    Django's BooleanField takes any non-empty string as "yes", so a crafted
    `maybe` or `0` was saved as ticked. A browser sends "on" (or nothing);
    scripts may send true/false, 1/0, yes/no. Anything else is a form error."""

    widget = StrictCheckboxInput
    TRUE = {"on", "true", "1", "yes"}
    FALSE = {"", "off", "false", "0", "no"}

    def to_python(self, value):
        if isinstance(value, bool) or value is None:
            return bool(value)
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError("A checkbox is either ticked or not; this value is neither.", code="invalid")


def bootstrap(form: forms.BaseForm) -> forms.BaseForm:
    """Add Bootstrap classes to every widget of `form` (call in __init__), and
    make every plain BooleanField strict (StrictBooleanField is a subclass with
    the same state, so swapping the class in place is safe)."""
    for field in form.fields.values():
        if type(field) is forms.BooleanField:
            field.__class__ = StrictBooleanField
            if type(field.widget) is forms.CheckboxInput:
                field.widget.__class__ = StrictCheckboxInput
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
