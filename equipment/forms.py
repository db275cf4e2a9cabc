"""Forms of the equipment pages: they check input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from equipment.models import CODE_CHARS, MAX_INTERVAL_MONTHS, Calibration, Instrument
from qms.forms import BootstrapForm
from qms.models import User

USERS = User.objects.filter(is_active=True).only("id", "username", "full_name", "first_name", "last_name")


class InstrumentForm(BootstrapForm):
    code = forms.CharField(label="Id", max_length=30, help_text="The id on the instrument's label, e.g. MIC-014")
    description = forms.CharField(max_length=200)
    location = forms.CharField(max_length=100, required=False)
    owner = forms.ModelChoiceField(queryset=USERS)
    measurement_range = forms.CharField(label="Measurement range", max_length=100, required=False)
    calibration_interval_months = forms.IntegerField(label="Calibration interval (months)", min_value=1,
                                                     max_value=MAX_INTERVAL_MONTHS)

    def __init__(self, *args, instance: Instrument | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None:
            self.fields["code"].disabled = True  # records name it
            if not self.is_bound:
                for name in self.fields:
                    self.initial[name] = getattr(instance, name if name != "owner" else "owner")

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not CODE_CHARS.match(code):
            raise forms.ValidationError("Use letters, digits, dots, hyphens and underscores (up to 30).")
        return code

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "code"}


class FilterForm(BootstrapForm):
    q = forms.CharField(label="Search", required=False, max_length=100)
    status = forms.ChoiceField(choices=[("", "Any status")] + list(Instrument.Status.choices), required=False)
    due = forms.ChoiceField(choices=[("", "Any"), ("overdue", "Overdue"), ("soon", "Due within 30 days")],
                            required=False, label="Calibration")
    mine = forms.BooleanField(label="Mine", required=False)


class StatusForm(BootstrapForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class CalibrationForm(BootstrapForm):
    calibrated_on = forms.DateField(label="Calibration date", widget=forms.DateInput(attrs={"type": "date"}))
    result = forms.ChoiceField(choices=Calibration.Result.choices)
    due_on = forms.DateField(label="Next due", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             help_text="Empty: the calibration date plus the instrument's interval.")
    performed_by = forms.CharField(label="Calibrated by (laboratory or person)", max_length=150)
    certificate_number = forms.CharField(max_length=100, required=False)
    notes = forms.CharField(label="As found / as left, notes", required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label="Certificate (PDF or image)", required=False)

    def clean(self):
        data = super().clean()
        cal, due = data.get("calibrated_on"), data.get("due_on")
        if cal and cal > timezone.localdate():
            self.add_error("calibrated_on", "The calibration date is in the future: record it once it is done.")
        if cal and due and due <= cal:
            self.add_error("due_on", "The next due date must be after the calibration date.")
        return data
