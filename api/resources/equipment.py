"""Measuring equipment (7.1.5): the register, an instrument with its
calibrations, and the page's actions as POSTs (equipment.forms /
equipment.services, under equipment.rules); calibration certificates."""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action

from api.base import ERRORS, Trail, ViewSet, bind, form_schema, visible
from api.filters import FormFilter, cleaned_filters
from api.resources import register
from api.resources.records import RecordListSerializer
from equipment import selectors, services
from equipment.forms import CalibrationForm, FilterForm, InstrumentForm, StatusForm
from equipment.models import Calibration, Instrument
from qms.rules import require
from qms.uploads import file_response


# ------------------------------------------------------------------ serializers
class CalibrationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    instrument = serializers.CharField(source="instrument.code")
    calibrated_on = serializers.DateField()
    due_on = serializers.DateField()
    result = serializers.CharField()
    performed_by = serializers.CharField()
    certificate_number = serializers.CharField()
    notes = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    certificate_url = serializers.SerializerMethodField()

    def get_certificate_url(self, cal) -> str | None:
        if not cal.file:
            return None
        return self.context["request"].build_absolute_uri(f"/api/v1/calibrations/{cal.pk}/certificate/")


class InstrumentListSerializer(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField()
    location = serializers.CharField()
    owner = serializers.CharField(source="owner.display_name")
    status = serializers.CharField()
    calibration_interval_months = serializers.IntegerField()
    last_calibrated_on = serializers.DateField(allow_null=True)
    next_due = serializers.DateField(allow_null=True)


class InstrumentSerializer(InstrumentListSerializer):
    measurement_range = serializers.CharField()
    clause = serializers.CharField(source="clause.number")
    created_at = serializers.DateTimeField()
    calibrations = serializers.SerializerMethodField()

    def get_calibrations(self, inst) -> list[dict]:
        cals = inst.calibrations.select_related("instrument").order_by("-calibrated_on", "-id")
        return CalibrationSerializer(cals, many=True, context=self.context).data


# ------------------------------------------------------------------ request bodies
class StatusMoveForm(StatusForm):
    """The status page's form, with the status the page has in its URL."""

    to = forms.ChoiceField(choices=Instrument.Status.choices, help_text=_("The status to move to."))


def _instrument(request, code) -> Instrument:
    return visible(Instrument.objects.select_related("owner", "clause"), "equipment.view_instrument", request.user,
                   "instrument", code=code)


IMPACT_ORDERINGS = {"-created_at": ("-created_at", "-id")}


class ImpactSerializer(serializers.Serializer):
    """A cursor page of the records measured with the instrument, with the period in doubt."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RecordListSerializer(many=True)
    since = serializers.DateField(help_text=_("The last good calibration's date (or the registration's)"))
    failed_calibration = CalibrationSerializer(allow_null=True)


# ------------------------------------------------------------------ instruments
class InstrumentViewSet(Trail, ViewSet):
    serializer_class = InstrumentListSerializer
    detail_serializer = InstrumentSerializer
    lookup_field = "code"
    filter_backends = [FormFilter]
    filter_form = FilterForm
    orderings = {"code": ("code",), "-code": ("-code",), "next_due": ("next_due", "id"),
                 "-next_due": ("-next_due", "-id")}

    def get_visible(self, request, code):
        return _instrument(request, code)

    @extend_schema(responses=InstrumentListSerializer(many=True))
    def list(self, request):
        require("equipment.view_equipment", request.user)
        return self.list_response(request, selectors.instrument_list(request.user, cleaned_filters(self, request)))

    @extend_schema(responses=InstrumentSerializer)
    def retrieve(self, request, code=None):
        return self.detail_response(request, code)

    @extend_schema(request=form_schema("InstrumentCreate", InstrumentForm()),
                   responses={201: InstrumentSerializer, **ERRORS})
    def create(self, request):
        require("equipment.manage_equipment", request.user)
        form = bind(InstrumentForm, request)
        instrument = services.instrument_create(actor=request.user, **form.cleaned_data)
        return self.detail_response(request, instrument.code, status.HTTP_201_CREATED)

    @extend_schema(request=form_schema("InstrumentEdit", InstrumentForm(), drop=("code",)),
                   responses={200: InstrumentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, code=None):
        """Change the register's entry (the id stays: records name it): a field left out keeps its value."""
        instrument = _instrument(request, code)
        require("equipment.manage_equipment", request.user)
        current = {name: getattr(instrument, name) for name in InstrumentForm.base_fields if name != "code"}
        form = bind(InstrumentForm, request, instance=instrument, current=current)
        services.instrument_update(actor=request.user, instrument=instrument, **form.changes())
        return self.detail_response(request, code)

    @extend_schema(request=form_schema("InstrumentStatus", StatusMoveForm()),
                   responses={200: InstrumentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def status(self, request, code=None):
        """Send for calibration, take out of service, put back in use or retire, with a reason."""
        instrument = _instrument(request, code)
        require("equipment.change_status", request.user, instrument)
        form = bind(StatusMoveForm, request)
        services.instrument_set_status(actor=request.user, instrument=instrument, to=form.cleaned_data["to"],
                                       reason=form.cleaned_data["reason"])
        return self.detail_response(request, code)

    @extend_schema(request={"application/json": form_schema("CalibrationRecord", CalibrationForm()),
                            "multipart/form-data": form_schema("CalibrationRecordUpload", CalibrationForm())},
                   responses={201: InstrumentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def calibrate(self, request, code=None):
        """Record a calibration (a certificate as the multipart part `file`); a failed one takes the
        instrument out of service and raises the impact assessment's nonconformity."""
        instrument = _instrument(request, code)
        require("equipment.record_calibration", request.user, instrument)
        d = bind(CalibrationForm, request).cleaned_data
        services.calibration_record(
            actor=request.user, instrument=instrument, calibrated_on=d["calibrated_on"], result=d["result"],
            due_on=d.get("due_on"), performed_by=d["performed_by"], certificate_number=d["certificate_number"],
            notes=d["notes"], upload=d.get("file"))
        return self.detail_response(request, code, status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("cursor", str, description="The pagination cursor value."),
                               OpenApiParameter("page_size", int, description="Number of results to return per page.")],
                   responses={200: ImpactSerializer, **ERRORS})
    @action(detail=True, methods=["get"], filter_backends=[], orderings=IMPACT_ORDERINGS)
    def impact(self, request, code=None):
        """What was measured with the instrument (7.1.5.2): the records naming it since its last good
        calibration (`since`), newest first, a cursor page; `failed_calibration` is the latest calibration
        when it was out of tolerance (else null). The instrument page's impact view."""
        instrument = _instrument(request, code)
        latest = instrument.calibrations.order_by("-calibrated_on", "-id").first()
        failed = latest if latest is not None and not latest.good else None
        since = services.impact_since(instrument, failed)
        qs = services.records_measured_with(request.user, instrument, since)
        response = self.list_response(request, qs, serializer=RecordListSerializer)
        response.data["since"] = since
        response.data["failed_calibration"] = (CalibrationSerializer(failed, context={"request": request}).data
                                               if failed else None)
        return response


register("instruments", InstrumentViewSet, "instrument")


# ------------------------------------------------------------------ calibrations
class CalibrationViewSet(ViewSet):
    serializer_class = CalibrationSerializer
    lookup_value_converter = "int"

    def get_visible(self, request, pk) -> Calibration:
        cal = Calibration.objects.select_related("instrument").filter(pk=pk).first()
        if cal is None:
            raise Http404("No such calibration.")
        _instrument(request, cal.instrument.code)
        return cal

    @extend_schema(responses=CalibrationSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: OpenApiResponse(description="No file")})
    @action(detail=True, methods=["get"])
    def certificate(self, request, pk=None):
        cal = self.get_visible(request, pk)
        if not cal.file:
            raise Http404("This calibration has no certificate file.")
        require("equipment.download_certificate", request.user, cal.instrument)
        return file_response(cal.file, download_name=cal.original_name, content_type=cal.content_type)


register("calibrations", CalibrationViewSet, "calibration")
