"""Audits, their checklists and findings, and nonconformities/CAPA with their
actions: the pages' lists and objects, and every action as a POST through the
pages' forms and services (audits.forms / audits.services), under their rules."""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ERRORS, Trail, ViewSet, bind, form_schema, signed, value, visible
from api.filters import FormFilter, cleaned_filters
from api.resources import register
from api.resources.qms import signatures
from audits import selectors, services
from audits.forms import (
    ActionCompleteForm,
    ActionForm,
    AnalysisForm,
    AnswerForm,
    AuditForm,
    CapaOwnerForm,
    CapaRaiseForm,
    CorrectionForm,
    EvidenceForm,
    FindingForm,
    VerificationPlanForm,
    VerifyForm,
)
from audits.models import Audit, AuditReport, Capa, CapaAction, ChecklistItem, Finding
from qms.lifecycle import guard
from qms.rules import require
from qms.signatures import SignatureForm, content_hash


# ------------------------------------------------------------------ list filters (what the list pages read)
class AuditFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any"), *Audit.Status.choices], required=False)
    type = forms.ChoiceField(choices=[("", "Any"), *Audit.Type.choices], required=False)
    q = forms.CharField(required=False, max_length=200, help_text=_("Number or title contains"))


class CapaFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any"), ("active", "Not closed"), *Capa.Status.choices], required=False)
    source = forms.ChoiceField(choices=[("", "Any"), *Capa.Source.choices], required=False)
    q = forms.CharField(required=False, max_length=200, help_text=_("Number or title contains"))


# ------------------------------------------------------------------ serializers
class AuditListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    audit_type = serializers.CharField()
    status = serializers.CharField()
    planned_start = serializers.DateTimeField()
    planned_end = serializers.DateTimeField()
    site = serializers.CharField()
    lead_auditor = serializers.CharField(source="lead_auditor.display_name")


class ChecklistItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    audit = serializers.IntegerField(source="audit_id")
    position = serializers.IntegerField()
    clause = serializers.CharField(source="clause.number", allow_null=True, default=None)
    question = serializers.CharField()
    guidance = serializers.CharField()
    answer = serializers.CharField()
    notes = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)


class FindingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    audit = serializers.CharField(source="audit.number")
    seq = serializers.IntegerField()
    finding_type = serializers.CharField()
    clause = serializers.CharField(source="clause.number")
    statement = serializers.CharField()
    owner = serializers.CharField(source="owner.display_name")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    capa = serializers.SerializerMethodField()

    def get_capa(self, finding) -> int | None:
        capa = getattr(finding, "capa", None)
        return capa.pk if capa else None


class AuditSerializer(AuditListSerializer):
    objectives = serializers.CharField()
    scope = serializers.CharField()
    methods = serializers.CharField()
    is_remote = serializers.BooleanField()
    criteria_clauses = serializers.SerializerMethodField()
    processes = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    auditees = serializers.SerializerMethodField()
    checklist = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()

    def get_criteria_clauses(self, a) -> list[str]:
        return [c.number for c in a.criteria_clauses.all()]

    def get_processes(self, a) -> list[str]:
        return [p.code for p in a.processes.all()]

    def get_team(self, a) -> list[str]:
        return [u.display_name for u in a.team.all()]

    def get_auditees(self, a) -> list[str]:
        return [u.display_name for u in a.auditees.all()]

    def get_checklist(self, a) -> list[dict]:
        return ChecklistItemSerializer(selectors.audit_checklist(a), many=True).data

    def get_findings(self, a) -> list[dict]:
        return FindingSerializer(selectors.audit_findings(a), many=True).data

    def get_report(self, a) -> dict | None:
        report = AuditReport.objects.filter(audit=a).first()
        if report is None:
            return None
        return {"status": report.status, "issued_at": report.issued_at, "summary": report.summary,
                "conclusions": report.conclusions, "content_hash": content_hash(report.signature_content()),
                "signatures": signatures(report)}


class CapaActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    capa = serializers.IntegerField(source="capa_id")
    description = serializers.CharField()
    owner = serializers.CharField(source="owner.display_name")
    due_date = serializers.DateField()
    status = serializers.CharField()
    completion_note = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)


class CapaListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    source = serializers.CharField()
    severity = serializers.CharField()
    status = serializers.CharField()
    owner = serializers.CharField(source="owner.display_name")
    process = serializers.CharField(source="process.name", allow_null=True, default=None)
    raised_at = serializers.DateTimeField()
    due_date = serializers.DateField()
    open_actions = serializers.IntegerField(source="n_open_actions", default=0)


class CapaSerializer(CapaListSerializer):
    description = serializers.CharField()
    clause = serializers.CharField(source="clause.number", allow_null=True, default=None)
    finding = serializers.IntegerField(source="finding_id", allow_null=True)
    containment = serializers.CharField()
    containment_date = serializers.DateField(allow_null=True)
    correction = serializers.CharField()
    correction_date = serializers.DateField(allow_null=True)
    ca_needed = serializers.BooleanField(allow_null=True)
    ca_justification = serializers.CharField()
    whys = serializers.JSONField()
    root_cause = serializers.CharField()
    effectiveness_method = serializers.CharField()
    effectiveness_due = serializers.DateField(allow_null=True)
    effectiveness_result = serializers.CharField()
    effectiveness_notes = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    content_hash = serializers.SerializerMethodField(help_text=_("What closing signs: send it back as content_hash."))
    actions = CapaActionSerializer(many=True)
    signatures = serializers.SerializerMethodField()
    open_actions = serializers.SerializerMethodField()

    def get_open_actions(self, capa) -> int:
        return sum(1 for a in capa.actions.all() if a.status == CapaAction.Status.OPEN)

    def get_content_hash(self, capa) -> str:
        return content_hash(capa.signature_content())

    def get_signatures(self, capa) -> list[dict]:
        return signatures(capa)


# ------------------------------------------------------------------ lookups (as the pages)
def _audit(request, pk) -> Audit:
    return visible(selectors.audit_detail_qs(), "audits.view_audit", request.user, "audit", pk=pk)


def _capa(request, pk) -> Capa:
    return visible(selectors.capa_detail_qs(), "audits.view_capa", request.user, "CAPA", pk=pk)


def _finding(request, pk) -> Finding:
    finding = Finding.objects.select_related("audit", "clause", "owner", "process", "created_by").filter(pk=pk).first()
    if finding is None:
        raise Http404("No such finding.")
    _audit(request, finding.audit_id)
    return finding


def _item(request, pk) -> ChecklistItem:
    item = ChecklistItem.objects.select_related("audit", "clause", "document").filter(pk=pk).first()
    if item is None:
        raise Http404("No such question.")
    _audit(request, item.audit_id)
    return item


