"""Forms of the equipment pages: they check input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from equipment.models import CODE_CHARS, MAX_INTERVAL_MONTHS, Calibration, Instrument
from qms.forms import BootstrapForm
from qms.models import User

USERS = User.objects.filter(is_active=True).only("id", "username", "full_name", "first_name", "last_name")


class InstrumentForm(BootstrapForm):
    code = forms.CharField(label=_("Id"), max_length=30, help_text=_("The id on the instrument's label, e.g. MIC-014"))
    description = forms.CharField(label=_("Description"), max_length=200)
    location = forms.CharField(label=_("Location"), max_length=100, required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=USERS)
    measurement_range = forms.CharField(label=_("Measurement range"), max_length=100, required=False)
    calibration_interval_months = forms.IntegerField(label=_("Calibration interval (months)"), min_value=1,
                                                     max_value=MAX_INTERVAL_MONTHS)

    def __init__(self, *args, instance: Instrument | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None:
            self.fields["code"].disabled = True  # records name it (a disabled field keeps its initial value)
            for name in self.fields:
                self.initial.setdefault(name, getattr(instance, name))

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not CODE_CHARS.match(code):
            raise forms.ValidationError(gettext("Use letters, digits, dots, hyphens and underscores (up to 30)."))
        return code

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "code"}


class FilterForm(BootstrapForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status"))] + list(Instrument.Status.choices), required=False)
    due = forms.ChoiceField(choices=[("", _("Any")), ("overdue", _("Overdue")), ("soon", _("Due within 30 days"))],
                            required=False, label=_("Calibration"))
    mine = forms.BooleanField(label=_("Mine"), required=False)


class StatusForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class CalibrationForm(BootstrapForm):
    calibrated_on = forms.DateField(label=_("Calibration date"), widget=forms.DateInput(attrs={"type": "date"}))
    result = forms.ChoiceField(label=_("Result"), choices=Calibration.Result.choices)
    due_on = forms.DateField(label=_("Next due"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("Empty: the calibration date plus the instrument's interval."))
    performed_by = forms.CharField(label=_("Calibrated by (laboratory or person)"), max_length=150)
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=100, required=False)
    notes = forms.CharField(label=_("As found / as left, notes"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("Certificate (PDF or image)"), required=False)

    def clean(self):
        data = super().clean()
        cal, due = data.get("calibrated_on"), data.get("due_on")
        if cal and cal > timezone.localdate():
            self.add_error("calibrated_on", gettext("The calibration date is in the future: record it once it is done."))
        if cal and due and due <= cal:
            self.add_error("due_on", gettext("The next due date must be after the calibration date."))
        return data
