"""Controlled documents and their revisions: the register, a document, its
revisions, and every action of the document pages as a POST.

Each action binds the page's form, asks the page's rule and calls the page's
service (documents.forms / documents.rules / documents.services)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ERRORS, Trail, ViewSet, bind, form_schema, opened_stamp, signed, signing_fields, value
from api.filters import FormFilter, cleaned_filters
from api.resources import register
from api.resources.qms import JobSerializer, signatures, trail_response
from documents import renditions, selectors, services
from documents.forms import (
    DecisionForm,
    DocumentCreateForm,
    DraftForm,
    NewRevisionForm,
    ObsoleteForm,
    PeriodicReviewForm,
    RegisterFilterForm,
    RouteForm,
)
from documents.models import Document, Revision
from qms.audit import record_event
from qms.errors import IllegalTransition
from qms.i18n import in_sentence
from qms.lifecycle import guard
from qms.rules import allowed, require
from qms.signatures import content_hash

S = Revision.Status


# ------------------------------------------------------------------ serializers
class RevisionRef(serializers.Serializer):
    seq = serializers.IntegerField()
    label = serializers.CharField()
    status = serializers.CharField()
    effective_date = serializers.DateField(allow_null=True)


class DocumentListSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    type = serializers.CharField(source="doc_type.code")
    department = serializers.CharField(source="department.code")
    owner = serializers.CharField(source="owner.display_name")
    next_review_date = serializers.DateField(allow_null=True)
    revision = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    effective_date = serializers.SerializerMethodField()

    def _row(self, doc) -> dict:
        cache = self.context.setdefault("rows", {})
        if doc.pk not in cache:
            cache[doc.pk] = selectors.register_row(doc, self.context["show_drafts"])
        return cache[doc.pk]

    def get_revision(self, doc) -> str:
        return self._row(doc)["revision"]

    def get_status(self, doc) -> str:
        return self._row(doc)["status"]

    def get_effective_date(self, doc) -> str | None:
        d = self._row(doc)["effective_date"]
        return d.isoformat() if d else None


class DocumentSerializer(DocumentListSerializer):
    process = serializers.CharField(source="process.code", allow_null=True, default=None)
    clauses = serializers.SerializerMethodField()
    review_interval_months = serializers.IntegerField(allow_null=True)
    issuer = serializers.CharField()
    external_reference = serializers.CharField()
    external_date = serializers.DateField(allow_null=True)
    obsolete_reason = serializers.CharField()
    effective_revision = serializers.SerializerMethodField()
    effective_content_hash = serializers.SerializerMethodField(
        help_text=_("What an acknowledgement or a periodic review signs: send it back as content_hash."))

    def get_clauses(self, doc) -> list[str]:
        return [c.number for c in doc.clauses.all()]

    def get_effective_revision(self, doc) -> dict | None:
        rev = doc.effective_revision
        return RevisionRef(rev).data if rev else None

    def get_effective_content_hash(self, doc) -> str | None:
        rev = doc.effective_revision
        return content_hash(rev.signature_content()) if rev else None


class RevisionListSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    label = serializers.CharField()
    status = serializers.CharField()
    created_by = serializers.CharField(source="created_by.display_name")
    created_at = serializers.DateTimeField()
    effective_date = serializers.DateField(allow_null=True)
    change_summary = serializers.CharField()


class StepSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    order = serializers.IntegerField()
    kind = serializers.CharField()
    mode = serializers.CharField()
    status = serializers.CharField()
    signers = serializers.SerializerMethodField()

    def get_signers(self, step) -> list[str]:
        return [s.user.display_name if s.user_id else f"group {s.group.name}" for s in step.signers.all()]


class RevisionSerializer(RevisionListSerializer):
    document = serializers.CharField(source="document.number")
    content = serializers.CharField()
    change_reason = serializers.CharField()
    significance = serializers.CharField()
    has_pdf = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    effective_at = serializers.DateTimeField(allow_null=True)
    content_hash = serializers.SerializerMethodField(help_text=_("What a decision signs: send it back as content_hash."))
    route = serializers.SerializerMethodField()
    signatures = serializers.SerializerMethodField()

    def get_content_hash(self, rev) -> str:
        return content_hash(rev.signature_content())

    def get_route(self, rev) -> list[dict]:
        return StepSerializer(selectors.route_for(rev), many=True).data

    def get_signatures(self, rev) -> list[dict]:
        return signatures(rev)


# ------------------------------------------------------------------ request bodies (the page's forms, described)
CreateBody = form_schema("DocumentCreate", DocumentCreateForm())
ObsoleteBody = form_schema("DocumentObsolete", ObsoleteForm())
ReviewBody = form_schema("DocumentPeriodicReview", PeriodicReviewForm(), signing=True)
AckBody = form_schema("DocumentAcknowledge", PeriodicReviewForm(), signing=True, drop=("shown", "username", "outcome"))
NewRevisionBody = form_schema("RevisionCreate", NewRevisionForm())
DraftBody = form_schema("RevisionDraft", DraftForm(), extra={"content_hash": serializers.CharField(
    required=False, help_text=_("The content_hash you edited: a change meanwhile is refused with 409."))})
RouteBody = form_schema("RevisionSubmit", RouteForm())
DecideBody = form_schema("RevisionDecide", DecisionForm(), signing=True)

class WithdrawBody(serializers.Serializer):  # the page posts a bare reason
    reason = serializers.CharField(required=False, allow_blank=True)


# ------------------------------------------------------------------ lookups (as the pages)
def _document(request, number: str) -> Document:
    document = get_object_or_404(
        Document.objects.select_related("doc_type", "owner", "department", "process", "effective_revision",
                                        "latest_revision"), number=number)
    if not allowed("documents.view_document", request.user, document):
        require("documents.view_documents", request.user)
        raise Http404("No such document.")
    return document


def _revision(request, number: str, seq) -> Revision:
    require("documents.view_documents", request.user)
    document = _document(request, number)
    try:
        seq = int(seq)
    except (TypeError, ValueError):
        raise Http404("No such revision.") from None
    revision = Revision.objects.select_related("created_by").filter(document=document, seq=seq).first()
    if revision is None:
        raise Http404("No such revision.")
    revision.document = document
    if not allowed("documents.view_revision", request.user, revision):
        raise Http404("No such revision.")
    return revision


# ------------------------------------------------------------------ documents
class DocumentViewSet(Trail, ViewSet):
    """The document register and a document's page, with its actions."""

    serializer_class = DocumentListSerializer
    detail_serializer = DocumentSerializer
    lookup_field = "number"
    filter_backends = [FormFilter]
    filter_form = RegisterFilterForm
    orderings = {"number": ("number",), "-number": ("-number",), "title": ("title", "id"),
                 "-title": ("-title", "-id")}

    def get_visible(self, request, number):
        return _document(request, number)

    def serializer_context(self, request):
        return {"request": request, "show_drafts": allowed("documents.view_drafts", request.user)}

    @extend_schema(responses=DocumentListSerializer(many=True))
    def list(self, request):
        require("documents.view_documents", request.user)
        filters = cleaned_filters(self, request)
        filters.pop("sort", None)  # the order is ?ordering= here
        return self.list_response(request, selectors.register(request.user, filters))

    @extend_schema(responses=DocumentSerializer)
    def retrieve(self, request, number=None):
        return self.detail_response(request, number)

    @extend_schema(request=CreateBody, responses={201: DocumentSerializer, **ERRORS})
    def create(self, request):
        require("documents.create_document", request.user)
        data = bind(DocumentCreateForm, request, user=request.user).cleaned_data
        document = services.document_create(
            actor=request.user, doc_type=data["doc_type"], department=data["department"], title=data["title"],
            owner=data.get("owner"), process=data.get("process"), clauses=data["clauses"],
            distribution_users=data["distribution_users"], distribution_groups=data["distribution_groups"],
            review_interval_months=data.get("review_interval_months"), issuer=data.get("issuer", ""),
            external_reference=data.get("external_reference", ""), external_date=data.get("external_date"),
            number=data.get("number", ""), content=data.get("content", ""), pdf=data.get("pdf"),
            source=data.get("source"),
        )
        return self.detail_response(request, document.number, status.HTTP_201_CREATED)

    @extend_schema(request=ObsoleteBody, responses={200: DocumentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def obsolete(self, request, number=None):
        document = _document(request, number)
        require("documents.make_obsolete", request.user, document)
        form = bind(ObsoleteForm, request)
        services.document_make_obsolete(actor=request.user, document=document, reason=form.cleaned_data["reason"])
        return self.detail_response(request, number)

    @extend_schema(request=ReviewBody, responses={200: DocumentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def review(self, request, number=None):
        """The periodic review: a signed outcome (no change, or revise: a new draft opens)."""
        document = _document(request, number)
        require("documents.review_document", request.user, document)
        form = bind(PeriodicReviewForm, request, extra=signing_fields(request), user=request.user)
        data = form.cleaned_data
        with form.signing():
            services.document_periodic_review(actor=request.user, document=document, password=data["password"],
                                              outcome=data["outcome"], comment=data.get("comment", ""))
        return self.detail_response(request, number)

    @extend_schema(request=AckBody, responses={200: DocumentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, number=None):
        """Read and understood: a signature over the effective revision."""
        document = _document(request, number)
        require("documents.acknowledge", request.user, document)
        signed(request, services.acknowledge, document=document)
        return self.detail_response(request, number)


class RevisionViewSet(ViewSet):
    """/documents/<number>/revisions/<seq>/: a document's revisions and the route actions."""

    serializer_class = RevisionListSerializer
    lookup_field = "seq"
    lookup_value_converter = "int"
    orderings = {"-seq": ("-seq",), "seq": ("seq",)}

    @extend_schema(responses=RevisionListSerializer(many=True))
    def list(self, request, document_number=None):
        document = _document(request, document_number)
        return self.list_response(request, selectors.visible_revisions(request.user, document))

    @extend_schema(responses=RevisionSerializer)
    def retrieve(self, request, document_number=None, seq=None):
        return Response(RevisionSerializer(_revision(request, document_number, seq)).data)

    def _answer(self, request, number, seq, code=200):
        return Response(RevisionSerializer(_revision(request, number, seq)).data, status=code)

    @extend_schema(request=NewRevisionBody, responses={201: RevisionSerializer, **ERRORS})
    def create(self, request, document_number=None):
        """A new revision (a draft) of an effective document."""
        document = _document(request, document_number)
        require("documents.start_revision", request.user, document)
        form = bind(NewRevisionForm, request, document=document)
        revision = services.revision_create_new(actor=request.user, document=document, **form.cleaned_data)
        return self._answer(request, document_number, revision.seq, 201)

    @extend_schema(request=DraftBody, responses={200: RevisionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def draft(self, request, document_number=None, seq=None):
        """Update the draft's content and change description (the editor's save)."""
        revision = _revision(request, document_number, seq)
        if revision.is_frozen:  # DOC-05, as the editor page answers
            raise IllegalTransition(
                gettext("%(revision)s is %(status)s: its content is frozen. Start a new revision to change it.")
                % {"revision": revision, "status": in_sentence(revision.get_status_display())})
        require("documents.edit_revision", request.user, revision)
        data = bind(DraftForm, request, extra=opened_stamp(request)).cleaned_data
        services.revision_update_draft(
            actor=request.user, revision=revision, content=data["content"], change_summary=data["change_summary"],
            change_reason=data["change_reason"], pdf=data.get("pdf"), source=data.get("source"),
            remove_pdf=data["remove_pdf"], remove_source=data["remove_source"], opened=data.get("opened"),
        )
        return self._answer(request, document_number, seq)

    @extend_schema(request=RouteBody, responses={200: RevisionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, document_number=None, seq=None):
        """Send for review and approval along a route: step1_kind, step1_mode, step1_users (usernames' ids) …"""
        revision = _revision(request, document_number, seq)
        require("documents.submit_revision", request.user, revision)
        form = bind(RouteForm, request, revision=revision, page_defaults=True)
        services.revision_submit(actor=request.user, revision=revision, steps=form.steps(),
                                 effective_date=form.cleaned_data.get("effective_date"))
        return self._answer(request, document_number, seq)

    @extend_schema(request=WithdrawBody, responses={200: RevisionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, document_number=None, seq=None):
        revision = _revision(request, document_number, seq)
        require("documents.manage_route", request.user, revision)
        services.revision_withdraw(actor=request.user, revision=revision, reason=value(request, "reason"))
        return self._answer(request, document_number, seq)

    @extend_schema(request=DecideBody, responses={200: RevisionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def decide(self, request, document_number=None, seq=None):
        """A signer's decision on the active step: an electronic signature (password and content_hash)."""
        revision = _revision(request, document_number, seq)
        guard(revision, S.APPROVED, actor=request.user, rule="documents.sign_revision")
        form = bind(DecisionForm, request, extra=signing_fields(request), user=request.user,
                    step=selectors.active_step(revision))
        data = form.cleaned_data
        with form.signing():
            services.revision_decide(actor=request.user, revision=revision, password=data["password"],
                                     outcome=data["outcome"], comment=data.get("comment", ""),
                                     significance=data.get("significance") or "")
        return self._answer(request, document_number, seq)

    @extend_schema(request=None, responses={
        (200, "application/pdf"): OpenApiResponse(description="The controlled print, stamped for you"),
        202: JobSerializer, 404: OpenApiResponse(description="No such revision, or not for you")})
    @action(detail=True, methods=["post"])
    def print(self, request, document_number=None, seq=None):
        """A controlled PDF: at once when the stored rendition is current, else a job to poll (202)."""
        revision = _revision(request, document_number, seq)
        if not allowed("documents.print_revision", request.user, revision):
            raise Http404("No such revision.")
        rendition = renditions.current_rendition(revision)
        if rendition is not None:
            content = renditions.print_copy(renditions.read_rendition(rendition), printed_by=request.user.display_name,
                                          language=revision.document.language)
            record_event(actor=request.user, verb="revision.printed", obj=revision, data={"rendition": rendition.pk})
            response = HttpResponse(content, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{renditions.print_filename(revision)}"'
            return response
        job = renditions.request_revision_pdf(revision=revision, actor=request.user)
        record_event(actor=request.user, verb="revision.printed", obj=revision, data={"job": str(job.public_id)})
        return Response(JobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: {"type": "object"}})
    @action(detail=True, methods=["get"])
    def trail(self, request, document_number=None, seq=None):
        return trail_response(request, _revision(request, document_number, seq))


register("documents", DocumentViewSet, "document")
register(r"documents/<str:document_number>/revisions", RevisionViewSet, "revision")
