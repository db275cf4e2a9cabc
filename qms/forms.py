"""Core forms. Widgets get Bootstrap classes in one place (`bootstrap`), which
also makes every checkbox strict and bounds every date to the sane window."""

import re
from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from qms import dates
from qms.widgets import searchable


class UserChoice(forms.ModelChoiceField):
    """A person, listed by their display name (full name, else login): every app's owner, signer and trainer fields."""

    def label_from_instance(self, obj):
        return obj.display_name


class UsersChoice(forms.ModelMultipleChoiceField):
    """Several people, listed by their display names."""

    def label_from_instance(self, obj):
        return obj.display_name


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
        raise forms.ValidationError(gettext("A checkbox is either ticked or not; this value is neither."), code="invalid")

    def has_changed(self, initial, data):
        # BooleanField.has_changed calls to_python outside validation (formsets
        # ask it of every row): a value that is neither is a change, not a 500.
        try:
            return super().has_changed(initial, data)
        except forms.ValidationError:
            return True


# ------------------------------------------------------------------ numbers
# Plain decimal notation in ASCII digits, an exponent allowed ("1e3" from a
# script): Decimal() alone also takes "NaN", "Infinity", "1_000" and "٣".
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$", re.ASCII)
MAX_DIGITS, DECIMAL_PLACES = 20, 6  # what a record's number field holds: 14 digits before the point, 6 after


class StrictDecimalField(forms.DecimalField):
    """A number as a person or an instrument writes it.

    Refuses NaN, infinities and anything that is not plain decimal notation,
    and values beyond `max_digits`/`decimal_places` (so "1e309" is an error,
    not a 310-digit number). Negative zero is stored as 0: a calibration
    reading of -0.0 is a reading of zero, and "-0" in a register reads as a
    different value from "0" (and sorts and compares as one only by accident)."""

    default_error_messages = {"invalid": gettext_lazy("Enter a number (digits, an optional point and sign), e.g. -1.25.")}

    def __init__(self, *, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            value = value.strip()
            if not NUMBER_RE.match(value):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        value = super().to_python(value)  # refuses what is not finite
        if value is not None and value.is_zero():
            value = Decimal(0)
        return value


def parse_number(text, *, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES) -> Decimal | None:
    """`text` as a Decimal by StrictDecimalField's rules; None when it is not one
    (for numbers typed into places that are not number fields, e.g. a rule's bound)."""
    try:
        return StrictDecimalField(max_digits=max_digits, decimal_places=decimal_places, required=False).clean(text)
    except forms.ValidationError:
        return None


# ------------------------------------------------------------------ dates
class WindowDateField(forms.DateField):
    """A date inside the sane window of qms/dates.py (1990 to ten years ahead)."""

    earliest = dates.EARLIEST

    def validate(self, value):
        super().validate(value)
        if not dates.in_window(value, self.earliest):
            raise forms.ValidationError(dates.window_error(self.earliest), code="out_of_window")


class HistoricDateField(WindowDateField):
    """The edition date of an external document, which may be decades old."""

    earliest = dates.HISTORIC_EARLIEST


class WindowDateTimeField(forms.DateTimeField):
    """A date and time inside the sane window of qms/dates.py."""

    def validate(self, value):
        super().validate(value)
        if not dates.in_window(value):
            raise forms.ValidationError(dates.window_error(), code="out_of_window")


def window_dates(form: forms.BaseForm) -> forms.BaseForm:
    """Bound every date field of `form` to the window and say so: the field
    refuses a date outside it, the date picker offers only the window (min/max)
    and the help text names it. Plain DateField/DateTimeField are swapped in
    place for their windowed subclass (same state, one more check). Called by
    `bootstrap`; call it directly on a form that does not use Bootstrap."""
    for field in form.fields.values():
        if type(field) is forms.DateField:
            field.__class__ = WindowDateField
        elif type(field) is forms.DateTimeField:
            field.__class__ = WindowDateTimeField
        if isinstance(field, WindowDateField | WindowDateTimeField):
            with_time = isinstance(field, WindowDateTimeField)
            earliest = getattr(field, "earliest", dates.EARLIEST)
            field.widget.attrs.setdefault("min", f"{earliest:%Y-%m-%d}" + ("T00:00" if with_time else ""))
            field.widget.attrs.setdefault("max", f"{dates.latest():%Y-%m-%d}" + ("T23:59" if with_time else ""))
            hint = dates.window_hint(earliest)
            if hint not in str(field.help_text):
                field.help_text = f"{field.help_text} {hint}".strip()
    return form


def bootstrap(form: forms.BaseForm) -> forms.BaseForm:
    """Add Bootstrap classes to every widget of `form` (call in __init__), and
    make every plain BooleanField strict (StrictBooleanField is a subclass with
    the same state, so swapping the class in place is safe), bound every
    date field to the sane window (`window_dates`), and make every select of
    people, groups, clauses, documents or records searchable (qms/widgets.py)."""
    window_dates(form)
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
    searchable(form)
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
        # AuthenticationForm sets max_length after the field is built, so no
        # validator checks it: a 20,000-character name reached authenticate()
        # and the lockout log's 255-character column (a 500).
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length))

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
    if access == "none":
        return gettext("Your access to this QMS has not been set up. Ask the quality manager who invited you.")
    window = {"start": _when(access.valid_from), "end": _when(access.valid_until)}
    if access.revoked_at:
        return gettext("Your access to this QMS was withdrawn on %(date)s. Ask the quality manager who invited you.") % {
            "date": _when(access.revoked_at)}
    if access.valid_from > timezone.now():
        return gettext("Your access to this QMS is open from %(start)s to %(end)s. Please log in then.") % window
    return gettext("Your access to this QMS was open from %(start)s to %(end)s and has ended. Ask the quality manager "
                   "who invited you.") % window


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
