"""Planning (4.1, 4.2, 6.1, 6.2, 9.1): context issues and interested parties,
risks and opportunities with their re-assessments and treatment actions,
quality objectives with their KPIs and measurements. The pages' actions as
POSTs through planning's forms, services and rules (planning.*)."""

from __future__ import annotations

from django import forms
from django.forms.models import model_to_dict
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
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
    IssueForm,
    KpiForm,
    MeasurementForm,
    ObjectiveForm,
    OutcomeForm,
    PartyForm,
    ReasonForm,
    RegisterFilterForm,
    RiskForm,
    ScaleForm,
)
from planning.models import ContextIssue, InterestedParty, Measurement, Objective, Risk, RiskAction, RiskScale
from qms.rules import require
from qms.uploads import file_response


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


class RiskScaleSerializer(serializers.Serializer):
    likelihood_levels = serializers.IntegerField()
    impact_levels = serializers.IntegerField()
    bands = serializers.SerializerMethodField()

    def get_bands(self, scale) -> list[dict]:
        return [{"name": b.name, "high": b.high, "colour": b.colour} for b in scale.band_list()]


class HeatCellSerializer(serializers.Serializer):
    likelihood = serializers.IntegerField()
    impact = serializers.IntegerField()
    count = serializers.IntegerField()
    band = serializers.CharField(source="band.name", allow_null=True, default=None)
    colour = serializers.CharField(source="band.colour", allow_null=True, default=None)


class HeatMapSerializer(serializers.Serializer):
    likelihood_levels = serializers.IntegerField(source="scale.likelihood_levels")
    impact_levels = serializers.IntegerField(source="scale.impact_levels")
    total = serializers.IntegerField()
    rows = serializers.ListField(child=HeatCellSerializer(many=True),
                                 help_text=_("One row per likelihood, the highest first; a cell per impact, 1 first"))


class MeasurementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    comment = serializers.CharField()
    computed = serializers.BooleanField()
    evidence_name = serializers.CharField()
    evidence_url = serializers.SerializerMethodField(help_text=_("The evidence file's download (none: null)."))

    def get_evidence_url(self, m) -> str | None:
        if not m.evidence:
            return None
        return self.context["request"].build_absolute_uri(f"/api/v1/measurements/{m.pk}/evidence/")


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
        return MeasurementSerializer(selectors.kpi_series(kpi), many=True, context=self.context).data


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


def _current(obj, form_class) -> dict:
    """An edit page's initial values: the object's own, for the form's model fields (a field the
    request leaves out keeps its value, as the page posts it back unchanged)."""
    return model_to_dict(obj, fields=list(form_class._meta.fields))


def _fresh(obj):
    """A copy for the page's ModelForm to bind to (a bound ModelForm changes its instance; the
    service compares with the stored object and records what changed)."""
    return type(obj).objects.get(pk=obj.pk)


# ------------------------------------------------------------------ context issues and interested parties
class _ContextEntries(Trail, ViewSet):
    """An entry of the context register: review it (with what the review found), retire or reactivate it."""

    lookup_value_converter = "int"
    orderings = {"next_review_on": ("next_review_on", "id"), "-next_review_on": ("-next_review_on", "-id")}
    what = "entry"
    form = None
    save = None
    fields = ()
    arg = ""

    def rows(self, request):
        raise NotImplementedError

    def _save(self, request, entry=None, code=status.HTTP_200_OK):
        """The page's new/edit form (planning.views.context._edit): its rule, its form, its service."""
        require("planning.edit_context_entry" if entry else "planning.manage_context", request.user, entry)
        form = bind(self.form, request, instance=_fresh(entry) if entry else None,
                    current=_current(entry, self.form) if entry else {"owner": request.user.pk})
        saved = type(self).save(actor=request.user, data={f: form.cleaned_data[f] for f in self.fields},
                                **{self.arg: entry})
        return self.detail_response(request, saved.pk, code)

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
# One body for a create and its edit (on an edit a field left out keeps its value).
IssueBody = form_schema("ContextIssueBody", IssueForm())
PartyBody = form_schema("InterestedPartyBody", PartyForm())


