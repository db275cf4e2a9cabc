"""Planning (4.1, 4.2, 6.1, 6.2, 9.1): context issues and interested parties,
risks and opportunities with their re-assessments and treatment actions,
quality objectives with their KPIs and measurements. The pages' actions as
POSTs through planning's forms, services and rules (planning.*)."""

from __future__ import annotations

from django import forms
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ERRORS, Trail, ViewSet, bind, form_schema, visible
from api.filters import FormFilter, cleaned_filters
from api.resources import register
from planning import selectors, services
from planning.forms import (
    ActionDoneForm,
    ActionForm,
    AssessForm,
    CapaForm,
    CloseObjectiveForm,
    MeasurementForm,
    OutcomeForm,
    ReasonForm,
    RegisterFilterForm,
)
from planning.models import Objective, Risk, RiskAction, RiskScale
from qms.rules import require


# ------------------------------------------------------------------ serializers
class _Entry(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    owner = serializers.CharField(source="owner.display_name")
    review_months = serializers.IntegerField()
    last_reviewed_on = serializers.DateField(allow_null=True)
    next_review_on = serializers.DateField()


class IssueSerializer(_Entry):
    origin = serializers.CharField()
    category = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    effect = serializers.CharField()
    source = serializers.CharField()


class PartySerializer(_Entry):
    name = serializers.CharField()
    kind = serializers.CharField()
    internal = serializers.BooleanField()
    requirements = serializers.CharField()
    monitoring = serializers.CharField()


class RiskActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    risk = serializers.IntegerField(source="risk_id")
    description = serializers.CharField()
    owner = serializers.CharField(source="owner.display_name")
    start_date = serializers.DateField()
    due_date = serializers.DateField()
    status = serializers.CharField()
    completed_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()


class RiskListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    owner = serializers.CharField(source="owner.display_name")
    likelihood = serializers.IntegerField()
    impact = serializers.IntegerField()
    score = serializers.IntegerField()
    residual_score = serializers.IntegerField(allow_null=True)
    treatment = serializers.CharField()
    reassess_on = serializers.DateField()


class RiskSerializer(RiskListSerializer):
    process = serializers.CharField(source="process.code", allow_null=True, default=None)
    department = serializers.CharField(source="department.code", allow_null=True, default=None)
    cause = serializers.CharField()
    effect = serializers.CharField()
    residual_likelihood = serializers.IntegerField(allow_null=True)
    residual_impact = serializers.IntegerField(allow_null=True)
    closed_reason = serializers.CharField()
    assessments = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    def get_assessments(self, risk) -> list[dict]:
        return [{"assessed_on": a.assessed_on, "likelihood": a.likelihood, "impact": a.impact, "score": a.score,
                 "residual_score": a.residual_score, "note": a.note, "by": a.assessed_by.display_name}
                for a in risk.assessments.select_related("assessed_by").order_by("assessed_on", "id")]

    def get_actions(self, risk) -> list[dict]:
        return RiskActionSerializer(risk.actions.select_related("owner").order_by("due_date", "id"), many=True).data


class MeasurementSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    comment = serializers.CharField()
    computed = serializers.BooleanField()


class KpiListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    objective = serializers.IntegerField(source="objective_id")
    name = serializers.CharField()
    unit = serializers.CharField()
    frequency = serializers.CharField()
    target = serializers.DecimalField(max_digits=14, decimal_places=4)
    direction = serializers.CharField()
    source = serializers.CharField()
    is_active = serializers.BooleanField()
    latest_value = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True, default=None)
    latest_period = serializers.DateField(allow_null=True, default=None)


class KpiSerializer(KpiListSerializer):
    definition = serializers.CharField()
    owner = serializers.CharField(source="owner.display_name", allow_null=True, default=None)
    measurements = serializers.SerializerMethodField()

    def get_measurements(self, kpi) -> list[dict]:
        return MeasurementSerializer(selectors.kpi_series(kpi), many=True).data


class ObjectiveListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    statement = serializers.CharField()
    status = serializers.CharField()
    owner = serializers.CharField(source="owner.display_name")
    target = serializers.DecimalField(max_digits=14, decimal_places=4)
    unit = serializers.CharField()
    direction = serializers.CharField()
    start_date = serializers.DateField()
    due_date = serializers.DateField()


class ObjectiveSerializer(ObjectiveListSerializer):
    process = serializers.CharField(source="process.code", allow_null=True, default=None)
    baseline = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    plan_what = serializers.CharField()
    plan_resources = serializers.CharField()
    plan_who = serializers.CharField()
    plan_when = serializers.CharField()
    plan_evaluation = serializers.CharField()
    kpis = serializers.SerializerMethodField()

    def get_kpis(self, objective) -> list[dict]:
        return KpiListSerializer(selectors.kpi_list(self.context["request"].user, objective), many=True).data


