"""Forms for records.

`build_record_form(form_version, ...)` is the one place that turns a form
version's field definitions into a Django form with server-side validation
(required, ranges, choices); the views and the services both use it, so a
value that the browser form would refuse is refused from every path.

The form builder (`FieldDefinitionFormSet`) lets the quality manager add,
remove and reorder typed fields without writing JSON.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qms import references
from qms.concurrency import StampField
from qms.forms import (
    BootstrapForm,
    BootstrapModelForm,
    StrictBooleanField,
    StrictDecimalField,
    WindowDateField,
    bootstrap,
    parse_number,
)
from qms.models import User
from records.form_rules import evaluate
from records.models import FIELD_TYPES, RecordType

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
# Names the record form posts besides its fields: a new field never takes one
# (a field keyed "action" would be overwritten by the Save/Submit button).
RESERVED_KEYS = frozenset({"action", "evidence", "staged", "staged_seen", "amendment_reason", "csrfmiddlewaretoken"})
TEXT_MAX = 500
LONGTEXT_MAX = 10000


# ------------------------------------------------------------------ record values
def _help(defn: dict) -> str:
    parts = [defn.get("help", "")]
    if defn["type"] == "number":
        limits = []
        if defn.get("min") not in (None, ""):
            limits.append(f"min {defn['min']}")
        if defn.get("max") not in (None, ""):
            limits.append(f"max {defn['max']}")
        if defn.get("unit"):
            limits.append(f"unit: {defn['unit']}")
        if limits:
            parts.append("(" + ", ".join(limits) + ")")
    return " ".join(p for p in parts if p)


def _decimal(value):
    if value in (None, ""):
        return None
    return parse_number(str(value))


class ReferenceField(forms.ModelChoiceField):
    """A field naming an object of a registered kind (qms.references), stored
    by its identifier. An object the kind refuses now (an instrument overdue
    for calibration) is refused with the kind's reason, unless the record
    already held it (a correction keeps what was measured with)."""

    def __init__(self, kind: references.Kind, *, kept=None, **kwargs):
        self.kind, self.kept = kind, kept
        super().__init__(queryset=kind.choices(), to_field_name=kind.identifier, **kwargs)

    def label_from_instance(self, obj):
        return self.kind.describe(obj)

    def clean(self, value):
        obj = super().clean(value)
        if obj is not None and str(getattr(obj, self.kind.identifier)) != str(self.kept):
            reason = self.kind.refusal(obj)
            if reason:
                raise forms.ValidationError(reason)
        return obj


def make_field(defn: dict, *, required: bool, kept=None) -> forms.Field:
    """One Django form field for one definition (`kept`: the value the record already holds)."""
    kind = defn["type"]
    common = {"label": defn["label"], "required": required, "help_text": _help(defn)}
    choices = [(c, c) for c in defn.get("choices") or []]
    if kind == "text":
        return forms.CharField(max_length=TEXT_MAX, **common)
    if kind == "longtext":
        return forms.CharField(max_length=LONGTEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == "number":
        return StrictDecimalField(
            min_value=_decimal(defn.get("min")), max_value=_decimal(defn.get("max")),
            widget=forms.NumberInput(attrs={"step": "any"}), **common,
        )
    if kind == "date":
        return WindowDateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "choice":
        return forms.ChoiceField(choices=[("", "—")] + choices, **common)
    if kind == "multichoice":
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if kind == "checkbox":
        return StrictBooleanField(**common)
    if kind == "user":
        return forms.ModelChoiceField(
            queryset=User.objects.filter(is_active=True).only("id", "username", "full_name", "first_name", "last_name"),
            **common,
        )
    if kind == "file":
        return forms.FileField(**common)
    if kind == "reference":
        ref = references.get(defn.get("ref_kind", ""))
        if ref is None:  # the app that registered the kind is gone: keep the stored text readable
            return forms.CharField(max_length=TEXT_MAX, disabled=True, **common)
        return ReferenceField(ref, kept=kept, **common)
    raise ValueError(f"Unknown field type {kind!r}")


def to_json(defn: dict, value):
    """A cleaned form value as stored in Record.values (JSON)."""
    kind = defn["type"]
    if value in (None, "", []) and kind != "checkbox":
        return None
    if kind == "number":
        return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    if kind == "date":
        return value.isoformat()
    if kind == "user":
        return value.pk
    if kind == "reference":
        return str(getattr(value, references.get(defn["ref_kind"]).identifier)) if hasattr(value, "pk") else value
    if kind == "multichoice":
        return list(value)
    if kind == "checkbox":
        return bool(value)
    return value


def to_initial(defn: dict, value):
    """A stored JSON value as a form's initial value."""
    if value is None:
        return None
    if defn["type"] == "date":
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
    return value