class IssueViewSet(_ContextEntries):
    serializer_class = IssueSerializer
    what = "context issue"
    form = IssueForm
    save = staticmethod(services.issue_save)
    fields = services.ISSUE_FIELDS
    arg = "issue"

    def rows(self, request):
        return selectors.issues_for_user(request.user).select_related("owner")

    @extend_schema(request=IssueBody, responses={201: IssueSerializer, **ERRORS})
    def create(self, request):
        """Record an internal or external issue (4.1); the owner defaults to you."""
        return self._save(request, code=status.HTTP_201_CREATED)

    @extend_schema(request=IssueBody, responses={200: IssueSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Change an issue: a field left out keeps its value."""
        return self._save(request, self.get_visible(request, pk))

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
    form = PartyForm
    save = staticmethod(services.party_save)
    fields = services.PARTY_FIELDS
    arg = "party"

    def rows(self, request):
        return selectors.parties_for_user(request.user).select_related("owner")

    @extend_schema(request=PartyBody, responses={201: PartySerializer, **ERRORS})
    def create(self, request):
        """Record an interested party and its relevant requirements (4.2); the owner defaults to you."""
        return self._save(request, code=status.HTTP_201_CREATED)

    @extend_schema(request=PartyBody, responses={200: PartySerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Change an interested party: a field left out keeps its value."""
        return self._save(request, self.get_visible(request, pk))

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


_RISK_DATA = ("kind", "title", "process", "department", "cause", "effect", "owner", "treatment")


def _risk_form(request, risk=None, *, current=None):
    """The page's risk form (planning.views.risks._risk_form), bound: a new risk carries its first
    assessment; an edit changes what the risk is, not its scores."""
    user = request.user
    return bind(RiskForm, request, instance=_fresh(risk) if risk else None, current=current,
                scale=RiskScale.current(), assess=risk is None,
                issues=selectors.issues_for_user(user).filter(status="active"),
                parties=selectors.parties_for_user(user).filter(status="active"))


def _risk_current(risk: Risk) -> dict:
    return {**_current(risk, RiskForm), "issues": list(risk.issues.values_list("pk", flat=True)),
            "parties": list(risk.parties.values_list("pk", flat=True))}


def _risk(request, pk) -> Risk:
    return visible(Risk.objects.select_related("owner", "process", "department"), "planning.view_risks",
                   request.user, "risk", pk=pk)


# One body for a new risk and its edit (the edit's form has no assessment fields).
RiskBody = form_schema("RiskBody", RiskForm(scale=RiskScale.default(), issues=ContextIssue.objects.none(),
                                           parties=InterestedParty.objects.none()))


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

    @extend_schema(responses={200: HeatMapSerializer, **ERRORS})
    @action(detail=False, methods=["get"])
    def heatmap(self, request):
        """Likelihood × impact with the number of risks in each cell (the heat map page), filtered as the
        register (kind, status, process, owner; the status defaults to active)."""
        require("planning.view_risks", request.user)
        scale = RiskScale.current()
        return Response(HeatMapSerializer(selectors.heatmap(request.user, cleaned_filters(self, request), scale)).data)

    @extend_schema(request=RiskBody,
                   responses={201: RiskSerializer, **ERRORS})
    def create(self, request):
        """Record a risk or opportunity with its first assessment (likelihood and impact on the
        configured scale, residual, the re-assessment date); the owner defaults to you."""
        require("planning.create_risk", request.user)
        d = _risk_form(request, current={"owner": request.user.pk}).cleaned_data
        risk = services.risk_create(actor=request.user, data={k: d[k] for k in _RISK_DATA},
                                    assessment=_assessment(d), issues=d["issues"], parties=d["parties"])
        return self.detail_response(request, risk.pk, status.HTTP_201_CREATED)

    @extend_schema(request=RiskBody,
                   responses={200: RiskSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Change what a risk is, not its scores (`assess` does that: the body's likelihood, impact,
        residual and re-assessment date are a new risk's only, and ignored here); a field left out keeps its value."""
        risk = _risk(request, pk)
        require("planning.edit_risk", request.user, risk)
        d = _risk_form(request, risk, current=_risk_current(risk)).cleaned_data
        services.risk_update(actor=request.user, risk=risk, data={k: d[k] for k in _RISK_DATA},
                             issues=d["issues"], parties=d["parties"])
        return self.detail_response(request, pk)

    @extend_schema(request=form_schema("RiskScale", ScaleForm()), responses={200: RiskScaleSerializer, **ERRORS})
    @action(detail=False, methods=["post"])
    def scale(self, request):
        """Set the likelihood × impact scale and its rating bands (`bands`: one "name, highest score,
        colour" a line); a field left out keeps its value."""
        require("planning.configure_scale", request.user)
        form = bind(ScaleForm, request, current=ScaleForm.initial_for(RiskScale.current()))
        saved = services.scale_save(actor=request.user, **form.cleaned_data)
        return Response(RiskScaleSerializer(saved).data)

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
_OBJECTIVE_DATA = ("statement", "policy", "policy_link", "owner", "process", "target", "unit", "direction",
                   "baseline", "start_date", "due_date", "plan_what", "plan_resources", "plan_who", "plan_when",
                   "plan_evaluation")
_KPI_DATA = ("name", "definition", "unit", "frequency", "target", "direction", "warning", "source", "measure",
             "data_source", "owner", "start_date", "is_active")


ObjectiveBody = form_schema("ObjectiveBody", ObjectiveForm())
KpiBody = form_schema("KpiBody", KpiForm())


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

    def _save(self, request, objective=None, code=status.HTTP_200_OK):
        """The page's objective form (planning.views.objectives.objective_create), its rule and service."""
        require("planning.edit_objective" if objective else "planning.manage_objectives", request.user, objective)
        current = (_current(objective, ObjectiveForm) if objective
                   else {"owner": request.user.pk, "start_date": timezone.localdate()})
        form = bind(ObjectiveForm, request, instance=_fresh(objective) if objective else None, current=current)
        saved = services.objective_save(actor=request.user, objective=objective,
                                        data={k: form.cleaned_data[k] for k in _OBJECTIVE_DATA})
        return self.detail_response(request, saved.pk, code)

    @extend_schema(request=ObjectiveBody, responses={201: ObjectiveSerializer, **ERRORS})
    def create(self, request):
        """Set a quality objective and its plan (6.2); the owner defaults to you, the start date to today."""
        return self._save(request, code=status.HTTP_201_CREATED)

    @extend_schema(request=ObjectiveBody, responses={200: ObjectiveSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Change an objective or its plan: a field left out keeps its value."""
        return self._save(request, self.get_visible(request, pk))

    @extend_schema(request=KpiBody, responses={201: KpiSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def kpis(self, request, pk=None):
        """Define a KPI of the objective; unit, target, direction, owner and start date default to the objective's."""
        objective = self.get_visible(request, pk)
        require("planning.edit_objective", request.user, objective)
        current = {"owner": objective.owner_id, "unit": objective.unit, "target": objective.target,
                   "direction": objective.direction, "start_date": objective.start_date, "is_active": True}
        form = bind(KpiForm, request, current=current)
        kpi = services.kpi_save(actor=request.user, objective=objective, kpi=None,
                                data={k: form.cleaned_data[k] for k in _KPI_DATA})
        return Response(KpiSerializer(KpiViewSet().get_visible(request, kpi.pk), context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


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

    @extend_schema(request=KpiBody, responses={200: KpiSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Change a KPI: a field left out keeps its value (the frequency no longer changes once measured)."""
        kpi = self.get_visible(request, pk)
        require("planning.edit_objective", request.user, kpi.objective)
        form = bind(KpiForm, request, instance=_fresh(kpi), current=_current(kpi, KpiForm))
        services.kpi_save(actor=request.user, objective=kpi.objective, kpi=kpi,
                          data={k: form.cleaned_data[k] for k in _KPI_DATA})
        return self.detail_response(request, pk)

    @extend_schema(request=None, responses={200: KpiSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        """A computed KPI: compute the periods that have ended since the last refresh."""
        kpi = self.get_visible(request, pk)
        require("planning.refresh_kpi", request.user, kpi)
        services.kpi_refresh(actor=request.user, kpi=kpi)
        return self.detail_response(request, pk)


register("kpis", KpiViewSet, "kpi")


class MeasurementViewSet(ViewSet):
    """A measurement's evidence file (the measurement itself is in its KPI's GET)."""

    serializer_class = MeasurementSerializer
    lookup_value_converter = "int"

    def get_visible(self, request, pk) -> Measurement:
        require("planning.view_objectives", request.user)
        m = Measurement.objects.select_related("kpi").filter(pk=pk).first()
        if m is None or not selectors.kpis_for_user(request.user).filter(pk=m.kpi_id).exists():
            raise Http404("No such measurement.")
        return m

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: OpenApiResponse(description="No file")})
    @action(detail=True, methods=["get"])
    def evidence(self, request, pk=None):
        """Download the measurement's evidence (as the KPI page's link)."""
        m = self.get_visible(request, pk)
        if not m.evidence:
            raise Http404("This measurement has no evidence file.")
        return file_response(m.evidence, download_name=m.evidence_name, content_type=m.evidence_type)


register("measurements", MeasurementViewSet, "measurement")

