"""Input forms for controlled documents. Forms check input; services enforce the rules."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents.models import (
    NUMBER_CHARS,
    NUMBER_CHARS_TEXT,
    Decision,
    Document,
    DocumentType,
    PeriodicReview,
    Revision,
    RouteStep,
)
from qms.concurrency import StampField
from qms.forms import BootstrapForm, HistoricDateField, UserChoice, UsersChoice, bootstrap
from qms.models import Clause, Department, Process
from qms.permissions import Role
from qms.rules import allowed
from qms.signatures import SignatureForm
from qms.uploads import PDF_ONLY, SOURCE_FILES, validate_upload

User = get_user_model()

MARKDOWN_HELP = _("Markdown: # Heading, **bold**, - lists, 1. numbered lists, | tables |.")


def _users():
    return User.objects.filter(is_active=True).order_by("full_name", "username")


def _approvers():
    return _users().filter(groups__name__in=[Role.APPROVER, Role.QUALITY_MANAGER]).distinct()


def _plain_radios(form) -> None:
    """Bootstrap's form-check-input class on Django's radio wrapper breaks the layout: drop it."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.RadioSelect):
            field.widget.attrs.pop("class", None)


def _clean_file(upload, allowed):
    if upload:
        validate_upload(upload, allowed=allowed)
    return upload


class ContentWidget(forms.Textarea):
    """Markdown textarea that asks the server for a sanitised preview as you type (htmx)."""

    def __init__(self, preview_url: str = "", attrs=None):
        attrs = {"rows": 18, "class": "font-monospace", **(attrs or {})}
        if preview_url:
            attrs.update({"hx-post": preview_url, "hx-trigger": "input changed delay:400ms, load",
                          "hx-target": "#md-preview", "hx-swap": "innerHTML"})
        super().__init__(attrs)


