"""Input forms; rules live in audits/services.py, forms only check input."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audits.models import Audit, AuditQuestion, AuditReport, Capa, ChecklistItem, Finding, ProgrammeItem
from audits.services import REPORT_FIELDS, AuditInput, EvidenceSpec
from documents.models import Document, Revision
from qms.forms import BootstrapForm, BootstrapModelForm, UserChoice, UsersChoice
from qms.models import Clause, Department, Process
from qms.permissions import Role

User = get_user_model()
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def plain_radios(form: forms.BaseForm) -> None:
    """Django puts a radio widget's class on its container too, and Bootstrap's
    form-check-input shrinks that container to 1em: use native radios instead."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.RadioSelect):
            field.widget.attrs.pop("class", None)


def visible_record_or_error(user, number):
    """The record numbered `number` if `user` may see it; an unknown number and
    a record the user may not see get the same error (no existence oracle)."""
    from records.selectors import records_for_user

    number = (number or "").strip()
    if not number:
        return None
    record = records_for_user(user).filter(number=number).first() if user is not None else None
    if record is None:
        raise forms.ValidationError(gettext("No record numbered “%(number)s”.") % {"number": number}, code="unknown_record")
    return record


def visible_revision(user, number: str, label: str = ""):
    """The revision `label` (empty: the effective one) of document `number`, if `user` may see it."""
    from documents.selectors import documents_for_user, visible_revisions

    if user is None:
        return None
    document = documents_for_user(user).filter(number=number).first()
    if document is None:
        return None
    revisions = visible_revisions(user, document).select_related("document")
    if label:
        return revisions.filter(label=label).first()
    return revisions.filter(status=Revision.Status.EFFECTIVE).first()


def active_users():
    return User.objects.filter(is_active=True).order_by("full_name", "username")


class ProgrammeForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=150)
    period_start = forms.DateField(label=_("Period start"), widget=DATE, help_text=_("At most five years long."))
    period_end = forms.DateField(label=_("Period end"), widget=DATE)
    objectives = forms.CharField(label=_("Objectives"), widget=forms.Textarea(attrs={"rows": 3}))


class ProgrammeItemForm(BootstrapModelForm):
    class Meta:
        model = ProgrammeItem
        fields = ["process", "department", "clause", "frequency_months", "risk"]

    def clean(self):
        data = super().clean()
        if sum(bool(data.get(f)) for f in ("process", "department", "clause")) != 1:
            raise forms.ValidationError(gettext("Choose one of a process, a department or a clause."))
        return data


