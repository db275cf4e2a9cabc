"""Quality records: record types and their form versions (with each form's JSON
schema, so a client can build a submission), the register, a record and every
action of the record page; evidence files.

The record form is the page's (records.forms.build_record_form) and the services
the page's (records.services): a value the page refuses, the API refuses."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import (
    ERRORS,
    Trail,
    ViewSet,
    as_form_data,
    bind,
    form_errors,
    form_schema,
    opened_stamp,
    signed,
    value,
    visible_or_404,
)
from api.exceptions import FormInvalid
from api.filters import FormFilter, cleaned_filters
from api.resources import register
from api.resources.qms import JobSerializer, signatures
from qms import jobs, scope
from qms.concurrency import Stamp
from qms.rules import allowed, require
from qms.signatures import SignatureForm, content_hash
from qms.uploads import file_response
from records import selectors, services
from records.forms import (
    AmendmentReasonForm,
    LegalHoldForm,
    ReasonForm,
    RegisterFilterForm,
    build_record_form,
)
from records.models import Evidence, FormVersion, Record, RecordType
from records.rules import check_editable


# ------------------------------------------------------------------ the JSON schema of a form version
def _field_schema(d: dict) -> dict:
    kind = d["type"]
    out: dict = {"title": d["label"]}
    if d.get("help"):
        out["description"] = d["help"]
    if kind in ("text", "longtext"):
        out["type"] = "string"
    elif kind == "number":
        out.update(type="string", format="decimal", pattern=r"^-?\d+(\.\d+)?$")
        if d.get("min") not in (None, ""):
            out["x-minimum"] = str(d["min"])
        if d.get("max") not in (None, ""):
            out["x-maximum"] = str(d["max"])
        if d.get("unit"):
            out["x-unit"] = d["unit"]
    elif kind == "date":
        out.update(type="string", format="date")
    elif kind == "choice":
        out.update(type="string", enum=list(d.get("choices") or []))
    elif kind == "multichoice":
        out.update(type="array", items={"type": "string", "enum": list(d.get("choices") or [])}, uniqueItems=True)
    elif kind == "checkbox":
        out["type"] = "boolean"
    elif kind == "user":
        out.update(type="integer", description=(out.get("description", "") + " A user's id.").strip())
    elif kind == "file":
        out.update(type="string", format="binary", description=(
            out.get("description", "") + " Sent as a multipart file under this key.").strip())
    return out


def form_json_schema(form_version: FormVersion) -> dict:
    fields = list(form_version.fields or [])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{form_version.record_type.code} form version {form_version.version}",
        "type": "object",
        "properties": {d["key"]: _field_schema(d) for d in fields},
        "required": [d["key"] for d in fields if d.get("required")],
        "additionalProperties": False,
        "x-rules": list(form_version.rules or []),
    }


# ------------------------------------------------------------------ serializers
class FormVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    fields = serializers.JSONField()
    rules = serializers.JSONField()
    json_schema = serializers.SerializerMethodField()

    def get_json_schema(self, fv) -> dict:
        return form_json_schema(fv)


class RecordTypeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    is_active = serializers.BooleanField()
    verification_required = serializers.BooleanField()
    retention_years = serializers.IntegerField(allow_null=True)
    clauses = serializers.SerializerMethodField()
    form_document = serializers.CharField(source="form_document.number", allow_null=True, default=None)

    def get_clauses(self, rt) -> list[str]:
        return [c.number for c in rt.clauses.all()]


class RecordTypeDetailSerializer(RecordTypeSerializer):
    versions = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField()

    def get_versions(self, rt) -> list[dict]:
        return [{"version": v.version, "note": v.note, "created_at": v.created_at}
                for v in rt.form_versions.order_by("-version")]

    def get_current(self, rt) -> dict | None:
        fv = services.current_form_version(rt)
        return FormVersionSerializer(fv).data if fv else None


class RecordListSerializer(serializers.Serializer):
    number = serializers.CharField()
    type = serializers.CharField(source="record_type.code")
    status = serializers.CharField()
    verification = serializers.CharField(source="verification_label")
    amended = serializers.BooleanField(source="is_amended")
    created_by = serializers.CharField(source="created_by.display_name")
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    retain_until = serializers.DateField(allow_null=True)
    legal_hold = serializers.BooleanField()


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    original_name = serializers.CharField()
    field_key = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    superseded = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    def get_superseded(self, ev) -> bool:
        return bool(getattr(ev, "superseded_at", None))

    def get_download_url(self, ev) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/evidence/{ev.pk}/download/")


class RecordSerializer(RecordListSerializer):
    form_version = serializers.IntegerField(source="form_version.version")
    form_revision = serializers.SerializerMethodField()
    values = serializers.JSONField()
    verified_at = serializers.DateTimeField(allow_null=True)
    verified_by = serializers.CharField(source="verified_by.display_name", allow_null=True, default=None)
    void_reason = serializers.CharField()
    legal_hold_reason = serializers.CharField()
    disposed_at = serializers.DateTimeField(allow_null=True)
    disposal_reason = serializers.CharField()
    content_hash = serializers.SerializerMethodField(help_text=_("What a verification signs: send it back as content_hash."))
    evidence = serializers.SerializerMethodField()
    amendments = serializers.SerializerMethodField()
    signatures = serializers.SerializerMethodField()

    def get_form_revision(self, rec) -> str | None:
        rev = rec.form_revision
        return f"{rev.document.number} rev {rev.label}" if rev else None

    def get_content_hash(self, rec) -> str:
        return content_hash(rec.signature_content())

    def get_evidence(self, rec) -> list[dict]:
        return EvidenceSerializer(list(rec.evidence.all()), many=True, context=self.context).data

    def get_amendments(self, rec) -> list[dict]:
        return [{"seq": a.seq, "reason": a.reason, "old_values": a.old_values, "new_values": a.new_values,
                 "at": a.amended_at, "by": a.amended_by.display_name}
                for a in rec.amendments.select_related("amended_by").order_by("seq")]

    def get_signatures(self, rec) -> list[dict]:
        return signatures(rec)


# ------------------------------------------------------------------ request bodies
class RecordCreateBody(serializers.Serializer):
    record_type = serializers.CharField(help_text=_("The record type's code."))
    values = serializers.JSONField(required=False, help_text=(
        _("JSON body: the field values by key (see the record type's json_schema). Multipart: send each value as "
          "its own part named by its key instead, and files under their field's key.")))
    submit = serializers.BooleanField(required=False, help_text=_("Submit (and lock) at once; otherwise a draft."))
    evidence = serializers.ListField(child=serializers.FileField(), required=False,
                                     help_text=_("Evidence files (multipart)."))


class RecordDraftBody(serializers.Serializer):
    values = serializers.JSONField(required=False)
    submit = serializers.BooleanField(required=False)
    content_hash = serializers.CharField(required=False, help_text=_("The draft's content_hash you edited (409 if it changed)."))
    evidence = serializers.ListField(child=serializers.FileField(), required=False)


class AmendBody(serializers.Serializer):
    values = serializers.JSONField(help_text=_("The corrected values by key."))
    amendment_reason = serializers.CharField()
    content_hash = serializers.CharField(required=False, help_text=_("The record's content_hash you corrected."))


VerifyBody = form_schema("RecordVerify", SignatureForm(), signing=True)
ReasonBody = form_schema("Reason", ReasonForm())
HoldBody = form_schema("LegalHold", LegalHoldForm())
DisposeBody = form_schema("RecordDispose", SignatureForm(), signing=True, extra={"reason": serializers.CharField()})


class EvidenceBody(serializers.Serializer):
    evidence = serializers.ListField(child=serializers.FileField())


# ------------------------------------------------------------------ lookups (as the pages)
def _record(request, number: str) -> Record:
    try:
        record = selectors.record_detail(number)
    except Record.DoesNotExist:
        raise Http404("No such record.") from None
    return visible_or_404("records.view_record", request.user, record, "record")


def _values_data(request):
    """The field values: a JSON body's `values` object, or the multipart parts themselves."""
    data = request.data
    values = data.get("values") if hasattr(data, "get") else None
    if values is None:
        return as_form_data(data)
    if isinstance(values, str):  # a multipart body may carry the values as one JSON part
        import json

        try:
            values = json.loads(values)
        except ValueError:
            raise FormInvalid({"values": ["Send the values as a JSON object."]}) from None
    if not isinstance(values, dict):
        raise FormInvalid({"values": ["Send the values as a JSON object."]})
    return as_form_data(values)


