"""External providers (8.4): the supplier register, a supplier with its
contacts, certificates and evaluations, and the pages' actions as POSTs
(suppliers.forms / suppliers.services, under suppliers.rules). Approving and
disqualifying a supplier, and an evaluation, are electronic signatures."""

from __future__ import annotations

from django import forms
from django.forms.models import model_to_dict
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ERRORS, Trail, ViewSet, bind, form_schema, signed, visible
from api.filters import FormFilter, cleaned_filters
from api.resources import register
from api.resources.qms import JobSerializer, signatures
from qms import jobs
from qms.rules import require
from qms.signatures import content_hash
from qms.uploads import file_response
from suppliers import selectors, services
from suppliers.forms import (
    AuditLinkForm,
    CapaForm,
    CertificateForm,
    ContactForm,
    CriterionForm,
    EvaluationForm,
    FilterForm,
    StatusForm,
    SupplierForm,
)
from suppliers.lifecycles import SIGNED
from suppliers.models import Certificate, Criterion, Evaluation, Supplier


# ------------------------------------------------------------------ serializers
class CertificateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    supplier = serializers.CharField(source="supplier.code")
    standard = serializers.CharField()
    number = serializers.CharField()
    issuer = serializers.CharField()
    valid_until = serializers.DateField()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, cert) -> str | None:
        if not cert.file:
            return None
        return self.context["request"].build_absolute_uri(f"/api/v1/supplier-certificates/{cert.pk}/download/")


class EvaluationListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    supplier = serializers.CharField(source="supplier.code")
    kind = serializers.CharField()
    evaluated_on = serializers.DateField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1)
    decision = serializers.CharField()
    evaluated_by = serializers.CharField(source="evaluated_by.display_name")


class EvaluationSerializer(EvaluationListSerializer):
    comment = serializers.CharField()
    lines = serializers.SerializerMethodField()
    signatures = serializers.SerializerMethodField()

    def get_lines(self, ev) -> list[dict]:
        return [{"criterion": line.criterion_name, "weight": line.weight, "score": line.score}
                for line in ev.lines.all()]

    def get_signatures(self, ev) -> list[dict]:
        return signatures(ev)


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    weight = serializers.IntegerField()
    order = serializers.IntegerField()
    is_active = serializers.BooleanField()


class SupplierListSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    supplies = serializers.CharField()
    criticality = serializers.CharField()
    status = serializers.CharField()
    owner = serializers.CharField(source="owner.display_name", allow_null=True, default=None)
    next_evaluation_due = serializers.DateField(allow_null=True)
    last_score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class ApprovedSupplierSerializer(serializers.Serializer):
    """A line of the approved supplier list (its page's columns)."""

    code = serializers.CharField()
    name = serializers.CharField()
    supplies = serializers.CharField()
    scope_of_approval = serializers.CharField()
    status = serializers.CharField()
    criticality = serializers.CharField()
    approved_at = serializers.DateTimeField(allow_null=True)
    next_evaluation_due = serializers.DateField(allow_null=True)


class ScorecardMonthSerializer(serializers.Serializer):
    month = serializers.DateField(source="start")
    delivered = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_percent = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    capas = serializers.IntegerField()
    inspections = serializers.IntegerField()


class ScorecardSerializer(serializers.Serializer):
    """The supplier's performance over the last 12 months (the scorecard page), from the QMS's own data."""

    supplier = serializers.CharField(source="supplier.code")
    delivered = serializers.IntegerField()
    on_time_percent = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    months = ScorecardMonthSerializer(many=True)
    evaluations = EvaluationListSerializer(many=True, help_text=_("The latest 20"))
    capas = serializers.SerializerMethodField(help_text=_("The latest 20 CAPAs raised from the supplier"))
    inspections = serializers.SerializerMethodField(help_text=_("The latest 20 incoming-inspection records naming it"))

    def get_capas(self, card) -> list[dict]:
        return [{"number": c.number, "title": c.title, "status": c.status, "severity": c.severity,
                 "raised_at": c.raised_at} for c in card.capas]

    def get_inspections(self, card) -> list[dict]:
        return [{"number": r.number, "type": r.record_type.code, "status": r.status, "created_at": r.created_at}
                for r in card.inspections]


