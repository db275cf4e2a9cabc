from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qms import safeurls
from qms.forms import BootstrapForm
from qms.models import Clause, Process
from qms.safeurls import is_same_site_path


class InviteForm(BootstrapForm):
    full_name = forms.CharField(max_length=150, label=_("Full name"))
    email = forms.EmailField(label=_("E-mail"), help_text=_("Becomes the user name; the set-password link goes here. "
                             "An auditor who has an account already gets their access renewed."))
    organisation = forms.CharField(max_length=150, label=_("Organisation"), help_text=_("Certification body"))
    audit_reference = forms.CharField(max_length=200, label=_("Audit"), help_text=_("e.g. Stage 2 certification audit, March 2027"))
    valid_from = forms.DateTimeField(label=_("Valid from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), help_text=_("UTC"))
    valid_until = forms.DateTimeField(label=_("Valid until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), help_text=_("UTC"))
    all_scope = forms.BooleanField(required=False, label=_("Everything is in scope"))
    clauses = forms.ModelMultipleChoiceField(
        Clause.objects.all(), required=False, label=_("Clauses"), help_text=_("A clause includes its sub-clauses."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    processes = forms.ModelMultipleChoiceField(Process.objects.all(), required=False, label=_("Processes"))

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end <= start:
            self.add_error("valid_until", gettext("The access must end after it starts."))
        if end and end <= timezone.now():
            self.add_error("valid_until", gettext("This date is already past."))
        if not data.get("all_scope") and not data.get("clauses") and not data.get("processes"):
            raise forms.ValidationError(gettext("Choose the clauses or processes in scope, or tick “Everything is in scope”."))
        return data


class RenewForm(InviteForm):
    """A new window and scope for an existing grant (extend, narrow, or re-open)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["full_name"], self.fields["email"]


class RevokeForm(BootstrapForm):
    reason = forms.CharField(max_length=300, label=_("Reason"), help_text=_("Recorded in the audit trail."))


class EvidenceRequestForm(BootstrapForm):
    subject = forms.CharField(max_length=200, label=_("What do you need?"), help_text=_("e.g. Calibration records for gauge G-17 in March"))
    details = forms.CharField(required=False, label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}))
    page_url = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        # A hidden field: the error is shown with the form's own errors.
        if data.get("page_url") and not is_same_site_path(data["page_url"]):
            self.add_error(None, safeurls.MESSAGE)
        return data


class AnswerForm(BootstrapForm):
    answer = forms.CharField(required=False, label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}))
    references = forms.CharField(
        required=False, label=_("References"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: a document number (SOP-QA-001), an exact revision (SOP-QA-001 rev 02) or a record number."),
    )
    files = forms.FileField(required=False, label=_("Files"), widget=forms.ClearableFileInput(attrs={"allow_multiple_selected": True}))

    def reference_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("references", "").splitlines() if line.strip()]


class PackVerifyForm(BootstrapForm):
    MAX_BYTES = 2 * 1024 * 1024 * 1024

    pack = forms.FileField(label=_("Evidence pack (.zip)"))

    def clean_pack(self):
        pack = self.cleaned_data["pack"]
        if not pack.name.lower().endswith(".zip"):
            raise forms.ValidationError(gettext("Choose the pack's .zip file."))
        if pack.size > self.MAX_BYTES:
            raise forms.ValidationError(gettext("The file is larger than 2 GB."))
        return pack


class PackBuildForm(BootstrapForm):
    """Scope and period of an evidence pack."""

    clauses = forms.ModelMultipleChoiceField(
        Clause.objects.all(), required=False, to_field_name="number", label=_("Clauses"),
        help_text=_("A clause includes its sub-clauses. None chosen: every clause (within your access)."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from auditor.scope import scope_for

        scope = scope_for(user) if user is not None else None
        if scope is not None:  # a scoped external auditor chooses among the clauses of their grant
            self.fields["clauses"].queryset = Clause.objects.filter(pk__in=scope.clause_ids)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", gettext("The period must end on or after its start."))
        return data

    def scope(self):
        from auditor.pack_builder import PackScope

        data = self.cleaned_data
        return PackScope(clause_numbers=tuple(c.number for c in data["clauses"]), start=data["start"], end=data["end"])
