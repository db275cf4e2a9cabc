"""Forms of the supplier pages: they check input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from qms.forms import BootstrapForm, BootstrapModelForm
from qms.models import User
from suppliers.models import SCALE_MAX, SCALE_MIN, Criterion, Evaluation, Supplier

USERS = User.objects.filter(is_active=True).only("id", "username", "full_name", "first_name", "last_name")


class SupplierForm(BootstrapModelForm):
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Supplier
        fields = ["name", "supplies", "criticality", "scope_of_approval", "owner", "website", "address"]
        widgets = {"scope_of_approval": forms.Textarea(attrs={"rows": 3}), "address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = USERS

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class FilterForm(BootstrapForm):
    q = forms.CharField(label="Search", required=False, max_length=100)
    status = forms.ChoiceField(choices=[("", "Any status")] + list(Supplier.Status.choices), required=False)
    criticality = forms.ChoiceField(choices=[("", "Any criticality")] + list(Supplier.Criticality.choices),
                                    required=False)
    due = forms.BooleanField(label="Evaluation due", required=False)


class StatusForm(BootstrapForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ContactForm(BootstrapForm):
    name = forms.CharField(max_length=150)
    role = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)


class CertificateForm(BootstrapForm):
    standard = forms.CharField(max_length=100, help_text="e.g. ISO 9001:2015")
    number = forms.CharField(label="Certificate number", max_length=100, required=False)
    issuer = forms.CharField(label="Issued by", max_length=150, required=False)
    valid_until = forms.DateField(label="Valid until", widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label="Certificate file (PDF or image)", required=False)


class CriterionForm(BootstrapModelForm):
    weight = forms.IntegerField(min_value=1, max_value=100, help_text="Relative weight (1–100)")
    order = forms.IntegerField(min_value=0, max_value=1000, initial=0)

    class Meta:
        model = Criterion
        fields = ["name", "description", "weight", "order", "is_active"]


class EvaluationForm(BootstrapForm):
    """One score field per active criterion, on the SCALE_MIN–SCALE_MAX scale."""

    kind = forms.ChoiceField(choices=Evaluation.Kind.choices)
    evaluated_on = forms.DateField(label="Date of evaluation", widget=forms.DateInput(attrs={"type": "date"}))
    decision = forms.ChoiceField(choices=Evaluation.Decision.choices)
    notes = forms.CharField(label="Findings and conditions", required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = forms.IntegerField(
                label=f"{c.name} (weight {c.weight})", min_value=SCALE_MIN, max_value=SCALE_MAX,
                help_text=c.description or f"{SCALE_MIN} poor … {SCALE_MAX} excellent",
                widget=forms.NumberInput(attrs={"class": "form-control", "min": SCALE_MIN, "max": SCALE_MAX}),
                error_messages={"min_value": f"Scores run from {SCALE_MIN} to {SCALE_MAX}.",
                                "max_value": f"Scores run from {SCALE_MIN} to {SCALE_MAX}."},
            )
        self.initial.setdefault("evaluated_on", timezone.localdate())

    def clean_evaluated_on(self):
        value = self.cleaned_data["evaluated_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The evaluation date is in the future: record an evaluation once it is done.")
        return value

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}

    def score_fields(self):
        return [self[f"score_{c.pk}"] for c in self.criteria]

    def other_fields(self):
        return [self[n] for n in ("kind", "evaluated_on", "decision", "notes")]


class DeliveryForm(BootstrapForm):
    month = forms.DateField(help_text="Any day of the month", widget=forms.DateInput(attrs={"type": "date"}))
    delivered = forms.IntegerField(label="Deliveries received", min_value=1, max_value=100000)
    on_time = forms.IntegerField(label="Of which on time", min_value=0, max_value=100000)

    def clean(self):
        data = super().clean()
        if data.get("delivered") is not None and data.get("on_time") is not None and data["on_time"] > data["delivered"]:
            self.add_error("on_time", "On-time deliveries cannot exceed deliveries received.")
        if data.get("month") and data["month"].replace(day=1) > timezone.localdate():
            self.add_error("month", "That month has not started yet.")
        return data


class CapaForm(BootstrapForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    severity = forms.ChoiceField(choices=[("minor", "Minor"), ("major", "Major")])