# ------------------------------------------------------------------ context issues and interested parties
class _ContextEntries(Trail, ViewSet):
    """An entry of the context register: review it (with what the review found), retire or reactivate it."""

    lookup_value_converter = "int"
    orderings = {"next_review_on": ("next_review_on", "id"), "-next_review_on": ("-next_review_on", "-id")}
    what = "entry"

    def rows(self, request):
        raise NotImplementedError

    def get_visible(self, request, pk):
        return visible(self.rows(request), "planning.view_context", request.user, self.what, pk=pk)

    def list(self, request):
        require("planning.view_context", request.user)
        return self.list_response(request, self.rows(request))

    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    def _review(self, request, pk):
        entry = self.get_visible(request, pk)
        require("planning.edit_context_entry", request.user, entry)
        services.entry_review(actor=request.user, entry=entry, outcome=bind(OutcomeForm, request).cleaned_data["outcome"])
        return self.detail_response(request, pk)

    def _retire(self, request, pk):
        entry = self.get_visible(request, pk)
        require("planning.edit_context_entry", request.user, entry)
        services.entry_retire(actor=request.user, entry=entry, reason=bind(ReasonForm, request).cleaned_data["reason"])
        return self.detail_response(request, pk)

    def _reactivate(self, request, pk):
        entry = self.get_visible(request, pk)
        require("planning.edit_context_entry", request.user, entry)
        services.entry_reactivate(actor=request.user, entry=entry)
        return self.detail_response(request, pk)


ReviewBody = form_schema("ContextReview", OutcomeForm())
RetireBody = form_schema("ContextRetire", ReasonForm())


