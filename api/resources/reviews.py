"""Customer feedback and management review (9.1.2, 9.3): the feedback log
with its actions, satisfaction surveys, management reviews with their
decisions and signed minutes, through reviews' forms, services and rules."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import (
    ERRORS,
    FILE_EXPORT_SCHEMA,
    Trail,
    ViewSet,
    bind,
    file_format,
    form_schema,
    signed,
    visible,
    visible_or_404,
)
from api.filters import FormFilter, cleaned_filters
from api.resources import register
from api.resources.qms import JobSerializer, signatures
from qms.exports import table_response
from qms.rules import require
from qms.signatures import SignatureForm, content_hash
from reviews import pack, registers, selectors, services
from reviews.forms import (
    AcknowledgeForm,
    CloseForm,
    ComplaintCapaForm,
    ComplaintFilterForm,
    ComplaintForm,
    CompleteActionForm,
    ConclusionsForm,
    DecisionForm,
    RespondForm,
    ReviewForm,
    SurveyForm,
)
from reviews.models import Complaint, Decision, ManagementReview


# ------------------------------------------------------------------ serializers
class ComplaintListSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    customer = serializers.CharField()
    channel = serializers.CharField()
    received_on = serializers.DateField()
    category = serializers.CharField()
    severity = serializers.CharField()
    status = serializers.CharField()
    owner = serializers.CharField(source="owner.display_name")
    process = serializers.CharField(source="process.code", allow_null=True, default=None)


class ComplaintSerializer(ComplaintListSerializer):
    contact = serializers.CharField()
    reference = serializers.CharField()
    description = serializers.CharField()
    acknowledged_on = serializers.DateField(allow_null=True)
    responded_on = serializers.DateField(allow_null=True)
    response = serializers.CharField()
    resolution = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class SurveySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    method = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    scale_max = serializers.IntegerField()
    respondents = serializers.IntegerField()
    comments = serializers.CharField()
    entered_by = serializers.CharField(source="entered_by.display_name")


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    review = serializers.IntegerField(source="review_id")
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    action_description = serializers.CharField()
    action_owner = serializers.CharField(source="action_owner.display_name", allow_null=True, default=None)
    action_due_date = serializers.DateField(allow_null=True)
    action_status = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    completion_note = serializers.CharField()


class ReviewActionSerializer(DecisionSerializer):
    review_number = serializers.CharField(source="review.number")
    review_title = serializers.CharField(source="review.title")


class PackChartSerializer(serializers.Serializer):
    title = serializers.CharField()
    unit = serializers.CharField(default="")
    columns = serializers.ListField(child=serializers.JSONField())
    rows = serializers.ListField(child=serializers.JSONField())


class PackSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    ref = serializers.CharField(help_text=_("The 9.3.2 input it answers"))
    title = serializers.CharField()
    contributions = serializers.SerializerMethodField(
        help_text=_("What each register contributed: its figures, lists and charts (as tables)"))

    def get_contributions(self, section) -> list[dict]:
        return [{**{k: v for k, v in c.items() if k != "charts"},
                 "charts": [{"title": ch.title, "unit": ch.unit, "columns": ch.columns, "rows": ch.rows}
                            for ch in c.get("charts", [])]} for c in section.contributions]


class ReviewPackSerializer(serializers.Serializer):
    review = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    pack_compiled_at = serializers.DateTimeField(allow_null=True)
    sections = serializers.SerializerMethodField()

    def get_sections(self, review) -> list[dict]:
        return PackSectionSerializer(pack.sections(review.pack), many=True).data


class ReviewListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    meeting_date = serializers.DateField()
    chair = serializers.CharField(source="chair.display_name")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = serializers.CharField()
    approved_at = serializers.DateTimeField(allow_null=True)


class ReviewSerializer(ReviewListSerializer):
    conclusions = serializers.CharField()
    pack = serializers.JSONField()
    pack_compiled_at = serializers.DateTimeField(allow_null=True)
    content_hash = serializers.SerializerMethodField(help_text=_("What signing the minutes signs: send it back."))
    decisions = serializers.SerializerMethodField()
    signatures = serializers.SerializerMethodField()

    def get_content_hash(self, review) -> str:
        return content_hash(review.signature_content())

    def get_decisions(self, review) -> list[dict]:
        return DecisionSerializer(selectors.review_decisions(review), many=True).data

    def get_signatures(self, review) -> list[dict]:
        return signatures(review)


# ------------------------------------------------------------------ customer feedback
def _complaint(request, number) -> Complaint:
    try:
        complaint = selectors.complaint_detail(number)
    except Complaint.DoesNotExist:
        complaint = None
    return visible_or_404("reviews.view_complaint", request.user, complaint, "feedback")


# One body for a create and its edit (on an edit a field left out keeps its value).
ComplaintBody = form_schema("ComplaintLog", ComplaintForm())
SurveyBody = form_schema("SurveyBody", SurveyForm())
ReviewBody = form_schema("ReviewBody", ReviewForm())
DecisionBody = form_schema("ReviewDecision", DecisionForm())


class ComplaintViewSet(Trail, ViewSet):
    serializer_class = ComplaintListSerializer
    detail_serializer = ComplaintSerializer
    lookup_field = "number"
    filter_backends = [FormFilter]
    filter_form = ComplaintFilterForm
    orderings = {"-received_on": ("-received_on", "-id"), "received_on": ("received_on", "id")}

    def get_visible(self, request, number):
        return _complaint(request, number)

    @extend_schema(responses=ComplaintListSerializer(many=True))
    def list(self, request):
        require("reviews.view_complaints", request.user)
        qs = selectors.complaint_register(request.user, cleaned_filters(self, request))
        return self.list_response(request, qs.only(*selectors.COMPLAINT_COLUMNS))

    @extend_schema(responses=ComplaintSerializer)
    def retrieve(self, request, number=None):
        return self.detail_response(request, number)

    @FILE_EXPORT_SCHEMA
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The feedback log (filtered as the list) as CSV or XLSX: the page's export."""
        require("reviews.export_complaints", request.user)
        fmt = file_format(request)
        qs = selectors.complaint_register(request.user, cleaned_filters(self, request))
        return table_response(registers.COMPLAINT_COLUMNS, registers.complaint_rows_of(qs), fmt=fmt,
                              basename="customer-feedback")

    @extend_schema(request=ComplaintBody, responses={201: ComplaintSerializer, **ERRORS})
    def create(self, request):
        """Log a complaint or other customer feedback (e.g. from the web shop or the CRM)."""
        require("reviews.log_complaint", request.user)
        complaint = services.complaint_log(actor=request.user,
                                           **bind(ComplaintForm, request, page_defaults=True).cleaned_data)
        return self.detail_response(request, complaint.number, status.HTTP_201_CREATED)

    @extend_schema(request=ComplaintBody, responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, number=None):
        """Correct the details of open feedback (its history keeps the old values): a field left out keeps its value."""
        complaint = _complaint(request, number)
        require("reviews.handle_complaint", request.user, complaint)
        current = {name: getattr(complaint, name) for name in services.COMPLAINT_FIELDS}
        services.complaint_update(actor=request.user, complaint=complaint,
                                  **bind(ComplaintForm, request, current=current).cleaned_data)
        return self.detail_response(request, number)

    def _handle(self, request, number, form_class, call):
        complaint = _complaint(request, number)
        require("reviews.handle_complaint", request.user, complaint)
        call(complaint, bind(form_class, request, complaint=complaint).cleaned_data)
        return self.detail_response(request, number)

    @extend_schema(request=form_schema("ComplaintAcknowledge", AcknowledgeForm(complaint=Complaint())),
                   responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, number=None):
        return self._handle(request, number, AcknowledgeForm, lambda c, d: services.complaint_acknowledge(
            actor=request.user, complaint=c, on=d["acknowledged_on"]))

    @extend_schema(request=form_schema("ComplaintRespond", RespondForm(complaint=Complaint())),
                   responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def respond(self, request, number=None):
        return self._handle(request, number, RespondForm, lambda c, d: services.complaint_respond(
            actor=request.user, complaint=c, on=d["responded_on"], response=d["response"]))

    @extend_schema(request=form_schema("ComplaintClose", CloseForm()), responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, number=None):
        complaint = _complaint(request, number)
        require("reviews.handle_complaint", request.user, complaint)
        services.complaint_close(actor=request.user, complaint=complaint,
                                 resolution=bind(CloseForm, request).cleaned_data["resolution"])
        return self.detail_response(request, number)

    @extend_schema(request=form_schema("ComplaintCapa", ComplaintCapaForm()),
                   responses={201: OpenApiResponse(description="The CAPA raised: {id, number}"), **ERRORS})
    @action(detail=True, methods=["post"])
    def capa(self, request, number=None):
        """Raise a nonconformity from the feedback (GET it at /capas/<id>/)."""
        complaint = _complaint(request, number)
        require("reviews.handle_complaint", request.user, complaint)
        capa = services.complaint_raise_capa(actor=request.user, complaint=complaint,
                                             **bind(ComplaintCapaForm, request).cleaned_data)
        return Response({"id": capa.pk, "number": capa.number}, status=status.HTTP_201_CREATED)


register("complaints", ComplaintViewSet, "complaint")


class SurveyViewSet(ViewSet):
    serializer_class = SurveySerializer
    lookup_value_converter = "int"
    orderings = {"-period_end": ("-period_end", "-id"), "period_end": ("period_end", "id")}

    def get_visible(self, request, pk):
        require("reviews.view_surveys", request.user)
        return visible(selectors.surveys_for(request.user), "reviews.view_surveys", request.user, "survey", pk=pk)

    @extend_schema(responses=SurveySerializer(many=True))
    def list(self, request):
        require("reviews.view_surveys", request.user)
        return self.list_response(request, selectors.surveys_for(request.user).order_by())

    @extend_schema(responses=SurveySerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request=SurveyBody, responses={201: SurveySerializer, **ERRORS})
    def create(self, request):
        """Enter the result of a customer satisfaction survey for a past period (9.1.2)."""
        require("reviews.enter_survey", request.user)
        survey = services.survey_enter(actor=request.user, **bind(SurveyForm, request, page_defaults=True).cleaned_data)
        return self.detail_response(request, survey.pk, status.HTTP_201_CREATED)

    @extend_schema(request=SurveyBody, responses={200: SurveySerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Correct a survey result: a field left out keeps its value."""
        require("reviews.enter_survey", request.user)
        survey = self.get_visible(request, pk)
        current = {n: getattr(survey, n) for n in services.SURVEY_FIELDS}
        services.survey_update(actor=request.user, survey=survey,
                               **bind(SurveyForm, request, current=current).cleaned_data)
        return self.detail_response(request, pk)


register("surveys", SurveyViewSet, "survey")


# ------------------------------------------------------------------ management reviews
def _review(request, pk) -> ManagementReview:
    try:
        review = selectors.review_detail(int(pk))
    except (ManagementReview.DoesNotExist, ValueError, TypeError, OverflowError):
        review = None
    return visible_or_404("reviews.view_review", request.user, review, "management review")


class ReviewViewSet(Trail, ViewSet):
    serializer_class = ReviewListSerializer
    detail_serializer = ReviewSerializer
    lookup_value_converter = "int"
    orderings = {"-meeting_date": ("-meeting_date", "-id"), "meeting_date": ("meeting_date", "id")}

    def get_visible(self, request, pk):
        return _review(request, pk)

    @extend_schema(responses=ReviewListSerializer(many=True))
    def list(self, request):
        require("reviews.view_reviews", request.user)
        return self.list_response(request, selectors.reviews_for(request.user).order_by())

    @extend_schema(responses=ReviewSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request=ReviewBody, responses={201: ReviewSerializer, **ERRORS})
    def create(self, request):
        """Plan a management review (9.3.1); its input pack (9.3.2) is compiled at once. The chair defaults to you."""
        require("reviews.plan_review", request.user)
        form = bind(ReviewForm, request, page_defaults=True, current={"chair": request.user.pk})
        review = services.review_plan(actor=request.user, **form.cleaned_data)
        return self.detail_response(request, review.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewBody, responses={200: ReviewSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Change the meeting's details before the minutes are approved (a new period recompiles the pack):
        a field left out keeps its value."""
        review = _review(request, pk)
        require("reviews.edit_minutes", request.user, review)
        current = {n: getattr(review, n) for n in services.REVIEW_FIELDS}
        current["attendees"] = list(review.attendees.values_list("pk", flat=True))
        services.review_update(actor=request.user, review=review,
                               **bind(ReviewForm, request, current=current).cleaned_data)
        return self.detail_response(request, pk)

    @extend_schema(request=None, responses={200: ReviewSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def compile(self, request, pk=None):
        """Compile the input pack (9.3.2) from the QMS's registers as they are now."""
        services.review_compile(actor=request.user, review=_review(request, pk))
        return self.detail_response(request, pk)

    @extend_schema(responses={200: ReviewPackSerializer, **ERRORS})
    @action(detail=True, methods=["get"])
    def pack(self, request, pk=None):
        """The compiled input pack (9.3.2), section by section, its charts as tables (the pack page);
        POST compile/ compiles it again, POST pdf/ starts its PDF job."""
        return Response(ReviewPackSerializer(_review(request, pk)).data)

    @extend_schema(request=None, responses={202: JobSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def pdf(self, request, pk=None):
        """The minutes and pack as a PDF: a job to poll (GET /jobs/<id>/)."""
        job = services.request_pack_pdf(actor=request.user, review=_review(request, pk))
        return Response(JobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=form_schema("ReviewConclusions", ConclusionsForm()), responses={200: ReviewSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def conclusions(self, request, pk=None):
        review = _review(request, pk)
        require("reviews.edit_minutes", request.user, review)
        services.review_update(actor=request.user, review=review,
                               conclusions=bind(ConclusionsForm, request).cleaned_data["conclusions"])
        return self.detail_response(request, pk)

    @extend_schema(request=DecisionBody, responses={201: ReviewSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        """A decision (9.3.3), with a tracked action when it needs one."""
        review = _review(request, pk)
        require("reviews.edit_minutes", request.user, review)
        services.decision_add(actor=request.user, review=review,
                              **bind(DecisionForm, request, review=review).cleaned_data)
        return self.detail_response(request, pk, status.HTTP_201_CREATED)

    @extend_schema(request=form_schema("ReviewSign", SignatureForm(), signing=True),
                   responses={200: ReviewSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """The chair approves the minutes: a signature (password, otp_code when enrolled, content_hash)."""
        review = _review(request, pk)
        require("reviews.sign_minutes", request.user, review)
        signed(request, services.minutes_approve, review=review)
        return self.detail_response(request, pk)


register("management-reviews", ReviewViewSet, "management-review")


class DecisionViewSet(ViewSet):
    serializer_class = DecisionSerializer
    lookup_value_converter = "int"
    orderings = {"action_status": ("action_status", "action_due_date", "id")}

    def get_visible(self, request, pk) -> Decision:
        decision = Decision.objects.select_related("review", "action_owner").filter(pk=pk).first()
        if decision is None:
            raise Http404("No such decision.")
        try:
            _review(request, decision.review_id)
        except Http404:
            raise Http404("No such decision.") from None
        return decision

    @extend_schema(responses=ReviewActionSerializer(many=True))
    def list(self, request):
        """The actions of the reviews' decisions (the review actions page): all for the quality manager,
        your own otherwise; open first, by due date."""
        require("reviews.view_reviews", request.user)
        return self.list_response(request, selectors.review_actions(request.user), ReviewActionSerializer)

    @extend_schema(responses=DecisionSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request=DecisionBody, responses={200: DecisionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Change a decision of minutes not yet approved: a field left out keeps its value."""
        decision = self.get_visible(request, pk)
        review = decision.review
        require("reviews.edit_minutes", request.user, review)
        current = {"kind": decision.kind, "text": decision.text, "action_description": decision.action_description,
                   "action_owner": decision.action_owner_id, "action_due_date": decision.action_due_date}
        services.decision_update(actor=request.user, decision=decision,
                                 **bind(DecisionForm, request, review=review, current=current).cleaned_data)
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("DecisionComplete", CompleteActionForm()),
                   responses={200: DecisionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Complete the decision's action, saying what was done."""
        decision = self.get_visible(request, pk)
        require("reviews.complete_action", request.user, decision)
        services.action_complete(actor=request.user, decision=decision,
                                 note=bind(CompleteActionForm, request).cleaned_data["note"])
        return self.detail_response(request, pk)


register("decisions", DecisionViewSet, "decision")