def _flag(request, name: str) -> bool:
    return value(request, name).lower() in ("true", "1", "on", "yes", "submit")


def _save(request, *, record_type, record=None) -> Record:
    """The record form's Save / Submit, as records.views._save_record_form does it."""
    form_version = record.form_version if record else services.current_form_version(record_type)
    if form_version is None:
        raise Http404("This record type has no form yet.")
    submit = _flag(request, "submit")
    existing = services._existing_file_keys(record)
    form = build_record_form(form_version, _values_data(request), request.FILES or None,
                             values=record.values if record else None, for_draft=not submit,
                             existing_files=existing)
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    opened = bind(_OpenedForm, request, extra=_opened(request, record)).cleaned_data.get("opened") if record else None
    return services.record_save(
        actor=request.user, record_type=record_type, record=record, values=form.json_values(),
        field_files=form.uploaded_files(), evidence=request.FILES.getlist("evidence"), opened=opened, submit=submit,
    )


def _opened(request, record: Record) -> dict:
    """The content_hash the client read (the record's GET: its signature content) as the
    stamp the page's draft or amendment form carries (of the values it was opened on).
    Unchanged since: a stamp of the values read now, which the service checks again under
    its row lock; changed since: the client's hash, which the service refuses with 409."""
    shown = value(request, "content_hash").strip()
    if shown and shown == content_hash(record.signature_content()):
        return {"opened": Stamp.of(services.editable_content(record)).dumps()}
    return opened_stamp(request)