class AuditForm(BootstrapForm):
    audit_type = forms.ChoiceField(label=_("Type"), choices=Audit.Type.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    objectives = forms.CharField(label=_("Objectives"), widget=forms.Textarea(attrs={"rows": 2}))
    scope = forms.CharField(label=_("Scope"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=_("Required before the audit can be scheduled."))
    criteria_clauses = forms.ModelMultipleChoiceField(label=_("Criteria: clauses"), queryset=Clause.objects.all(),
                                                      required=False, widget=forms.SelectMultiple(attrs={"size": 6}))
    criteria_documents = forms.ModelMultipleChoiceField(label=_("Criteria: documents audited against"),
                                                        queryset=Document.objects.order_by("number"), required=False)
    processes = forms.ModelMultipleChoiceField(label=_("Processes"), queryset=Process.objects.all(), required=False)
    departments = forms.ModelMultipleChoiceField(label=_("Departments"), queryset=Department.objects.all(), required=False)
    site = forms.CharField(label=_("Site"), max_length=150, required=False)
    methods = forms.CharField(label=_("Methods"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              initial="Interviews, observation of work, sampling of records")
    is_remote = forms.BooleanField(label=_("Remote audit"), required=False)
    planned_start = forms.DateTimeField(label=_("Planned start"), widget=DATETIME)
    planned_end = forms.DateTimeField(label=_("Planned end"), widget=DATETIME)
    lead_auditor = UserChoice(label=_("Lead auditor"), queryset=User.objects.none())
    team = UsersChoice(label=_("Team"), queryset=User.objects.none(), required=False)
    auditees = UsersChoice(label=_("Auditees"), queryset=User.objects.none(), required=False)
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        from audits.models import AuditProgramme

        super().__init__(*args, **kwargs)
        auditors = active_users().filter(groups__name__in=[Role.AUDITOR, Role.QUALITY_MANAGER, Role.EXTERNAL_AUDITOR]).distinct()
        self.fields["lead_auditor"].queryset = auditors
        self.fields["team"].queryset = auditors
        self.fields["auditees"].queryset = active_users()
        self.fields["programme"].queryset = AuditProgramme.objects.all()

    @classmethod
    def initial_from(cls, audit: Audit) -> dict:
        return {
            "audit_type": audit.audit_type, "title": audit.title, "objectives": audit.objectives, "scope": audit.scope,
            "criteria_clauses": list(audit.criteria_clauses.all()), "criteria_documents": list(audit.criteria_documents.all()),
            "processes": list(audit.processes.all()), "departments": list(audit.departments.all()), "site": audit.site,
            "methods": audit.methods, "is_remote": audit.is_remote,
            "planned_start": timezone.localtime(audit.planned_start), "planned_end": timezone.localtime(audit.planned_end),
            "lead_auditor": audit.lead_auditor, "team": list(audit.team.all()), "auditees": list(audit.auditees.all()),
            "programme": audit.programme,
        }

    @classmethod
    def initial_from_input(cls, data: AuditInput) -> dict:
        return {k: getattr(data, k) for k in AuditInput.__dataclass_fields__}

    def to_input(self) -> AuditInput:
        d = self.cleaned_data
        return AuditInput(
            audit_type=d["audit_type"], title=d["title"], objectives=d["objectives"], scope=d.get("scope") or "",
            criteria_clauses=list(d["criteria_clauses"]), criteria_documents=list(d["criteria_documents"]),
            processes=list(d["processes"].select_related("department")), departments=list(d["departments"]),
            site=d.get("site") or "", methods=d.get("methods") or "", is_remote=d.get("is_remote", False),
            planned_start=d["planned_start"], planned_end=d["planned_end"], lead_auditor=d["lead_auditor"],
            team=list(d["team"]), auditees=list(d["auditees"]), programme=d.get("programme"),
        )


class EvidenceFieldsMixin(forms.Form):
    """A document revision (the exact one seen), a record (by number) or a file.

    Documents and records are named by number (the lists are long); the
    revision defaults to the one effective now and is stored as that revision,
    so the link keeps pointing at what was seen after the document moves on.

    A number is looked up only among what `user` may see, and one the user may
    not see gets the same answer as one that does not exist: the form is no
    oracle for which numbers exist."""

    ev_document = forms.CharField(label=_("Evidence: document number"), required=False, max_length=40)
    ev_revision_label = forms.CharField(label=_("Revision"), required=False, max_length=12,
                                        help_text=_("Empty = the revision effective now"))
    ev_record = forms.CharField(label=_("Evidence: record number"), required=False, max_length=40)
    ev_file = forms.FileField(label=_("Evidence: file"), required=False)
    ev_note = forms.CharField(label=_("Evidence note"), required=False, max_length=300)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user  # None sees nothing: a lookup without a user finds no number
        super().__init__(*args, **kwargs)

    def setup_evidence(self):
        """Kept for the forms' __init__; nothing to load: no long select lists."""

    def clean(self):
        data = super().clean()
        number = (data.get("ev_document") or "").strip()
        label = (data.get("ev_revision_label") or "").strip()
        data["ev_revision"] = None
        if number:
            revision = visible_revision(self.user, number, label)
            if revision is None:
                if label:
                    message = gettext("No revision %(label)s of document “%(number)s”.") % {"label": label, "number": number}
                else:
                    message = gettext("No effective revision of document “%(number)s”.") % {"number": number}
                self.add_error("ev_document", message)
            data["ev_revision"] = revision
        elif label:
            self.add_error("ev_document", gettext("Give the document number of the revision."))
        return data

    def clean_ev_record(self):
        return visible_record_or_error(self.user, self.cleaned_data.get("ev_record"))

    def evidence_spec(self) -> EvidenceSpec:
        d = self.cleaned_data
        return EvidenceSpec(revision=d.get("ev_revision"), record=d.get("ev_record"), upload=d.get("ev_file"),
                            note=d.get("ev_note") or "")


class AnswerForm(EvidenceFieldsMixin, BootstrapForm):
    answer = forms.ChoiceField(label=_("Answer"), choices=[c for c in ChecklistItem.Answer.choices if c[0]],
                               widget=forms.RadioSelect)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["answer", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_evidence()
        plain_radios(self)


class EvidenceForm(EvidenceFieldsMixin, BootstrapForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_evidence()


class QuestionForm(BootstrapForm):
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    clause = forms.ModelChoiceField(label=_("Clause"), queryset=Clause.objects.all(), required=False)

    def __init__(self, *args, audit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if audit is not None:
            # The audit's own criteria: a short list, and questions stay within scope.
            self.fields["clause"].queryset = audit.criteria_clauses.all()


class LibraryQuestionForm(BootstrapForm):
    """A question of the audit question library (the quality manager's)."""

    clause = forms.ModelChoiceField(label=_("Clause"), queryset=Clause.objects.all())
    text = forms.CharField(label=_("Question"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("An open question an auditor asks, e.g. “Show the calibration records of …”."))
    guidance = forms.CharField(label=_("Evidence to look for"), max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=1_000_000, required=False,
                                  help_text=_("Order within the clause, lower first; empty puts a new question last."))

    @classmethod
    def initial_from(cls, question: AuditQuestion) -> dict:
        return {"clause": question.clause, "text": question.text, "guidance": question.guidance,
                "position": question.position}


class LibraryPickForm(BootstrapForm):
    """Questions an auditor takes from the library for one audit."""

    questions = forms.ModelMultipleChoiceField(
        label=_("Questions"), queryset=AuditQuestion.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one question.")},
    )

    def __init__(self, *args, audit=None, **kwargs):
        from audits.selectors import library_choices

        super().__init__(*args, **kwargs)
        if audit is not None:
            self.fields["questions"].queryset = library_choices(audit)


class FindingForm(EvidenceFieldsMixin, BootstrapForm):
    finding_type = forms.ChoiceField(label=_("Type"), choices=Finding.Type.choices)
    clause = forms.ModelChoiceField(label=_("Clause"), queryset=Clause.objects.all())
    statement = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = UserChoice(label=_("Owner"), queryset=User.objects.none(),
                       help_text=_("Who answers for it (the auditee responsible)"))
    process = forms.ModelChoiceField(label=_("Process"), queryset=Process.objects.all(), required=False)
    checklist_item = forms.ModelChoiceField(queryset=ChecklistItem.objects.none(), required=False,
                                            label=_("From question"))
    field_order = ["finding_type", "clause", "statement", "owner", "process", "checklist_item"]

    def __init__(self, *args, audit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_evidence()
        self.fields["owner"].queryset = active_users()
        if audit is not None:
            self.fields["checklist_item"].queryset = audit.checklist.all()
            self.fields["clause"].queryset = Clause.objects.all()


class ReportForm(BootstrapModelForm):
    class Meta:
        model = AuditReport
        fields = list(REPORT_FIELDS)
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in REPORT_FIELDS if f != "client"}


class CapaRaiseForm(BootstrapForm):
    source = forms.ChoiceField(label=_("Source"),
                               choices=[c for c in Capa.Source.choices if c[0] != Capa.Source.AUDIT_FINDING])
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("Severity"), choices=Capa.Severity.choices)
    owner = UserChoice(label=_("Owner"), queryset=User.objects.none())
    process = forms.ModelChoiceField(label=_("Process"), queryset=Process.objects.all(), required=False)
    clause = forms.ModelChoiceField(label=_("Clause"), queryset=Clause.objects.all(), required=False)
    record_number = forms.CharField(label=_("Source record number"), required=False, max_length=40,
                                    help_text=_("For a complaint or nonconforming output"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = active_users()

    def clean_record_number(self):
        return visible_record_or_error(self.user, self.cleaned_data.get("record_number"))


class CapaOwnerForm(BootstrapForm):
    """A new owner for one CAPA or for the ticked CAPAs of the register (the quality manager's)."""

    owner = UserChoice(queryset=User.objects.none(), label=_("New owner"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             help_text=_("Recorded in the trail of each CAPA (e.g. the owner left the company)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()


class CorrectionForm(BootstrapForm):
    containment = forms.CharField(label=_("Containment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    containment_date = forms.DateField(label=_("Containment date"), required=False, widget=DATE)
    correction = forms.CharField(label=_("Correction"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    correction_date = forms.DateField(label=_("Correction date"), required=False, widget=DATE)


class AnalysisForm(BootstrapForm):
    ca_needed = forms.TypedChoiceField(label=_("Corrective action needed?"), coerce=lambda v: v == "yes",
                                       choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect)
    ca_justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 2}))
    why1 = forms.CharField(label=_("Why? (1)"), required=False)
    why2 = forms.CharField(label=_("Why? (2)"), required=False)
    why3 = forms.CharField(label=_("Why? (3)"), required=False)
    why4 = forms.CharField(label=_("Why? (4)"), required=False)
    why5 = forms.CharField(label=_("Why? (5)"), required=False)
    root_cause = forms.CharField(label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_radios(self)

    def whys(self) -> list[str]:
        return [self.cleaned_data.get(f"why{i}") or "" for i in range(1, 6)]


class ActionForm(BootstrapForm):
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = UserChoice(label=_("Owner"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("Due date"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()


class ActionCompleteForm(EvidenceFieldsMixin, BootstrapForm):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_evidence()


class VerificationPlanForm(BootstrapForm):
    method = forms.CharField(label=_("Effectiveness check method"), widget=forms.Textarea(attrs={"rows": 2}))
    due = forms.DateField(label=_("Check due"), widget=DATE)


class VerifyForm(BootstrapForm):
    result = forms.ChoiceField(label=_("Result"), choices=[c for c in Capa.Result.choices if c[0]],
                               widget=forms.RadioSelect)
    notes = forms.CharField(label=_("What the check found"), widget=forms.Textarea(attrs={"rows": 2}))
    early_reason = forms.CharField(label=_("Why check before the planned date?"), required=False, max_length=500,
                                   help_text=_("Only when recording the check before its planned date; kept in the trail."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_radios(self)