class SupplierSerializer(SupplierListSerializer):
    scope_of_approval = serializers.CharField()
    website = serializers.CharField()
    address = serializers.CharField()
    clause = serializers.CharField(source="clause.number")
    approved_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    content_hash = serializers.SerializerMethodField(
        help_text=_("What approving, disqualifying and evaluating sign: send it back as content_hash."))
    contacts = serializers.SerializerMethodField()
    certificates = serializers.SerializerMethodField()
    evaluations = serializers.SerializerMethodField()
    signatures = serializers.SerializerMethodField()
    audits = serializers.SerializerMethodField(help_text=_("The supplier audits linked to it (8.4.2)."))

    def get_audits(self, s) -> list[dict]:
        return [{"id": link.audit_id, "number": link.audit.number, "title": link.audit.title}
                for link in s.audit_links.select_related("audit").order_by("audit__planned_start", "id")]

    def get_content_hash(self, s) -> str:
        return content_hash(s.signature_content())

    def get_contacts(self, s) -> list[dict]:
        return [{"name": c.name, "role": c.role, "email": c.email, "phone": c.phone} for c in s.contacts.all()]

    def get_certificates(self, s) -> list[dict]:
        certs = s.certificates.select_related("supplier").order_by("-valid_until", "-id")
        return CertificateSerializer(certs, many=True, context=self.context).data

    def get_evaluations(self, s) -> list[dict]:
        evs = s.evaluations.select_related("supplier", "evaluated_by").order_by("-evaluated_on", "-id")
        return EvaluationListSerializer(evs, many=True).data

    def get_signatures(self, s) -> list[dict]:
        return signatures(s)


# ------------------------------------------------------------------ request bodies
class StatusMoveForm(StatusForm):
    """The status page's form, with the status the page has in its URL."""

    to = forms.ChoiceField(choices=Supplier.Status.choices, help_text=_("The status to move to."))


StatusBody = form_schema("SupplierStatus", StatusMoveForm(), extra={
    "password": serializers.CharField(required=False, help_text=_("Approving and disqualifying are signed: your password.")),
    "otp_code": serializers.CharField(required=False, help_text=_("Your second factor, when enrolled.")),
    "content_hash": serializers.CharField(required=False, help_text=_("The supplier's content_hash (signed moves).")),
})


def _criteria():
    return list(Criterion.objects.filter(is_active=True))


def _supplier(request, code) -> Supplier:
    return visible(Supplier.objects.select_related("owner", "clause"), "suppliers.view_supplier", request.user,
                   "supplier", code=code)


def _via_supplier(request, obj, what):
    """A supplier's evaluation or certificate: visible when its supplier is."""
    if obj is None:
        raise Http404(f"No such {what}.")
    try:
        _supplier(request, obj.supplier.code)
    except Http404:
        raise Http404(f"No such {what}.") from None
    return obj