class DocumentCreateForm(BootstrapForm):
    doc_type = forms.ModelChoiceField(label=_("Type"), queryset=DocumentType.objects.all())
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())
    title = forms.CharField(label=_("Title"), max_length=200)
    number = forms.CharField(
        label=_("Number"), max_length=40, required=False,
        help_text=_("Leave empty to take the next number from the type's pattern (quality manager only)."),
    )
    owner = UserChoice(label=_("Owner"), queryset=_users(), required=False, help_text=_("Empty: you"))
    process = forms.ModelChoiceField(label=_("Process"), queryset=Process.objects.all(), required=False)
    clauses = forms.ModelMultipleChoiceField(label=_("Clauses"), queryset=Clause.objects.all(), required=False,
                                             widget=forms.SelectMultiple(attrs={"size": 6}))
    distribution_users = UsersChoice(label=_("Distribution: people"), queryset=_users(), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 5}))
    distribution_groups = forms.ModelMultipleChoiceField(label=_("Distribution: groups"), queryset=Group.objects.all(),
                                                         required=False)
    review_interval_months = forms.IntegerField(label=_("Review interval months"), min_value=1, max_value=120,
                                                required=False, help_text=_("Empty: the type's default"))
    issuer = forms.CharField(label=_("Issuer"), max_length=120, required=False,
                             help_text=_("External documents: who issued it"))
    external_reference = forms.CharField(label=_("Edition / reference"), max_length=120, required=False)
    external_date = HistoricDateField(label=_("Edition date"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    language = forms.ChoiceField(label=_("Written in"), choices=settings.LANGUAGES, required=False,
                                 initial=settings.LANGUAGE_CODE,
                                 help_text=_("The controlled PDF prints its header, footer and signature page in it."))
    content = forms.CharField(label=_("Content"), required=False, help_text=MARKDOWN_HELP)
    pdf = forms.FileField(label=_("Or upload a PDF"), required=False)
    source = forms.FileField(label=_("Editable source file (optional)"), required=False,
                             help_text=_("DOCX, XLSX, PPTX, ODT, ODS or TXT"))

    def __init__(self, *args, user=None, preview_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content"].widget = ContentWidget(preview_url, attrs={"class": "form-control font-monospace"})

        if user is not None and not allowed("documents.assign_number", user):
            del self.fields["number"]

    def clean_number(self):
        number = self.cleaned_data.get("number", "").strip()
        if number and not NUMBER_CHARS.match(number):
            raise ValidationError(gettext("Use only %(chars)s: the number appears in links.") % {"chars": NUMBER_CHARS_TEXT})
        if number and Document.objects.filter(number__iexact=number).exists():
            raise ValidationError(
                gettext("Number %(number)s is already used; document numbers are never reused.") % {"number": number}
            )
        return number

    def clean_pdf(self):
        return _clean_file(self.cleaned_data.get("pdf"), PDF_ONLY)

    def clean_source(self):
        return _clean_file(self.cleaned_data.get("source"), SOURCE_FILES)

    def clean(self):
        data = super().clean()
        doc_type = data.get("doc_type")
        if doc_type and doc_type.external_origin:
            for name in ("issuer", "external_reference"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, gettext("Required for documents of external origin."))
        return data


class DocumentEditForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    owner = UserChoice(label=_("Owner"), queryset=_users())
    process = forms.ModelChoiceField(label=_("Process"), queryset=Process.objects.all(), required=False)
    clauses = forms.ModelMultipleChoiceField(label=_("Clauses"), queryset=Clause.objects.all(), required=False,
                                             widget=forms.SelectMultiple(attrs={"size": 6}))
    distribution_users = UsersChoice(label=_("Distribution: people"), queryset=_users(), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 5}))
    distribution_groups = forms.ModelMultipleChoiceField(label=_("Distribution: groups"), queryset=Group.objects.all(),
                                                         required=False)
    review_interval_months = forms.IntegerField(label=_("Review interval months"), min_value=1, max_value=120,
                                                required=False)
    issuer = forms.CharField(label=_("Issuer"), max_length=120, required=False)
    external_reference = forms.CharField(label=_("Edition / reference"), max_length=120, required=False)
    external_date = HistoricDateField(label=_("Edition date"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    language = forms.ChoiceField(label=_("Written in"), choices=settings.LANGUAGES, required=False,
                                 initial=settings.LANGUAGE_CODE,
                                 help_text=_("The controlled PDF prints its header, footer and signature page in it."))
    reason = forms.CharField(label=_("Reason for the change"), max_length=100)
    # The details the form was opened on: a save over newer details is refused.
    opened = StampField(required=False)


class DraftForm(BootstrapForm):
    content = forms.CharField(label=_("Content"), required=False, help_text=MARKDOWN_HELP)
    change_summary = forms.CharField(label=_("Change summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    change_reason = forms.CharField(label=_("Change reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    pdf = forms.FileField(label=_("Replace the PDF"), required=False)
    remove_pdf = forms.BooleanField(label=_("Remove the PDF"), required=False)
    source = forms.FileField(label=_("Replace the editable source file"), required=False)
    remove_source = forms.BooleanField(label=_("Remove the source file"), required=False)
    # What the draft was opened on: documents/services.py refuses a save over a newer draft.
    opened = StampField(required=False)

    def __init__(self, *args, preview_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content"].widget = ContentWidget(preview_url, attrs={"class": "form-control font-monospace"})

    def clean_pdf(self):
        return _clean_file(self.cleaned_data.get("pdf"), PDF_ONLY)

    def clean_source(self):
        return _clean_file(self.cleaned_data.get("source"), SOURCE_FILES)


class NewRevisionForm(BootstrapForm):
    change_summary = forms.CharField(label=_("Change summary"), widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=_("What changes"))
    change_reason = forms.CharField(label=_("Change reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                    help_text=_("Why"))

    def __init__(self, *args, document=None, **kwargs):
        super().__init__(*args, **kwargs)
        if document is not None and document.doc_type.change_reason_required:
            self.fields["change_reason"].required = True


STEP_ROWS = 3


class RouteForm(BootstrapForm):
    """Up to three ordered steps; a step without signers is skipped."""

    effective_date = forms.DateField(
        label=_("Effective date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: effective as soon as it is approved. A later date keeps the current revision in force "
                    "until then."),
    )

    def __init__(self, *args, revision=None, **kwargs):
        from documents.selectors import route_template_for, template_initial

        super().__init__(*args, **kwargs)
        defaults = [RouteStep.Kind.REVIEW, RouteStep.Kind.APPROVE, ""]
        # Signers: never an external auditor, never the author (DOC-04).
        signers = _users().exclude(groups__name=Role.EXTERNAL_AUDITOR)
        if revision is not None:
            signers = signers.exclude(pk=revision.created_by_id)
        for i in range(1, STEP_ROWS + 1):
            self.fields[f"step{i}_kind"] = forms.ChoiceField(
                label=_("Kind of step"), choices=[("", _("— not used —")), *RouteStep.Kind.choices], required=False,
                initial=defaults[i - 1],
            )
            self.fields[f"step{i}_mode"] = forms.ChoiceField(label=_("Who must sign"), choices=RouteStep.Mode.choices,
                                                             initial=RouteStep.Mode.ALL)
            self.fields[f"step{i}_users"] = UsersChoice(
                label=_("People"), queryset=signers, required=False, widget=forms.SelectMultiple(attrs={"size": 4})
            )
            self.fields[f"step{i}_groups"] = forms.ModelMultipleChoiceField(
                label=_("Groups (any one member signs for the group)"), required=False,
                queryset=Group.objects.exclude(name=Role.EXTERNAL_AUDITOR),
            )
        bootstrap(self)
        self.revision = revision
        # The document type's route template (issue 18.5): fixed when its author may not edit it.
        self.template = route_template_for(revision.document) if revision is not None else None
        self.fixed = bool(self.template and not self.template.author_may_edit)
        if self.fixed:
            for key, value in template_initial(self.template, revision).items():
                self.fields[key].initial = value
            for key, field in self.fields.items():
                if key.startswith("step"):
                    field.disabled = True

    def steps(self):
        from documents.services import StepSpec

        out = []
        for i in range(1, STEP_ROWS + 1):
            kind = self.cleaned_data.get(f"step{i}_kind")
            users = list(self.cleaned_data.get(f"step{i}_users") or [])
            groups = list(self.cleaned_data.get(f"step{i}_groups") or [])
            if kind and (users or groups):
                out.append(StepSpec(kind=kind, mode=self.cleaned_data[f"step{i}_mode"], users=users, groups=groups))
        return out

    def step_rows(self):
        return [
            [self[f"step{i}_kind"], self[f"step{i}_mode"], self[f"step{i}_users"], self[f"step{i}_groups"]]
            for i in range(1, STEP_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        for i in range(1, STEP_ROWS + 1):
            if data.get(f"step{i}_kind") and not (data.get(f"step{i}_users") or data.get(f"step{i}_groups")):
                self.add_error(f"step{i}_users", gettext("Choose at least one person or group for this step."))
        return data


class DecisionForm(SignatureForm):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    significance = forms.ChoiceField(
        label=_("The change is"), choices=Revision.Significance.choices, widget=forms.RadioSelect, required=False,
    )

    field_order = ["outcome", "significance", "comment", "username", "password"]

    def __init__(self, *args, step=None, **kwargs):
        super().__init__(*args, **kwargs)
        if step is not None:
            if step.kind == RouteStep.Kind.APPROVE:
                self.fields["outcome"].choices = [("approved", gettext("Approve")), ("rejected", gettext("Reject"))]
                self.fields["outcome"].initial = "approved"
                self.fields["significance"].initial = Revision.Significance.SIGNIFICANT
            else:
                self.fields["outcome"].choices = [("reviewed", gettext("Reviewed: fit for approval")),
                                                  ("rejected", gettext("Reject"))]
                self.fields["outcome"].initial = "reviewed"
                del self.fields["significance"]
        self.order_fields(self.field_order)
        _plain_radios(self)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "rejected" and not (data.get("comment") or "").strip():
            self.add_error("comment", gettext("Say why you reject it: the author will see your comment."))
        if data.get("outcome") == "approved" and "significance" in self.fields and not data.get("significance"):
            self.add_error("significance", gettext("Mark the change as significant or editorial."))
        return data


class AddSignerForm(BootstrapForm):
    step = forms.ModelChoiceField(label=_("Step"), queryset=RouteStep.objects.none())
    user = UserChoice(label=_("User"), queryset=_users(), required=False)
    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.all(), required=False)

    def __init__(self, *args, revision=None, **kwargs):
        super().__init__(*args, **kwargs)
        if revision is not None:
            self.fields["step"].queryset = revision.route_steps.filter(
                status__in=(RouteStep.Status.ACTIVE, RouteStep.Status.WAITING)
            )
        self.fields["step"].label_from_instance = lambda s: gettext("Step %(order)s: %(kind)s (%(status)s)") % {
            "order": s.order, "kind": s.get_kind_display(), "status": s.get_status_display()}

    def clean(self):
        data = super().clean()
        if bool(data.get("user")) == bool(data.get("group")):
            raise ValidationError(gettext("Choose a person or a group (one of them)."))
        return data


class ObsoleteForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Why the document is withdrawn"))


class PeriodicReviewForm(SignatureForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=PeriodicReview.Outcome.choices, widget=forms.RadioSelect,
                                initial=PeriodicReview.Outcome.NO_CHANGE)
    field_order = ["outcome", "comment", "username", "password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        _plain_radios(self)


SORTS = {
    "number": "number", "-number": "-number", "title": "title", "-title": "-title",
    "next_review": "next_review_date", "-next_review": "-next_review_date",
}


class RegisterFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    type = forms.ModelChoiceField(label=_("Type"), queryset=DocumentType.objects.all(), required=False,
                                  to_field_name="code", empty_label=_("Any type"))
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *Revision.Status.choices],
                               required=False)
    owner = UserChoice(label=_("Owner"), queryset=_users(), required=False, empty_label=_("Anyone"))
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False,
                                        to_field_name="code", empty_label=_("Any"))
    clause = forms.ModelChoiceField(label=_("Clause"), queryset=Clause.objects.all(), required=False,
                                    to_field_name="number", empty_label=_("Any"))
    overdue = forms.BooleanField(label=_("Review overdue"), required=False)
    sort = forms.ChoiceField(choices=[(k, k) for k in SORTS], required=False)


class BulkOwnerForm(BootstrapForm):
    """Assign or reassign the owner of the selected documents (documents.views.bulk)."""

    owner = UserChoice(queryset=_users(), label=_("New owner"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             help_text=_("The same reason is recorded on every selected document."))