class _OpenedForm(AmendmentReasonForm):
    """Only the `opened` stamp of the amendment form (the draft form carries the same)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["amendment_reason"]


# ------------------------------------------------------------------ record types
class RecordTypeViewSet(ViewSet):
    serializer_class = RecordTypeSerializer
    detail_serializer = RecordTypeDetailSerializer
    lookup_field = "code"
    orderings = {"code": ("code",), "-code": ("-code",)}

    def _types(self, request):
        require("records.view_record_types", request.user)
        types = RecordType.objects.prefetch_related("clauses").select_related("form_document")
        if not allowed("records.configure_record_types", request.user):
            types = types.active()
        return scope.narrow(types, request.user)

    def get_visible(self, request, code) -> RecordType:
        record_type = self._types(request).filter(code=code).first()
        if record_type is None:
            raise Http404("No such record type.")
        return record_type

    @extend_schema(responses=RecordTypeSerializer(many=True))
    def list(self, request):
        return self.list_response(request, self._types(request))

    @extend_schema(responses=RecordTypeDetailSerializer)
    def retrieve(self, request, code=None):
        return self.detail_response(request, code)

    @extend_schema(parameters=[OpenApiParameter("version", int, required=False,
                                                description="A form version; the current one if left out.")],
                   responses=FormVersionSerializer)
    @action(detail=True, methods=["get"])
    def form(self, request, code=None):
        """A form version of the type with its JSON schema (what a submission's values must be)."""
        record_type = self.get_visible(request, code)
        version = request.query_params.get("version")
        versions = record_type.form_versions.select_related("record_type")
        if version:
            if not version.isdigit() or len(version) > 9:
                raise FormInvalid({"version": ["A form version is a whole number."]})
            fv = versions.filter(version=int(version)).first()
        else:
            fv = versions.order_by("-version").first()
        if fv is None:
            raise Http404("No such form version.")
        return Response(FormVersionSerializer(fv).data)


register("record-types", RecordTypeViewSet, "record-type")


# ------------------------------------------------------------------ records
class RecordViewSet(Trail, ViewSet):
    """The records register, a record's page, and its actions."""

    serializer_class = RecordListSerializer
    detail_serializer = RecordSerializer
    lookup_field = "number"
    filter_backends = [FormFilter]
    filter_form = RegisterFilterForm
    orderings = {"-created_at": ("-created_at", "-id"), "created_at": ("created_at", "id")}

    def get_visible(self, request, number):
        return _record(request, number)

    @extend_schema(responses=RecordListSerializer(many=True))
    def list(self, request):
        require("records.view_records", request.user)
        filters = cleaned_filters(self, request)
        if filters.get("type") and not scope.contains(request.user, filters["type"]):
            raise FormInvalid({"type": ["Select a valid choice. That choice is not one of the available choices."]})
        return self.list_response(request, selectors.register(request.user, filters))

    @extend_schema(responses=RecordSerializer)
    def retrieve(self, request, number=None):
        return self.detail_response(request, number)

    @extend_schema(request=RecordCreateBody, responses={201: RecordSerializer, **ERRORS})
    def create(self, request):
        """A new record under the type's current form: a draft, or submitted at once (submit=true)."""
        require("records.create_record", request.user)  # may they create records at all: before the body's errors
        code = value(request, "record_type")
        record_type = RecordType.objects.filter(code=code[:12]).first() if code else None
        if record_type is None:
            raise FormInvalid({"record_type": ["Choose a record type by its code."]})
        require("records.create_record", request.user, record_type)
        record = _save(request, record_type=record_type)
        return self.detail_response(request, record.number, 201)

    @extend_schema(request=RecordDraftBody, responses={200: RecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def draft(self, request, number=None):
        """Save a draft's values (and submit it with submit=true)."""
        record = _record(request, number)
        check_editable(record)
        require("records.edit_record", request.user, record)
        _save(request, record_type=record.record_type, record=record)
        return self.detail_response(request, number)

    @extend_schema(request=None, responses={200: RecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, number=None):
        record = _record(request, number)
        services.record_submit(actor=request.user, record=record)
        return self.detail_response(request, number)

    @extend_schema(request=AmendBody, responses={200: RecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def amend(self, request, number=None):
        """A correction of a submitted record, with a reason; the old values stay visible."""
        record = _record(request, number)
        require("records.amend_record", request.user, record)
        form = build_record_form(record.form_version, _values_data(request), values=record.values, skip_files=True)
        reason = bind(AmendmentReasonForm, request, extra=_opened(request, record))
        if not form.is_valid():
            raise FormInvalid(form_errors(form))
        services.record_amend(actor=request.user, record=record, values=form.json_values(),
                              reason=reason.cleaned_data["amendment_reason"], opened=reason.cleaned_data["opened"])
        return self.detail_response(request, number)

    @extend_schema(request=VerifyBody, responses={200: RecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def verify(self, request, number=None):
        """Second-person verification: an electronic signature (password and content_hash)."""
        record = _record(request, number)
        require("records.verify_record", request.user, record)  # the refusal before the body's errors
        signed(request, services.record_verify, record=record)
        return self.detail_response(request, number)

    @extend_schema(request=ReasonBody, responses={200: RecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def void(self, request, number=None):
        record = _record(request, number)
        require("records.void_record", request.user, record)
        form = bind(ReasonForm, request)
        services.record_void(actor=request.user, record=record, reason=form.cleaned_data["reason"])
        return self.detail_response(request, number)

    @extend_schema(request=HoldBody, responses={200: RecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def hold(self, request, number=None):
        """Place (legal_hold=true) or lift a legal hold, with a reason."""
        record = _record(request, number)
        require("records.set_legal_hold", request.user, record)
        form = bind(LegalHoldForm, request)
        services.record_set_legal_hold(actor=request.user, record=record, hold=form.cleaned_data["legal_hold"],
                                       reason=form.cleaned_data["reason"])
        return self.detail_response(request, number)

    @extend_schema(request=DisposeBody, responses={200: RecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def dispose(self, request, number=None):
        """Approve the disposition past retention: signed; a tombstone and the trail remain."""
        record = _record(request, number)
        require("records.approve_disposition", request.user, record)
        reason = bind(ReasonForm, request)
        signed(request, services.record_dispose, with_comment=False, record=record,
               reason=reason.cleaned_data["reason"])
        return self.detail_response(request, number)

    @extend_schema(request={"multipart/form-data": EvidenceBody}, responses={201: RecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def evidence(self, request, number=None):
        """Attach evidence files (multipart, each under `evidence`)."""
        record = _record(request, number)
        require("records.add_evidence", request.user, record)
        files = request.FILES.getlist("evidence")
        if not files:
            raise FormInvalid({"evidence": ["Attach at least one file under “evidence”."]})
        services.evidence_add(actor=request.user, record=record, uploads=files)
        return self.detail_response(request, number, 201)

    @extend_schema(request=None, responses={202: JobSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def pdf(self, request, number=None):
        """The record as a PDF: a job to poll (GET /jobs/<id>/), then download."""
        record = _record(request, number)
        require("records.request_record_pdf", request.user, record)
        job = jobs.request_job(kind="record_pdf", actor=request.user, target=record)
        return Response(JobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


register("records", RecordViewSet, "record")


# ------------------------------------------------------------------ evidence files
class EvidenceViewSet(ViewSet):
    serializer_class = EvidenceSerializer
    lookup_value_converter = "int"

    def get_visible(self, request, pk) -> Evidence:
        evidence = get_object_or_404(Evidence.objects.select_related("record", "record__record_type"), pk=pk)
        if not allowed("records.view_record", request.user, evidence.record):
            raise Http404("No such file.")
        return evidence

    @extend_schema(responses=EvidenceSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: OpenApiResponse(description="No such file")})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        evidence = self.get_visible(request, pk)
        if not allowed("records.download_evidence", request.user, evidence):
            raise Http404("This file was disposed of.")
        return file_response(evidence.file, download_name=evidence.original_name, content_type=evidence.content_type)


register("evidence", EvidenceViewSet, "evidence")
