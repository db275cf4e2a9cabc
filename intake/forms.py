from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake.tabular import max_table_bytes
from qms.forms import BootstrapForm
from records.models import RecordType


def _check_size(f, limit: int, what: str):
    if f is not None and f.size > limit:
        raise forms.ValidationError(gettext("%(what)s is %(size)s MB; the limit is %(limit)s MB.") % {
            "what": what, "size": f"{f.size / 1048576:.0f}", "limit": limit // 1048576})
    return f


def _check_ext(f, exts: tuple[str, ...], what: str):
    if f is not None and not f.name.lower().endswith(exts):
        raise forms.ValidationError(gettext("%(what)s must be a %(types)s file.") % {
            "what": what, "types": gettext(" or ").join(exts)})
    return f


def zip_limit() -> int:
    return int(getattr(settings, "INTAKE_MAX_ZIP_MB", 500)) * 1024 * 1024


class RegisterField(forms.FileField):
    def clean(self, data, initial=None):
        f = super().clean(data, initial)
        _check_ext(f, (".csv", ".xlsx"), gettext("The register"))
        return _check_size(f, max_table_bytes(), gettext("The register"))


class ZipField(forms.FileField):
    def clean(self, data, initial=None):
        f = super().clean(data, initial)
        _check_ext(f, (".zip",), gettext("The files"))
        return _check_size(f, zip_limit(), gettext("The ZIP file"))


class DocumentImportForm(BootstrapForm):
    register = RegisterField(label=_("Document register (CSV or XLSX)"),
                             help_text=_("Columns: number, title, type, department, owner, revision, effective date, "
                                         "approver, approval date, clauses, distribution, file."))
    files = ZipField(label=_("Files (ZIP of .docx and .pdf)"))


class RecordImportForm(BootstrapForm):
    record_type = forms.ModelChoiceField(label=_("Record type"), queryset=RecordType.objects.filter(is_active=True), to_field_name="code")
    register = RegisterField(label=_("Records (CSV or XLSX)"))
    files = ZipField(label=_("Evidence files (ZIP, optional)"), required=False)


class PeopleImportForm(BootstrapForm):
    register = RegisterField(label=_("People (CSV or XLSX)"),
                             help_text=_("Columns: username, e-mail, full name, department, roles (separated by ;), "
                                         "job title, login (local, ldap, oidc or none)."))


class MappingForm(BootstrapForm):
    """One choice per column of the file: the form field it fills (or nothing)."""

    def __init__(self, *args, headers: list[str], targets: list[tuple[str, str]], mapping: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = [h for h in headers if h]
        choices = [("", gettext("— not imported —"))] + list(targets)
        for i, h in enumerate(self.headers):
            self.fields[f"col{i}"] = forms.ChoiceField(label=h, choices=choices, required=False,
                                                       initial=mapping.get(h, ""))
        from qms.forms import bootstrap

        bootstrap(self)

    def clean(self):
        data = super().clean()
        used = {}
        for i, h in enumerate(self.headers):
            key = data.get(f"col{i}")
            if key:
                if key in used:
                    self.add_error(f"col{i}", gettext("Already chosen for the column “%(column)s”.") % {"column": used[key]})
                used[key] = h
        return data

    def mapping(self) -> dict:
        return {h: self.cleaned_data[f"col{i}"] for i, h in enumerate(self.headers) if self.cleaned_data.get(f"col{i}")}