# ------------------------------------------------------------------ audits
class AuditViewSet(Trail, ViewSet):
    serializer_class = AuditListSerializer
    detail_serializer = AuditSerializer
    lookup_value_converter = "int"
    filter_backends = [FormFilter]
    filter_form = AuditFilterForm
    orderings = {"-planned_start": ("-planned_start", "-id"), "planned_start": ("planned_start", "id")}

    def get_visible(self, request, pk):
        return _audit(request, pk)

    @extend_schema(responses=AuditListSerializer(many=True))
    def list(self, request):
        require("audits.view_audits", request.user)
        f = cleaned_filters(self, request)
        qs = selectors.audit_list(request.user, status=f.get("status", ""), audit_type=f.get("type", ""),
                                  q=f.get("q", ""))
        return self.list_response(request, qs)

    @extend_schema(responses=AuditSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("AuditSchedule", AuditForm()), responses={201: AuditSerializer, **ERRORS})
    def create(self, request):
        require("audits.schedule_audit", request.user)
        form = bind(AuditForm, request, page_defaults=True)
        audit = services.audit_schedule(actor=request.user, data=form.to_input())
        return self.detail_response(request, audit.pk, status.HTTP_201_CREATED)

    def _move(self, request, pk, func):
        func(actor=request.user, audit=_audit(request, pk))
        return self.detail_response(request, pk)

    @extend_schema(request=None, responses={200: AuditSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="issue-plan")
    def issue_plan(self, request, pk=None):
        return self._move(request, pk, services.audit_issue_plan)

    @extend_schema(request=None, responses={200: AuditSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move(request, pk, services.audit_start)

    @extend_schema(request=None, responses={200: AuditSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move(request, pk, services.audit_close)

    @extend_schema(request=form_schema("FindingRaise", FindingForm()), responses={201: FindingSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        """Record a finding (an NC opens its CAPA), with optional evidence."""
        audit = _audit(request, pk)
        require("audits.record_findings", request.user, audit)
        form = bind(FindingForm, request, audit=audit, user=request.user)
        d = form.cleaned_data
        finding = services.finding_raise(
            actor=request.user, audit=audit, finding_type=d["finding_type"], clause=d["clause"],
            statement=d["statement"], owner=d["owner"], process=d["process"], checklist_item=d["checklist_item"],
            evidence=form.evidence_spec())
        return Response(FindingSerializer(_finding(request, finding.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=form_schema("ReportIssue", SignatureForm(), signing=True),
                   responses={200: AuditSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="issue-report")
    def issue_report(self, request, pk=None):
        """Issue the audit report: the lead auditor's signature (password and the report's content_hash)."""
        audit = _audit(request, pk)
        require("audits.issue_report", request.user, audit)  # the refusal before the body's errors
        signed(request, services.report_issue, audit=audit)
        return self.detail_response(request, pk)


register("audits", AuditViewSet, "audit")


class ChecklistItemViewSet(ViewSet):
    """A question of an audit's checklist; answering it (with optional evidence)."""

    serializer_class = ChecklistItemSerializer
    lookup_value_converter = "int"

    def get_visible(self, request, pk):
        return _item(request, pk)

    @extend_schema(responses=ChecklistItemSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("ChecklistAnswer", AnswerForm()), responses={200: ChecklistItemSerializer,
                                                                                   **ERRORS})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        item = _item(request, pk)
        require("audits.edit_audit", request.user, item.audit)
        form = bind(AnswerForm, request, user=request.user)
        services.checklist_answer(actor=request.user, item=item, answer=form.cleaned_data["answer"],
                                  notes=form.cleaned_data["notes"])
        spec = form.evidence_spec()
        if not spec.is_empty:
            services.evidence_add(actor=request.user, spec=spec, checklist_item=item)
        return self.detail_response(request, pk)


register("checklist-items", ChecklistItemViewSet, "checklist-item")


class FindingViewSet(Trail, ViewSet):
    serializer_class = FindingSerializer
    lookup_value_converter = "int"
    orderings = {"-created_at": ("-created_at", "-id"), "created_at": ("created_at", "id")}

    def get_visible(self, request, pk):
        return _finding(request, pk)

    @extend_schema(responses=FindingSerializer(many=True))
    def list(self, request):
        require("audits.view_audits", request.user)
        qs = (Finding.objects.filter(audit__in=selectors.audits_for(request.user).values("pk"))
              .select_related("audit", "clause", "owner", "capa"))
        return self.list_response(request, qs)

    @extend_schema(responses=FindingSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("FindingClose", forms.Form(), extra={
        "comment": serializers.CharField(required=False, allow_blank=True)}), responses={200: FindingSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        finding = _finding(request, pk)
        services.finding_close(actor=request.user, finding=finding, comment=value(request, "comment"))
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("FindingEvidence", EvidenceForm()), responses={200: FindingSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        finding = _finding(request, pk)
        require("audits.add_finding_evidence", request.user, finding)
        form = bind(EvidenceForm, request, user=request.user)
        services.evidence_add(actor=request.user, spec=form.evidence_spec(), finding=finding)
        return self.detail_response(request, pk)


register("findings", FindingViewSet, "finding")


# ------------------------------------------------------------------ CAPA
class CapaViewSet(Trail, ViewSet):
    serializer_class = CapaListSerializer
    detail_serializer = CapaSerializer
    lookup_value_converter = "int"
    filter_backends = [FormFilter]
    filter_form = CapaFilterForm
    orderings = {"-raised_at": ("-raised_at", "-id"), "raised_at": ("raised_at", "id")}

    def get_visible(self, request, pk):
        return _capa(request, pk)

    @extend_schema(responses=CapaListSerializer(many=True))
    def list(self, request):
        require("audits.view_capas", request.user)
        f = cleaned_filters(self, request)
        qs = selectors.capa_list(request.user, status=f.get("status", ""), source=f.get("source", ""),
                                 q=f.get("q", ""))
        return self.list_response(request, qs)

    @extend_schema(responses=CapaSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("CapaRaise", CapaRaiseForm()), responses={201: CapaSerializer, **ERRORS})
    def create(self, request):
        """Raise a nonconformity (e.g. from an ERP's failed inspection)."""
        require("audits.raise_capa", request.user)
        d = bind(CapaRaiseForm, request, user=request.user).cleaned_data
        capa = services.capa_raise(actor=request.user, source=d["source"], title=d["title"],
                                   description=d["description"], severity=d["severity"], owner=d["owner"],
                                   process=d["process"], clause=d["clause"], source_record=d["record_number"])
        return self.detail_response(request, capa.pk, 201)

    @extend_schema(request=form_schema("CapaCorrection", CorrectionForm()), responses={200: CapaSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def correction(self, request, pk=None):
        capa = _capa(request, pk)
        require("audits.edit_capa", request.user, capa)
        form = bind(CorrectionForm, request)
        services.capa_record_correction(actor=request.user, capa=capa, **form.cleaned_data)
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("CapaOwner", CapaOwnerForm()), responses={200: CapaSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def owner(self, request, pk=None):
        """Give the CAPA a new owner, with the reason (the quality manager's; not once effective or closed)."""
        capa = _capa(request, pk)
        require("audits.reassign_capa", request.user, capa)
        form = bind(CapaOwnerForm, request)
        services.capa_reassign(actor=request.user, capa=capa, **form.cleaned_data)
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("CapaAnalysis", AnalysisForm()), responses={200: CapaSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def analyse(self, request, pk=None):
        capa = _capa(request, pk)
        guard(capa, Capa.Status.ANALYSED, actor=request.user, rule="audits.analyse_capa")
        form = bind(AnalysisForm, request)
        services.capa_analyse(actor=request.user, capa=capa, ca_needed=form.cleaned_data["ca_needed"],
                              justification=form.cleaned_data["ca_justification"], whys=form.whys(),
                              root_cause=form.cleaned_data["root_cause"])
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("CapaActionAdd", ActionForm()), responses={201: CapaSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def actions(self, request, pk=None):
        capa = _capa(request, pk)
        require("audits.plan_capa_actions", request.user, capa)
        form = bind(ActionForm, request)
        services.capa_action_add(actor=request.user, capa=capa, **form.cleaned_data)
        return self.detail_response(request, pk, 201)

    @extend_schema(request=None, responses={200: CapaSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="start-actions")
    def start_actions(self, request, pk=None):
        services.capa_start_actions(actor=request.user, capa=_capa(request, pk))
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("CapaVerificationPlan", VerificationPlanForm()),
                   responses={200: CapaSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="submit-verification")
    def submit_verification(self, request, pk=None):
        capa = _capa(request, pk)
        guard(capa, Capa.Status.VERIFYING, actor=request.user, rule="audits.edit_capa")
        form = bind(VerificationPlanForm, request)
        services.capa_submit_verification(actor=request.user, capa=capa, method=form.cleaned_data["method"],
                                          due=form.cleaned_data["due"])
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("CapaVerify", VerifyForm()), responses={200: CapaSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        capa = _capa(request, pk)
        require("audits.verify_capa", request.user, capa)
        form = bind(VerifyForm, request)
        services.capa_verify(actor=request.user, capa=capa, result=form.cleaned_data["result"],
                             notes=form.cleaned_data["notes"], early_reason=form.cleaned_data["early_reason"])
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("CapaClose", SignatureForm(), signing=True),
                   responses={200: CapaSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close: the quality manager's signature (password and the CAPA's content_hash)."""
        capa = _capa(request, pk)
        guard(capa, Capa.Status.CLOSED, actor=request.user, rule="audits.close_capa")
        signed(request, services.capa_close, capa=capa)
        return self.detail_response(request, pk)


register("capas", CapaViewSet, "capa")


class CapaActionViewSet(ViewSet):
    serializer_class = CapaActionSerializer
    lookup_value_converter = "int"

    def get_visible(self, request, pk) -> CapaAction:
        act = CapaAction.objects.select_related("capa", "owner").filter(pk=pk).first()
        if act is None:
            raise Http404("No such action.")
        _capa(request, act.capa_id)
        return act

    @extend_schema(responses=CapaActionSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("CapaActionComplete", ActionCompleteForm()),
                   responses={200: CapaActionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        act = self.get_visible(request, pk)
        require("audits.complete_action", request.user, act)
        form = bind(ActionCompleteForm, request, user=request.user)
        services.capa_action_complete(actor=request.user, action=act, note=form.cleaned_data["note"],
                                      evidence=form.evidence_spec())
        return self.detail_response(request, pk)


register("capa-actions", CapaActionViewSet, "capa-action")


