"""Forms for competence and training: they check input only; services hold the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from documents.models import Document
from qms.forms import BootstrapForm, UserChoice
from qms.models import Department
from training.models import Competence, JobRole, Person, TrainingRecord


def _users():
    return get_user_model().objects.filter(is_active=True).order_by("full_name", "username")


class MatrixFilterForm(BootstrapForm):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("code"), required=False)
    role = forms.ModelChoiceField(queryset=JobRole.objects.filter(is_active=True).order_by("code"), required=False,
                                  label=_("Job role"))
    q = forms.CharField(required=False, max_length=100, label=_("Name"))
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)
    cols = forms.IntegerField(required=False, min_value=1, max_value=10**4)


class CompetenceForm(BootstrapForm):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=Competence.Kind.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    validity_months = forms.IntegerField(required=False, min_value=1, max_value=600, label=_("Validity (months)"),
                                         help_text=_("Empty: it does not expire."))
    documents = forms.ModelMultipleChoiceField(label=_("Documents"),
        queryset=Document.objects.with_effective().order_by("number"), required=False,
        help_text=_("Controlled documents it rests on: a significant revision asks holders to read it again."))
    is_active = forms.BooleanField(required=False, initial=True, label=_("Active"))


class RoleForm(BootstrapForm):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("code"), required=False)
    competences = forms.ModelMultipleChoiceField(queryset=Competence.objects.filter(is_active=True).order_by("code"),
                                                 required=False, label=_("Required competences"))
    is_active = forms.BooleanField(required=False, initial=True, label=_("Active"))


class PersonForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    employee_number = forms.CharField(label=_("Employee number"), max_length=30, required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("code"))
    user = UserChoice(queryset=_users(), required=False, label=_("Login (if the person has one)"))
    roles = forms.ModelMultipleChoiceField(queryset=JobRole.objects.filter(is_active=True).order_by("code"),
                                           required=False, label=_("Job roles"))
    is_active = forms.BooleanField(required=False, initial=True, label=_("Active"))


class RecordForm(BootstrapForm):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.filter(is_active=True).order_by("name"))
    competence = forms.ModelChoiceField(label=_("Competence"), queryset=Competence.objects.filter(is_active=True).order_by("code"))
    trained_on = forms.DateField(label=_("Date of training"), widget=forms.DateInput(attrs={"type": "date"}))
    trainer = UserChoice(label=_("Trainer"), queryset=_users())
    provider = forms.CharField(max_length=150, required=False, label=_("Training provider (if external)"))
    method = forms.ChoiceField(label=_("Method"), choices=TrainingRecord.Method.choices)
    result = forms.ChoiceField(label=_("Result"), choices=TrainingRecord.Result.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    effectiveness_method = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label=_("How will effectiveness be checked?"),
        help_text=_("ISO 9001 7.2 c: e.g. the supervisor observes the first three jobs; a test after a month."))
    effectiveness_due = forms.DateField(required=False, label=_("Check effectiveness by"),
                                        widget=forms.DateInput(attrs={"type": "date"}))
    files = forms.FileField(required=False, label=_("Evidence file"),
                            help_text=_("Attendance list, certificate, test result (more can be added later)."))

    def clean(self):
        data = super().clean()
        person, trainer = data.get("person"), data.get("trainer")
        if person is not None and trainer is not None and person.user_id == trainer.pk:
            self.add_error("trainer", _("The trainer cannot be the trainee."))
        from django.utils import timezone

        if data.get("trained_on") and data["trained_on"] > timezone.localdate():
            self.add_error("trained_on", _("A training record cannot be dated in the future."))
        return data


class EvaluateForm(BootstrapForm):
    result = forms.ChoiceField(choices=[(TrainingRecord.Effectiveness.EFFECTIVE, _("Effective")),
                                        (TrainingRecord.Effectiveness.NOT_EFFECTIVE, _("Not effective"))],
                               label=_("Was the training effective?"))
    checked_on = forms.DateField(label=_("Checked on"), widget=forms.DateInput(attrs={"type": "date"}))


class EvidenceForm(BootstrapForm):
    files = forms.FileField(label=_("Evidence file"))


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class QualificationForm(BootstrapForm):
    competences = forms.ModelMultipleChoiceField(queryset=Competence.objects.filter(is_active=True).order_by("code"),
                                                 required=False, label=_("Competences the submitter must hold"))