class IssueViewSet(_ContextEntries):
    serializer_class = IssueSerializer
    what = "context issue"

    def rows(self, request):
        return selectors.issues_for_user(request.user).select_related("owner")

    @extend_schema(request=ReviewBody, responses={200: IssueSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._review(request, pk)

    @extend_schema(request=RetireBody, responses={200: IssueSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        return self._retire(request, pk)

    @extend_schema(request=None, responses={200: IssueSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return self._reactivate(request, pk)


class PartyViewSet(_ContextEntries):
    serializer_class = PartySerializer
    what = "interested party"

    def rows(self, request):
        return selectors.parties_for_user(request.user).select_related("owner")

    @extend_schema(request=ReviewBody, responses={200: PartySerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._review(request, pk)

    @extend_schema(request=RetireBody, responses={200: PartySerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        return self._retire(request, pk)

    @extend_schema(request=None, responses={200: PartySerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return self._reactivate(request, pk)


register("context-issues", IssueViewSet, "context-issue")
register("interested-parties", PartyViewSet, "interested-party")


# ------------------------------------------------------------------ risks
def _assessment(d: dict) -> services.Assessment:
    """The page's assessment fields as the service's Assessment."""
    return services.Assessment(likelihood=d["likelihood"], impact=d["impact"], reassess_on=d["reassess_on"],
                               residual_likelihood=d.get("residual_likelihood"),
                               residual_impact=d.get("residual_impact"), note=d.get("note", ""))


def _risk(request, pk) -> Risk:
    return visible(Risk.objects.select_related("owner", "process", "department"), "planning.view_risks",
                   request.user, "risk", pk=pk)


class RiskViewSet(Trail, ViewSet):
    serializer_class = RiskListSerializer
    detail_serializer = RiskSerializer
    lookup_value_converter = "int"
    filter_backends = [FormFilter]
    filter_form = RegisterFilterForm
    orderings = {"-score": ("-score", "-id"), "score": ("score", "id"), "reassess_on": ("reassess_on", "id")}

    def filter_form_kwargs(self, request):
        # No request: the schema is being built (also by `check`, before any migration), so no query.
        return {"scale": RiskScale.current() if request is not None else RiskScale.default()}

    def get_visible(self, request, pk):
        return _risk(request, pk)

    @extend_schema(responses=RiskListSerializer(many=True))
    def list(self, request):
        require("planning.view_risks", request.user)
        f = cleaned_filters(self, request)
        qs = selectors.risk_register(request.user, f, RiskScale.current()).select_related("owner")
        return self.list_response(request, qs)

    @extend_schema(responses=RiskSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("RiskAssess", AssessForm(scale=RiskScale.default())),
                   responses={200: RiskSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        """Re-assess: likelihood and impact on the configured scale, residual, the next date and a note."""
        risk = _risk(request, pk)
        require("planning.edit_risk", request.user, risk)
        form = bind(AssessForm, request, scale=RiskScale.current())
        services.risk_assess(actor=request.user, risk=risk, assessment=_assessment(form.cleaned_data))
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("RiskActionAdd", ActionForm()), responses={201: RiskSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def actions(self, request, pk=None):
        """Plan a treatment action."""
        risk = _risk(request, pk)
        require("planning.edit_risk", request.user, risk)
        services.risk_action_add(actor=request.user, risk=risk, **bind(ActionForm, request).cleaned_data)
        return self.detail_response(request, pk, status.HTTP_201_CREATED)

    @extend_schema(request=form_schema("RiskClose", ReasonForm()), responses={200: RiskSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        risk = _risk(request, pk)
        require("planning.close_risk", request.user, risk)
        services.risk_close(actor=request.user, risk=risk, reason=bind(ReasonForm, request).cleaned_data["reason"])
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("RiskReopen", ReasonForm()), responses={200: RiskSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        risk = _risk(request, pk)
        require("planning.reopen_risk", request.user, risk)
        services.risk_reopen(actor=request.user, risk=risk, reason=bind(ReasonForm, request).cleaned_data["reason"])
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("RiskCapa", CapaForm()),
                   responses={201: OpenApiResponse(description="The CAPA raised: {id, number}"), **ERRORS})
    @action(detail=True, methods=["post"])
    def capa(self, request, pk=None):
        """Raise a nonconformity from the risk (GET it at /capas/<id>/)."""
        risk = _risk(request, pk)
        require("planning.raise_capa", request.user, risk)
        capa = services.risk_raise_capa(actor=request.user, risk=risk, **bind(CapaForm, request).cleaned_data)
        return Response({"id": capa.pk, "number": capa.number}, status=status.HTTP_201_CREATED)


register("risks", RiskViewSet, "risk")


class RiskActionViewSet(ViewSet):
    serializer_class = RiskActionSerializer
    lookup_value_converter = "int"

    def get_visible(self, request, pk) -> RiskAction:
        act = RiskAction.objects.select_related("risk", "owner").filter(pk=pk).first()
        if act is None:
            raise Http404("No such action.")
        try:
            _risk(request, act.risk_id)
        except Http404:
            raise Http404("No such action.") from None
        return act

    @extend_schema(responses=RiskActionSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("RiskActionComplete", ActionDoneForm()),
                   responses={200: RiskActionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        act = self.get_visible(request, pk)
        require("planning.complete_risk_action", request.user, act)
        services.risk_action_complete(actor=request.user, action=act, **bind(ActionDoneForm, request).cleaned_data)
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("RiskActionCancel", ReasonForm()), responses={200: RiskActionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        act = self.get_visible(request, pk)
        require("planning.complete_risk_action", request.user, act)
        services.risk_action_cancel(actor=request.user, action=act, reason=bind(ReasonForm, request).cleaned_data["reason"])
        return self.detail_response(request, pk)


register("risk-actions", RiskActionViewSet, "risk-action")


# ------------------------------------------------------------------ objectives and KPIs
class ObjectiveFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any"), *Objective.Status.choices], required=False)


class ObjectiveViewSet(Trail, ViewSet):
    serializer_class = ObjectiveListSerializer
    detail_serializer = ObjectiveSerializer
    lookup_value_converter = "int"
    filter_backends = [FormFilter]
    filter_form = ObjectiveFilterForm
    orderings = {"due_date": ("due_date", "id"), "-due_date": ("-due_date", "-id")}

    def get_visible(self, request, pk):
        return visible(selectors.objectives_for_user(request.user), "planning.view_objectives", request.user,
                       "objective", pk=pk)

    @extend_schema(responses=ObjectiveListSerializer(many=True))
    def list(self, request):
        require("planning.view_objectives", request.user)
        f = cleaned_filters(self, request)
        qs = selectors.objectives_for_user(request.user)
        if f.get("status"):
            qs = qs.filter(status=f["status"])
        return self.list_response(request, qs)

    @extend_schema(responses=ObjectiveSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("ObjectiveClose", CloseObjectiveForm()),
                   responses={200: ObjectiveSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close as achieved, not achieved or withdrawn, with the evaluation (6.2.2 e)."""
        objective = self.get_visible(request, pk)
        require("planning.edit_objective", request.user, objective)
        services.objective_close(actor=request.user, objective=objective,
                                 **bind(CloseObjectiveForm, request).cleaned_data)
        return self.detail_response(request, pk)


register("objectives", ObjectiveViewSet, "objective")


class KpiViewSet(Trail, ViewSet):
    serializer_class = KpiListSerializer
    detail_serializer = KpiSerializer
    lookup_value_converter = "int"
    orderings = {"id": ("id",), "-id": ("-id",)}

    def get_visible(self, request, pk):
        qs = selectors.with_latest(selectors.kpis_for_user(request.user).select_related("objective", "owner"))
        return visible(qs, "planning.view_objectives", request.user, "KPI", pk=pk)

    @extend_schema(responses=KpiListSerializer(many=True))
    def list(self, request):
        require("planning.view_objectives", request.user)
        return self.list_response(request, selectors.kpi_list(request.user).order_by())

    @extend_schema(responses=KpiSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request={"application/json": form_schema("KpiMeasure", MeasurementForm()),
                            "multipart/form-data": form_schema("KpiMeasureUpload", MeasurementForm())},
                   responses={201: KpiSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def measure(self, request, pk=None):
        """Record a measurement for a period (evidence as the multipart part `evidence`)."""
        kpi = self.get_visible(request, pk)
        require("planning.record_measurement", request.user, kpi)
        d = bind(MeasurementForm, request).cleaned_data
        services.measurement_record(actor=request.user, kpi=kpi, day=d["period"], value=d["value"],
                                    comment=d["comment"], evidence=d.get("evidence"))
        return self.detail_response(request, pk, status.HTTP_201_CREATED)


register("kpis", KpiViewSet, "kpi")