class RecordValuesForm(BootstrapForm):
    """Built per form version by `build_record_form`; do not use directly."""

    definitions: list[dict] = []
    rules: list[dict] = []

    def __init__(self, *args, for_draft: bool = False, existing_files: set[str] | None = None,
                 skip_files: bool = False, kept: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        existing_files = existing_files or set()
        self.for_draft, self.existing_files = for_draft, existing_files
        for defn in self.definitions:
            if defn["type"] == "file" and skip_files:
                continue
            required = bool(defn.get("required")) and not for_draft
            if defn["type"] == "file" and defn["key"] in existing_files:
                required = False  # already answered by an uploaded file
            self.fields[defn["key"]] = make_field(defn, required=required, kept=(kept or {}).get(defn["key"]))
        bootstrap(self)

    def clean(self):
        data = super().clean()
        if not self.for_draft and self.rules:  # a draft may be inconsistent; submission and amendment may not
            errors = evaluate(self.definitions, self.rules, data, present_files=self.existing_files)
            for key, messages in errors.items():
                if key in self.fields and key not in self.errors:
                    self.add_error(key, messages)
                elif key not in self.fields:  # a file field left out of this form
                    self.add_error(None, messages)
        return data

    def json_values(self) -> dict:
        """Cleaned values as JSON (file fields excluded: they become evidence)."""
        return {
            d["key"]: to_json(d, self.cleaned_data.get(d["key"]))
            for d in self.definitions
            if d["type"] != "file" and d["key"] in self.fields
        }

    def uploaded_files(self) -> dict:
        return {
            d["key"]: self.cleaned_data[d["key"]]
            for d in self.definitions
            if d["type"] == "file" and self.cleaned_data.get(d["key"])
        }


def build_record_form(form_version, data=None, files=None, *, values: dict | None = None, **kwargs) -> RecordValuesForm:
    """A bound or unbound form for `form_version` (initial from stored `values`)."""
    definitions = list(form_version.fields or [])
    form_class = type(f"RecordValuesForm_v{form_version.pk}", (RecordValuesForm,),
                      {"definitions": definitions, "rules": list(getattr(form_version, "rules", None) or [])})
    initial = {d["key"]: to_initial(d, (values or {}).get(d["key"])) for d in definitions if d["type"] != "file"}
    return form_class(data, files, initial=initial, **kwargs)


def values_as_data(form_version, values: dict):
    """Stored values as POST-like data, to re-validate them in a service."""
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for d in form_version.fields or []:
        value = (values or {}).get(d["key"])
        if value is None or d["type"] == "file":
            continue
        if d["type"] == "multichoice":
            data.setlist(d["key"], [str(v) for v in value])
        elif d["type"] == "checkbox":
            if value:
                data[d["key"]] = "on"
        else:
            data[d["key"]] = str(value)
    return data


def display_value(defn: dict, value, users: dict | None = None) -> str:
    """A stored value as text for pages, exports and PDFs."""
    if defn["type"] == "checkbox":
        return "Yes" if value else "No"
    if value in (None, "", []):
        return "—"
    if defn["type"] == "multichoice":
        return ", ".join(str(v) for v in value)
    if defn["type"] == "user":
        user = (users or {}).get(value)
        return user.display_name if user else f"user #{value}"
    if defn["type"] == "number" and defn.get("unit"):
        return f"{value} {defn['unit']}"
    return str(value)


# ------------------------------------------------------------------ form builder
class FieldDefinitionForm(BootstrapForm):
    """One row of the form builder. The key is kept across versions so old
    and new records line up; new rows get one from the label."""

    key = forms.CharField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(max_length=120, label=_("Label"))
    type = forms.ChoiceField(choices=FIELD_TYPES, initial="text", label=_("Field type"))
    required = forms.BooleanField(required=False, label=_("Required"))
    help = forms.CharField(label=_("Help text"), max_length=300, required=False)
    min = StrictDecimalField(label=_("Minimum"), required=False)
    max = StrictDecimalField(label=_("Maximum"), required=False)
    unit = forms.CharField(max_length=30, required=False, label=_("Unit"))
    choices = forms.CharField(
        label=_("Choices (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    ref_kind = forms.ChoiceField(label=_("Refers to"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ref_kind"].choices = [("", "—")] + references.choices()

    def has_changed(self):
        # The builder's script numbers every row, the blank extra row too: a
        # position alone does not make a row worth validating.
        return any(name != "ORDER" for name in self.changed_data)

    def clean(self):
        data = super().clean()
        kind = data.get("type")
        choices = [c.strip() for c in (data.get("choices") or "").splitlines() if c.strip()]
        if kind in ("choice", "multichoice"):
            if len(choices) < 2:
                self.add_error("choices", gettext("Give at least two choices, one per line."))
            if len(set(choices)) != len(choices):
                self.add_error("choices", gettext("Each choice must be different."))
        data["choice_list"] = choices
        if kind == "reference" and not data.get("ref_kind"):
            self.add_error("ref_kind", gettext("Choose what the field refers to."))
        if kind == "number" and data.get("min") is not None and data.get("max") is not None and data["min"] > data["max"]:
            self.add_error("max", gettext("The maximum must not be below the minimum."))
        key = data.get("key") or ""
        if key and not KEY_RE.match(key):
            self.add_error("label", gettext("This field's internal key is damaged; remove the row and add it again."))
        return data

    def definition(self) -> dict:
        d = self.cleaned_data
        out = {"key": d.get("key") or "", "label": d["label"].strip(), "type": d["type"], "required": bool(d.get("required"))}
        if d.get("help"):
            out["help"] = d["help"].strip()
        if d["type"] == "number":
            for k in ("min", "max"):
                if d.get(k) is not None:
                    out[k] = format(d[k].normalize(), "f")
            if d.get("unit"):
                out["unit"] = d["unit"].strip()
        if d["type"] in ("choice", "multichoice"):
            out["choices"] = d["choice_list"]
        if d["type"] == "reference":
            out["ref_kind"] = d["ref_kind"]
        return out


class BaseFieldDefinitionFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        labels = [f.cleaned_data["label"].strip().lower() for f in self.ordered_live_forms()]
        if not labels:
            raise forms.ValidationError(gettext("A form needs at least one field."))
        if len(set(labels)) != len(labels):
            raise forms.ValidationError(gettext("Two fields have the same label; labels must be unique."))

    def ordered_live_forms(self):
        live = [f for f in self.forms if f.has_changed() or f.cleaned_data.get("key")]
        live = [f for f in live if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        return sorted(live, key=lambda f: (f.cleaned_data.get("ORDER") is None, f.cleaned_data.get("ORDER") or 0))

    def definitions(self) -> list[dict]:
        """The field definitions in the chosen order, each with a stable key."""
        defs = [f.definition() for f in self.ordered_live_forms()]
        used = {d["key"] for d in defs if d["key"]} | RESERVED_KEYS
        for d in defs:
            if not d["key"]:
                base = (slugify(d["label"]).replace("-", "_") or "field")[:50]
                if not base[0].isalpha():
                    base = "f_" + base
                key, n = base, 2
                while key in used:
                    key, n = f"{base}_{n}", n + 1
                d["key"] = key
                used.add(key)
        return defs


FieldDefinitionFormSet = forms.formset_factory(
    FieldDefinitionForm, formset=BaseFieldDefinitionFormSet, extra=1, can_order=True, can_delete=True, max_num=80,
    validate_max=True,
)


def definitions_as_initial(defs: list[dict]) -> list[dict]:
    out = []
    for d in defs:
        row = {k: d.get(k) for k in ("key", "label", "type", "required", "help", "unit", "ref_kind")}
        row["min"] = _decimal(d.get("min"))
        row["max"] = _decimal(d.get("max"))
        row["choices"] = "\n".join(d.get("choices") or [])
        out.append(row)
    return out


# ------------------------------------------------------------------ record type settings
class RecordTypeForm(BootstrapModelForm):
    permanent = forms.BooleanField(label=_("Keep permanently"), required=False)

    class Meta:
        model = RecordType
        fields = [
            "code", "name", "description", "numbering_pattern", "clauses", "retention_years", "permanent",
            "verification_required", "form_document", "is_active",
        ]
        widgets = {"clauses": forms.SelectMultiple(attrs={"size": 8}), "description": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "code": _("Code"), "name": _("Name"), "description": _("Description"), "numbering_pattern": _("Numbering pattern"),
            "clauses": _("Clauses"), "retention_years": _("Retention (years)"), "verification_required": _("Verification required"),
            "form_document": _("Controlled form document (FRM)"), "is_active": _("Active"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True  # numbers already issued carry it
            self.initial.setdefault("permanent", self.instance.retention_years is None)
        from documents.models import Document

        self.fields["form_document"].queryset = Document.objects.select_related("doc_type").only(
            "number", "title", "doc_type__code"
        )

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not re.match(r"^[A-Z][A-Z0-9-]{0,11}$", code):
            raise forms.ValidationError(gettext("Use capital letters, digits and hyphens (up to 12)."))
        return code

    # The numbering pattern is checked by RecordType.clean (records/models.py
    # numbering_problem), which this form's validation runs with the code entered.

    def clean(self):
        data = super().clean()
        if data.get("permanent"):
            data["retention_years"] = None
        elif data.get("retention_years") in (None, ""):
            # ISO 9001 7.5.3.2d: every kind of retained information has a rule.
            self.add_error("retention_years", gettext("Give a retention period in years, or tick “Keep permanently”."))
        return data


# ------------------------------------------------------------------ small action forms
class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AmendmentReasonForm(BootstrapForm):
    amendment_reason = forms.CharField(
        label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    # The values the form was opened on (records/services.py refuses a stale amendment).
    opened = StampField(required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class EvidenceForm(forms.Form):
    evidence = MultipleFileField(label=_("Evidence files"), required=False)


class LegalHoldForm(BootstrapForm):
    legal_hold = forms.BooleanField(label=_("Legal hold (blocks disposition)"), required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class BulkLegalHoldForm(BootstrapForm):
    """Place or lift the legal hold of the selected records (records.views.bulk_hold)."""

    legal_hold = forms.TypedChoiceField(choices=[("on", _("Place")), ("off", _("Lift"))], coerce=lambda v: v == "on",
                                        widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             help_text=_("The same reason is recorded on every selected record."))


class RegisterFilterForm(BootstrapForm):
    VERIFIED = [("", _("Any")), ("yes", _("Verified")), ("no", _("Unverified"))]

    q = forms.CharField(label=_("Search values"), required=False, max_length=200)
    type = forms.ModelChoiceField(queryset=RecordType.objects.only("code", "name"), required=False, to_field_name="code", label=_("Type"))
    clause = forms.CharField(required=False, max_length=12, label=_("Clause"))
    status = forms.ChoiceField(required=False, label=_("Status"))
    submitter = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).only("id", "username", "full_name", "first_name", "last_name"),
        required=False, label=_("Submitter"),
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    verified = forms.ChoiceField(choices=VERIFIED, required=False, label=_("Verified"))

    def __init__(self, *args, **kwargs):
        from records.models import Record

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", gettext("Any"))] + list(Record.Status.choices)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(gettext("“From” must not be after “until”."))
        return data
