"""Forms of the planning pages. They check input only; the services decide."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from planning.models import (
    BAND_COLOURS,
    ContextIssue,
    Direction,
    Frequency,
    InterestedParty,
    Kpi,
    Objective,
    Risk,
    RiskScale,
)
from qms import measures
from qms.forms import BootstrapForm, BootstrapModelForm, StrictDecimalField, UserChoice
from qms.models import Process, User


def _people():
    return User.objects.filter(is_active=True).order_by("full_name", "username")


def _tall(*names, rows=3):
    return {n: forms.Textarea(attrs={"rows": rows}) for n in names}


class IssueForm(BootstrapModelForm):
    owner = UserChoice(label=_("Owner"), queryset=_people())

    class Meta:
        model = ContextIssue
        fields = ["origin", "category", "title", "description", "effect", "source", "owner", "review_months"]
        labels = {"origin": _("Origin"), "category": _("Category"), "title": _("Title"),
                  "description": _("Description"), "effect": _("Effect"), "source": _("Source")}
        widgets = _tall("description", "effect")


class PartyForm(BootstrapModelForm):
    owner = UserChoice(label=_("Owner"), queryset=_people())

    class Meta:
        model = InterestedParty
        fields = ["name", "kind", "internal", "requirements", "monitoring", "owner", "review_months"]
        labels = {"name": _("Name"), "internal": _("Internal")}
        widgets = _tall("requirements", "monitoring")


class OutcomeForm(BootstrapForm):
    outcome = forms.CharField(label=_("What the review found"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


# ------------------------------------------------------------------ risks
def _level_choices(top: int):
    return [("", "—")] + [(str(i), str(i)) for i in range(1, top + 1)]


class AssessmentFields(forms.Form):
    """Likelihood and impact on the configured scale, residual and the next date."""

    likelihood = forms.IntegerField(label=_("Likelihood"), min_value=1)
    impact = forms.IntegerField(label=_("Impact"), min_value=1)
    residual_likelihood = forms.IntegerField(label=_("Residual likelihood"), min_value=1, required=False,
                                             help_text=_("After the planned treatment (optional)"))
    residual_impact = forms.IntegerField(label=_("Residual impact"), min_value=1, required=False)
    reassess_on = forms.DateField(label=_("Re-assess on"), widget=forms.DateInput(attrs={"type": "date"}))

    def _limit(self, scale: RiskScale):
        for name, top in (("likelihood", scale.likelihood_levels), ("impact", scale.impact_levels),
                          ("residual_likelihood", scale.likelihood_levels), ("residual_impact", scale.impact_levels)):
            f = self.fields[name]
            f.max_value = top
            f.validators.append(MaxValueValidator(top, message=_("At most %(top)s (the scale).") % {"top": top}))
            f.widget.attrs.update({"min": 1, "max": top})
            f.help_text = (f.help_text + " " if f.help_text else "") + gettext("1 to %(top)s.") % {"top": top}


class RiskForm(AssessmentFields, BootstrapModelForm):
    owner = UserChoice(label=_("Owner"), queryset=_people())
    process = forms.ModelChoiceField(label=_("Process"), queryset=Process.objects.order_by("code"), required=False)
    issues = forms.ModelMultipleChoiceField(queryset=ContextIssue.objects.none(), required=False,
                                            label=_("Context issues it comes from"))
    parties = forms.ModelMultipleChoiceField(queryset=InterestedParty.objects.none(), required=False,
                                             label=_("Interested parties it concerns"))

    class Meta:
        model = Risk
        fields = ["kind", "title", "process", "department", "cause", "effect", "owner", "treatment"]
        labels = {"kind": _("Kind"), "title": _("Title"), "department": _("Department"),
                  "cause": _("Cause"), "effect": _("Effect"), "treatment": _("Treatment")}
        widgets = _tall("cause", "effect")

    def __init__(self, *args, scale: RiskScale, issues, parties, assess: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issues"].queryset = issues
        self.fields["parties"].queryset = parties
        if self.instance.pk:
            self.fields["issues"].initial = list(self.instance.issues.values_list("pk", flat=True))
            self.fields["parties"].initial = list(self.instance.parties.values_list("pk", flat=True))
        if assess:
            self._limit(scale)
        else:
            for name in ("likelihood", "impact", "residual_likelihood", "residual_impact", "reassess_on"):
                del self.fields[name]


class AssessForm(AssessmentFields, BootstrapForm):
    note = forms.CharField(label=_("What the re-assessment found"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, scale: RiskScale, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit(scale)


class ActionForm(BootstrapForm):
    description = forms.CharField(label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    owner = UserChoice(label=_("Owner"), queryset=_people())
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("due_date") and data["due_date"] < data["start_date"]:
            self.add_error("due_date", _("The due date is before the start date."))
        return data


class ActionDoneForm(BootstrapForm):
    outcome = forms.CharField(label=_("What was done, and did it work?"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    completed_on = forms.DateField(label=_("Completed on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text=_("Empty: today."))


class CapaForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("Severity"), choices=[("minor", _("Minor")), ("major", _("Major"))])
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from audits.models import Capa

        self.fields["severity"].choices = Capa.Severity.choices


class RegisterFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All"))] + Risk.Kind.choices, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), ("active", _("Open or being treated"))] + Risk.Status.choices,
                               required=False)
    band = forms.ChoiceField(choices=[("", _("All"))], required=False, label=_("Rating"))
    process = forms.ModelChoiceField(label=_("Process"), queryset=Process.objects.order_by("code"), required=False)
    owner = UserChoice(label=_("Owner"), queryset=_people(), required=False)
    likelihood = forms.IntegerField(required=False, min_value=1, max_value=10, widget=forms.HiddenInput)
    impact = forms.IntegerField(required=False, min_value=1, max_value=10, widget=forms.HiddenInput)
    overdue = forms.ChoiceField(label=_("Overdue"), choices=[("", "—"), ("reassessment", _("Re-assessment overdue")),
                                         ("actions", _("Actions overdue"))], required=False)

    def __init__(self, *args, scale: RiskScale, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["band"].choices = [("", _("All"))] + [(b.name, b.name) for b in scale.band_list()]


class ScaleForm(BootstrapForm):
    likelihood_levels = forms.IntegerField(label=_("Likelihood levels"), min_value=2, max_value=10)
    impact_levels = forms.IntegerField(label=_("Impact levels"), min_value=2, max_value=10)
    bands = forms.CharField(label=_("Bands"),
        widget=forms.Textarea(attrs={"rows": 4}), max_length=1000,
        help_text=format_lazy(_("One band per line, lowest first: name, highest score, colour ({colours}). "
                                "The last band's highest score is the scale's top."), colours=", ".join(BAND_COLOURS)))

    def clean_bands(self):
        out = []
        for line in self.cleaned_data["bands"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) != 3:
                raise forms.ValidationError(gettext("“%(line)s”: write name, highest score, colour.") % {"line": line.strip()[:40]})
            name, top, colour = parts
            if not top.isdigit() or len(top) > 3:
                raise forms.ValidationError(gettext("“%(name)s”: the highest score is a whole number.") % {"name": name[:40]})
            if colour not in BAND_COLOURS:
                raise forms.ValidationError(gettext("“%(name)s”: the colour is one of %(colours)s.") % {"name": name[:40], "colours": ", ".join(BAND_COLOURS)})
            out.append({"name": name[:30], "max": int(top), "colour": colour})
        if not out:
            raise forms.ValidationError(gettext("Give at least one band."))
        return out

    @staticmethod
    def initial_for(scale: RiskScale) -> dict:
        return {"likelihood_levels": scale.likelihood_levels, "impact_levels": scale.impact_levels,
                "bands": "\n".join(f"{b.name}, {b.high}, {b.colour}" for b in scale.band_list())}


# ------------------------------------------------------------------ objectives and KPIs
class ObjectiveForm(BootstrapModelForm):
    owner = UserChoice(label=_("Owner"), queryset=_people())
    target = StrictDecimalField(label=_("Target"), max_digits=14, decimal_places=4)
    baseline = StrictDecimalField(label=_("Baseline"), max_digits=14, decimal_places=4, required=False)

    class Meta:
        model = Objective
        fields = ["statement", "policy", "policy_link", "owner", "process", "target", "unit", "direction", "baseline",
                  "start_date", "due_date", "plan_what", "plan_resources", "plan_who", "plan_when", "plan_evaluation"]
        labels = {"statement": _("Statement"), "process": _("Process"), "unit": _("Unit"),
                  "direction": _("Direction"), "start_date": _("Start date"), "due_date": _("Due date")}
        widgets = {**_tall("plan_what", "plan_resources", "plan_evaluation", rows=2),
                   "start_date": forms.DateInput(attrs={"type": "date"}),
                   "due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from documents.models import Document

        self.fields["policy"].queryset = Document.objects.filter(doc_type__code="POL").order_by("number")
        self.fields["unit"].required = False  # the service says why a unit is needed

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("due_date") and data["due_date"] < data["start_date"]:
            self.add_error("due_date", _("The due date is before the start date."))
        return data


class KpiForm(BootstrapModelForm):
    owner = UserChoice(label=_("Owner"), queryset=_people())
    target = StrictDecimalField(label=_("Target"), max_digits=14, decimal_places=4)
    warning = StrictDecimalField(max_digits=14, decimal_places=4, required=False, label=_("Alert threshold"))
    measure = forms.ChoiceField(required=False, label=_("Computed measure"))
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)

    class Meta:
        model = Kpi
        fields = ["name", "definition", "unit", "frequency", "target", "direction", "warning", "source", "measure",
                  "data_source", "owner", "start_date", "is_active"]
        labels = {"name": _("Name"), "definition": _("Definition"), "unit": _("Unit"),
                  "source": _("Source"), "data_source": _("Data source"), "start_date": _("Start date"),
                  "is_active": _("Is active")}
        widgets = {**_tall("definition", rows=2), "start_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", "—")] + measures.choices()
        self.fields["unit"].required = False  # the service says why a unit is needed


class MeasurementForm(BootstrapForm):
    period = forms.DateField(label=_("A day in the period measured"), widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("Any day of the month (or quarter…) the value is for."))
    value = StrictDecimalField(label=_("Value"), max_digits=14, decimal_places=4)
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("Evidence"), required=False)


class CloseObjectiveForm(BootstrapForm):
    status = forms.ChoiceField(label=_("Status"), choices=[(Objective.Status.ACHIEVED, _("Achieved")),
                                        (Objective.Status.NOT_ACHIEVED, _("Not achieved")),
                                        (Objective.Status.WITHDRAWN, _("Withdrawn"))])
    evaluation = forms.CharField(label=_("Evaluation"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