# ------------------------------------------------------------------ suppliers
class SupplierViewSet(Trail, ViewSet):
    serializer_class = SupplierListSerializer
    detail_serializer = SupplierSerializer
    lookup_field = "code"
    filter_backends = [FormFilter]
    filter_form = FilterForm
    orderings = {"name": ("name", "id"), "-name": ("-name", "-id"), "code": ("code",), "-code": ("-code",)}

    def get_visible(self, request, code):
        return _supplier(request, code)

    @extend_schema(responses=SupplierListSerializer(many=True))
    def list(self, request):
        require("suppliers.view_suppliers", request.user)
        return self.list_response(request, selectors.supplier_list(request.user, cleaned_filters(self, request)))

    @extend_schema(responses=SupplierSerializer)
    def retrieve(self, request, code=None):
        return self.detail_response(request, code)

    @extend_schema(responses=ApprovedSupplierSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[])
    def approved(self, request):
        """The approved supplier list (8.4.1): approved and conditionally approved suppliers, by name."""
        require("suppliers.view_suppliers", request.user)
        return self.list_response(request, selectors.approved_suppliers(request.user), ApprovedSupplierSerializer)

    @extend_schema(responses={200: ScorecardSerializer, **ERRORS})
    @action(detail=True, methods=["get"])
    def scorecard(self, request, code=None):
        """The supplier's scorecard: on-time delivery, CAPAs raised and inspection records per month over
        the last 12 months, with its evaluations (the scorecard page)."""
        supplier = _supplier(request, code)
        require("suppliers.view_performance", request.user, supplier)
        return Response(ScorecardSerializer(selectors.scorecard(request.user, supplier)).data)

    @extend_schema(request=None, responses={202: JobSerializer, **ERRORS})
    @action(detail=False, methods=["post"], url_path="approved-pdf")
    def approved_pdf(self, request):
        """The approved supplier list as a PDF: a job to poll (GET /jobs/<id>/)."""
        require("suppliers.view_suppliers", request.user)
        job = jobs.request_job(kind="suppliers_asl_pdf", actor=request.user)
        return Response(JobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=form_schema("SupplierCreate", SupplierForm()), responses={201: SupplierSerializer, **ERRORS})
    def create(self, request):
        require("suppliers.manage_suppliers", request.user)
        supplier = services.supplier_create(actor=request.user, **bind(SupplierForm, request).changes())
        return self.detail_response(request, supplier.code, status.HTTP_201_CREATED)

    @extend_schema(request=form_schema("SupplierEdit", SupplierForm()), responses={200: SupplierSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, code=None):
        """Change the supplier's details: a field left out keeps its value (as the page posts it back)."""
        supplier = _supplier(request, code)
        require("suppliers.manage_suppliers", request.user)
        stored = Supplier.objects.get(pk=supplier.pk)
        form = bind(SupplierForm, request, instance=stored,
                    current=model_to_dict(stored, fields=SupplierForm.Meta.fields))
        services.supplier_update(actor=request.user, supplier=supplier, **form.changes())
        return self.detail_response(request, code)

    @extend_schema(request=StatusBody, responses={200: SupplierSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def status(self, request, code=None):
        """Approve, make conditional, suspend or disqualify, with a reason; approving and
        disqualifying are signed (password, otp_code when enrolled, and the content_hash)."""
        supplier = _supplier(request, code)
        require("suppliers.change_status", request.user, supplier)
        form = bind(StatusMoveForm, request)
        to, reason = form.cleaned_data["to"], form.cleaned_data["reason"]
        if to in SIGNED:
            signed(request, services.supplier_set_status, with_comment=False, supplier=supplier, to=to, reason=reason)
        else:
            services.supplier_set_status(actor=request.user, supplier=supplier, to=to, reason=reason)
        return self.detail_response(request, code)

    @extend_schema(request=form_schema("SupplierContact", ContactForm()), responses={201: SupplierSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def contacts(self, request, code=None):
        supplier = _supplier(request, code)
        require("suppliers.manage_suppliers", request.user)
        services.contact_add(actor=request.user, supplier=supplier, **bind(ContactForm, request).cleaned_data)
        return self.detail_response(request, code, status.HTTP_201_CREATED)

    @extend_schema(request={"application/json": form_schema("SupplierCertificate", CertificateForm()),
                            "multipart/form-data": form_schema("SupplierCertificateUpload", CertificateForm())},
                   responses={201: SupplierSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def certificates(self, request, code=None):
        """Add a certificate (ISO 9001 etc.; its file as the multipart part `file`)."""
        supplier = _supplier(request, code)
        require("suppliers.manage_suppliers", request.user)
        d = bind(CertificateForm, request).cleaned_data
        services.certificate_add(actor=request.user, supplier=supplier, standard=d["standard"], number=d["number"],
                                 issuer=d["issuer"], valid_until=d["valid_until"], upload=d.get("file"))
        return self.detail_response(request, code, status.HTTP_201_CREATED)

    @extend_schema(request=form_schema("SupplierAuditLink", AuditLinkForm()), responses={201: SupplierSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def audits(self, request, code=None):
        """Link a supplier audit (an audit of type "supplier", by its id) to the supplier it audits."""
        supplier = _supplier(request, code)
        require("suppliers.manage_suppliers", request.user)
        form = bind(AuditLinkForm, request, supplier=supplier)
        services.supplier_link_audit(actor=request.user, supplier=supplier, audit=form.cleaned_data["audit"])
        return self.detail_response(request, code, status.HTTP_201_CREATED)

    @extend_schema(request=form_schema("SupplierCapa", CapaForm()),
                   responses={201: OpenApiResponse(description="The CAPA raised: {id, number}"), **ERRORS})
    @action(detail=True, methods=["post"])
    def capa(self, request, code=None):
        """Raise a nonconformity against the supplier (GET it at /capas/<id>/)."""
        supplier = _supplier(request, code)
        require("suppliers.raise_capa", request.user, supplier)
        capa = services.supplier_raise_capa(actor=request.user, supplier=supplier,
                                            **bind(CapaForm, request).cleaned_data)
        return Response({"id": capa.pk, "number": capa.number}, status=status.HTTP_201_CREATED)

    @extend_schema(request=form_schema("SupplierEvaluate", EvaluationForm(), signing=True, extra={
        "password": serializers.CharField(), "otp_code": serializers.CharField(required=False),
        "scores": serializers.DictField(child=serializers.IntegerField(), required=False, help_text=(
            _("Or one part per active criterion, score_<criterion id>: the scores by criterion id.")))}),
        responses={201: EvaluationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def evaluate(self, request, code=None):
        """An evaluation against the active criteria: signed (password and the supplier's content_hash)."""
        supplier = _supplier(request, code)
        require("suppliers.evaluate", request.user, supplier)
        extra = {}
        scores = request.data.get("scores") if hasattr(request.data, "get") else None
        if isinstance(scores, dict):
            extra = {f"score_{k}": str(v) for k, v in scores.items()}
        form = bind(EvaluationForm, request, extra=extra, criteria=_criteria())
        d = form.cleaned_data
        evaluation = signed(request, services.evaluation_create, with_comment=False, supplier=supplier,
                            kind=d["kind"], evaluated_on=d["evaluated_on"], scores=form.scores(),
                            decision=d["decision"], comment=d["notes"])
        ev = Evaluation.objects.select_related("supplier", "evaluated_by").get(pk=evaluation.pk)
        return Response(EvaluationSerializer(ev).data, status=status.HTTP_201_CREATED)


register("suppliers", SupplierViewSet, "supplier")


# ------------------------------------------------------------------ evaluation criteria
CriterionBody = form_schema("SupplierCriterionBody", CriterionForm())


class CriterionViewSet(Trail, ViewSet):
    """The evaluation criteria and their weights: every supplier reader sees them; the quality manager keeps them."""

    serializer_class = CriterionSerializer
    lookup_value_converter = "int"
    orderings = {"order": ("order", "name", "id"), "-order": ("-order", "-name", "-id")}

    def get_visible(self, request, pk):
        return visible(Criterion.objects.all(), "suppliers.view_suppliers", request.user, "criterion", pk=pk)

    @extend_schema(responses=CriterionSerializer(many=True))
    def list(self, request):
        require("suppliers.view_suppliers", request.user)
        return self.list_response(request, Criterion.objects.all())

    @extend_schema(responses=CriterionSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    def _save(self, request, criterion=None, code=status.HTTP_200_OK):
        """The page's criterion form (suppliers.views.criterion_edit): its rule, form and service."""
        require("suppliers.configure_criteria", request.user)
        current = (model_to_dict(criterion, fields=list(CriterionForm._meta.fields)) if criterion
                   else {"order": 0, "is_active": True})
        form = bind(CriterionForm, request, instance=criterion or Criterion(), current=current)
        saved = services.criterion_save(actor=request.user, criterion=form.instance)
        return self.detail_response(request, saved.pk, code)

    @extend_schema(request=CriterionBody, responses={201: CriterionSerializer, **ERRORS})
    def create(self, request):
        """Add an evaluation criterion with its weight (1–100)."""
        return self._save(request, code=status.HTTP_201_CREATED)

    @extend_schema(request=CriterionBody, responses={200: CriterionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Change a criterion (evaluations keep the name and weight they used): a field left out keeps its value."""
        return self._save(request, self.get_visible(request, pk))


register("supplier-criteria", CriterionViewSet, "supplier-criterion")


# ------------------------------------------------------------------ evaluations
class EvaluationViewSet(Trail, ViewSet):
    serializer_class = EvaluationListSerializer
    detail_serializer = EvaluationSerializer
    lookup_value_converter = "int"
    orderings = {"-evaluated_on": ("-evaluated_on", "-id"), "evaluated_on": ("evaluated_on", "id")}

    def get_visible(self, request, pk):
        ev = Evaluation.objects.select_related("supplier", "evaluated_by").filter(pk=pk).first()
        return _via_supplier(request, ev, "evaluation")

    @extend_schema(responses=EvaluationListSerializer(many=True))
    def list(self, request):
        require("suppliers.view_suppliers", request.user)
        qs = (Evaluation.objects.filter(supplier__in=selectors.suppliers_for_user(request.user).values("pk"))
              .select_related("supplier", "evaluated_by"))
        return self.list_response(request, qs)

    @extend_schema(responses=EvaluationSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)


register("supplier-evaluations", EvaluationViewSet, "supplier-evaluation")


# ------------------------------------------------------------------ certificates
class CertificateViewSet(ViewSet):
    serializer_class = CertificateSerializer
    lookup_value_converter = "int"
    orderings = {"valid_until": ("valid_until", "id"), "-valid_until": ("-valid_until", "-id")}

    def get_visible(self, request, pk):
        cert = Certificate.objects.select_related("supplier").filter(pk=pk).first()
        return _via_supplier(request, cert, "certificate")

    @extend_schema(responses=CertificateSerializer(many=True))
    def list(self, request):
        require("suppliers.view_suppliers", request.user)
        qs = (Certificate.objects.filter(supplier__in=selectors.suppliers_for_user(request.user).values("pk"))
              .select_related("supplier"))
        return self.list_response(request, qs)

    @extend_schema(responses=CertificateSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: OpenApiResponse(description="No file")})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        cert = self.get_visible(request, pk)
        if not cert.file:
            raise Http404("This certificate has no file.")
        require("suppliers.download_certificate", request.user, cert.supplier)
        return file_response(cert.file, download_name=cert.original_name, content_type=cert.content_type)


register("supplier-certificates", CertificateViewSet, "supplier-certificate")
