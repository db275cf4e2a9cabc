"""Forms of the supplier pages: they check input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qms.forms import BootstrapForm, BootstrapModelForm
from qms.models import User
from suppliers.models import SCALE_MAX, SCALE_MIN, Criterion, Evaluation, Supplier

USERS = User.objects.filter(is_active=True).only("id", "username", "full_name", "first_name", "last_name")


class SupplierForm(BootstrapModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)

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
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status"))] + list(Supplier.Status.choices), required=False)
    criticality = forms.ChoiceField(label=_("Criticality"), choices=[("", _("Any criticality"))] + list(Supplier.Criticality.choices),
                                    required=False)
    due = forms.BooleanField(label=_("Evaluation due"), required=False)


class StatusForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ContactForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    role = forms.CharField(label=_("Role"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class CertificateForm(BootstrapForm):
    standard = forms.CharField(label=_("Standard"), max_length=100, help_text=_("e.g. ISO 9001:2015"))
    number = forms.CharField(label=_("Certificate number"), max_length=100, required=False)
    issuer = forms.CharField(label=_("Issued by"), max_length=150, required=False)
    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("Certificate file (PDF or image)"), required=False)


class CriterionForm(BootstrapModelForm):
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, help_text=_("Relative weight (1–100)"))
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000, initial=0)

    class Meta:
        model = Criterion
        fields = ["name", "description", "weight", "order", "is_active"]


class EvaluationForm(BootstrapForm):
    """One score field per active criterion, on the SCALE_MIN–SCALE_MAX scale."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Evaluation.Kind.choices)
    evaluated_on = forms.DateField(label=_("Date of evaluation"), widget=forms.DateInput(attrs={"type": "date"}))
    decision = forms.ChoiceField(label=_("Decision"), choices=Evaluation.Decision.choices)
    notes = forms.CharField(label=_("Findings and conditions"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        scores_run = gettext("Scores run from %(low)s to %(high)s.") % {"low": SCALE_MIN, "high": SCALE_MAX}
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = forms.IntegerField(
                label=gettext("%(name)s (weight %(weight)s)") % {"name": c.name, "weight": c.weight},
                min_value=SCALE_MIN, max_value=SCALE_MAX,
                help_text=c.description or gettext("%(low)s poor … %(high)s excellent") % {"low": SCALE_MIN, "high": SCALE_MAX},
                widget=forms.NumberInput(attrs={"class": "form-control", "min": SCALE_MIN, "max": SCALE_MAX}),
                error_messages={"min_value": scores_run, "max_value": scores_run},
            )
        self.initial.setdefault("evaluated_on", timezone.localdate())

    def clean_evaluated_on(self):
        value = self.cleaned_data["evaluated_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(gettext("The evaluation date is in the future: record an evaluation once it is done."))
        return value

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}

    def score_fields(self):
        return [self[f"score_{c.pk}"] for c in self.criteria]

    def other_fields(self):
        return [self[n] for n in ("kind", "evaluated_on", "decision", "notes")]


class DeliveryForm(BootstrapForm):
    month = forms.DateField(label=_("Month"), help_text=_("Any day of the month"), widget=forms.DateInput(attrs={"type": "date"}))
    delivered = forms.IntegerField(label=_("Deliveries received"), min_value=1, max_value=100000)
    on_time = forms.IntegerField(label=_("Of which on time"), min_value=0, max_value=100000)

    def clean(self):
        data = super().clean()
        if data.get("delivered") is not None and data.get("on_time") is not None and data["on_time"] > data["delivered"]:
            self.add_error("on_time", gettext("On-time deliveries cannot exceed deliveries received."))
        if data.get("month") and data["month"].replace(day=1) > timezone.localdate():
            self.add_error("month", gettext("That month has not started yet."))
        return data


class CapaForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    severity = forms.ChoiceField(label=_("Severity"), choices=[("minor", _("Minor")), ("major", _("Major"))])


class AuditLinkForm(BootstrapForm):
    audit = forms.ModelChoiceField(label=_("Supplier audit"), queryset=None)

    def __init__(self, *args, supplier=None, **kwargs):
        super().__init__(*args, **kwargs)
        from audits.models import Audit

        qs = Audit.objects.filter(audit_type="supplier").only("number", "title", "planned_start")
        if supplier is not None:
            qs = qs.exclude(pk__in=supplier.audit_links.values("audit_id"))
        self.fields["audit"].queryset = qs.order_by("-planned_start")
        self.fields["audit"].label_from_instance = lambda a: f"{a.number} {a.title}"
