"""The certification auditor's view: evidence requests (an external auditor
raises them, the quality manager answers) and the readiness map per clause."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ERRORS, ViewSet, bind, form_schema, visible
from api.resources import register
from auditor import readiness, selectors, services
from auditor.forms import AnswerForm, EvidenceRequestForm
from auditor.models import EvidenceLink, EvidenceRequest
from qms.rules import require
from qms.uploads import file_response


class EvidenceLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.SerializerMethodField()
    file = serializers.SerializerMethodField()

    def get_label(self, link) -> str:
        return str(link)

    def get_file(self, link) -> str | None:
        if not link.file:
            return None
        return self.context["request"].build_absolute_uri(
            f"/api/v1/evidence-requests/{link.request_id}/files/{link.pk}/")


class EvidenceRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.CharField()
    details = serializers.CharField()
    status = serializers.CharField()
    requested_by = serializers.CharField(source="requested_by.display_name")
    assigned_to = serializers.CharField(source="assigned_to.display_name")
    created_at = serializers.DateTimeField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)


class EvidenceRequestDetailSerializer(EvidenceRequestSerializer):
    links = serializers.SerializerMethodField()

    def get_links(self, req) -> list[dict]:
        return EvidenceLinkSerializer(list(req.links.all()), many=True, context=self.context).data


def _req(request, pk) -> EvidenceRequest:
    return visible(EvidenceRequest.objects.select_related("requested_by", "assigned_to", "answered_by"),
                   "auditor.view_evidence_request", request.user, "evidence request", pk=pk)


class EvidenceRequestViewSet(ViewSet):
    serializer_class = EvidenceRequestSerializer
    lookup_value_converter = "int"
    orderings = {"-created_at": ("-created_at", "-id"), "created_at": ("created_at", "id")}
    open_to_external_auditors = True  # raising and closing a request is open to them, as on the page

    detail_serializer = EvidenceRequestDetailSerializer

    def get_visible(self, request, pk):
        return _req(request, pk)

    @extend_schema(responses=EvidenceRequestSerializer(many=True))
    def list(self, request):
        qs = selectors.evidence_requests_for(request.user)
        return self.list_response(request, qs)

    @extend_schema(responses=EvidenceRequestDetailSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("EvidenceRequestCreate", EvidenceRequestForm()),
                   responses={201: EvidenceRequestDetailSerializer, **ERRORS})
    def create(self, request):
        require("auditor.request_evidence", request.user)
        d = bind(EvidenceRequestForm, request).cleaned_data
        req = services.request_evidence(actor=request.user, subject=d["subject"], details=d["details"],
                                        page_url=d["page_url"])
        return self.detail_response(request, req.pk, status.HTTP_201_CREATED)

    @extend_schema(request=form_schema("EvidenceRequestAnswer", AnswerForm()),
                   responses={200: EvidenceRequestDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        req = _req(request, pk)
        require("auditor.answer_evidence_request", request.user, req)
        form = bind(AnswerForm, request)
        services.answer_request(actor=request.user, req=req, answer=form.cleaned_data["answer"],
                                references=form.reference_lines(), files=request.FILES.getlist("files"))
        return self.detail_response(request, pk)

    @extend_schema(request=None, responses={200: EvidenceRequestDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        services.close_request(actor=request.user, req=_req(request, pk))
        return self.detail_response(request, pk)

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: OpenApiResponse(description="No file")})
    @action(detail=True, methods=["get"], url_path="files/<int:link_id>")
    def file(self, request, pk=None, link_id=None):
        req = _req(request, pk)
        link = get_object_or_404(EvidenceLink, pk=link_id, request=req)
        if not link.file:
            raise Http404("This evidence is not a file.")
        return file_response(link.file, download_name=link.original_name, content_type=link.content_type_header)


register("evidence-requests", EvidenceRequestViewSet, "evidence-request")


class ClauseReadinessSerializer(serializers.Serializer):
    clause = serializers.CharField(source="clause.number")
    title = serializers.CharField(source="clause.title")
    status = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    documents = serializers.IntegerField()
    overdue_reviews = serializers.IntegerField()
    record_types = serializers.IntegerField()
    records_12m = serializers.IntegerField()
    last_audit = serializers.DateField(allow_null=True)
    open_findings = serializers.IntegerField()
    open_capas = serializers.IntegerField()


class ReadinessViewSet(ViewSet):
    """The readiness map: per clause covered, stale (with the reason) or a gap."""

    serializer_class = ClauseReadinessSerializer
    pagination_class = None

    @extend_schema(responses=ClauseReadinessSerializer(many=True))
    def list(self, request):
        require("qms.view_clauses", request.user)
        require("auditor.view_readiness", request.user)
        rows = readiness.readiness_for(request.user)
        return Response(ClauseReadinessSerializer(rows, many=True).data)


register("readiness", ReadinessViewSet, "readiness")
