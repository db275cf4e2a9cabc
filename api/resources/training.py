"""Competence and training (7.2): competences, job roles, people, training
records with their signatures and effectiveness check, and the training
matrix read, through training's forms, services, selectors and rules."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import (
    ERRORS,
    FILE_EXPORT_SCHEMA,
    Trail,
    ViewSet,
    as_form_data,
    bind,
    file_format,
    form_schema,
    signed,
    signing_fields,
    visible,
)
from api.exceptions import FormInvalid
from api.filters import FormFilter, cleaned_filters
from api.resources import register
from api.resources.qms import JobSerializer, signatures
from qms import jobs, scope
from qms.exports import table_response
from qms.rules import require
from qms.signatures import SignatureForm, content_hash
from qms.uploads import file_response
from records.models import RecordType
from training import matrix, selectors, services
from training.forms import (
    CompetenceForm,
    EvaluateForm,
    EvidenceForm,
    MatrixFilterForm,
    PersonForm,
    QualificationForm,
    ReasonForm,
    RecordForm,
    RoleForm,
)
from training.models import (
    Competence,
    JobRole,
    Person,
    RecordTypeQualification,
    TrainingEvidence,
    TrainingRecord,
)


# ------------------------------------------------------------------ serializers
class CompetenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    description = serializers.CharField()
    validity_months = serializers.IntegerField(allow_null=True)
    is_active = serializers.BooleanField()
    documents = serializers.SerializerMethodField()

    def get_documents(self, c) -> list[str]:
        return [d.number for d in c.documents.all()]


class JobRoleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    department = serializers.CharField(source="department.code", allow_null=True, default=None)
    is_active = serializers.BooleanField()
    competences = serializers.SerializerMethodField()

    def get_competences(self, r) -> list[str]:
        return [c.code for c in r.competences.all()]


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    employee_number = serializers.CharField()
    department = serializers.CharField(source="department.code")
    user = serializers.CharField(source="user.username", allow_null=True, default=None)
    is_active = serializers.BooleanField()
    job_roles = serializers.SerializerMethodField()

    def get_job_roles(self, p) -> list[str]:
        return [r.code for r in p.job_roles.all()]


class TrainingRecordListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    person = serializers.CharField(source="person.name")
    competence = serializers.CharField(source="competence.code")
    status = serializers.CharField()
    trained_on = serializers.DateField()
    trainer = serializers.CharField(source="trainer.display_name")
    method = serializers.CharField()
    result = serializers.CharField()
    effectiveness_due = serializers.DateField(allow_null=True)
    effectiveness_result = serializers.CharField()


class TrainingRecordSerializer(TrainingRecordListSerializer):
    provider = serializers.CharField()
    notes = serializers.CharField()
    effectiveness_method = serializers.CharField()
    effectiveness_checked_on = serializers.DateField(allow_null=True)
    effectiveness_note = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)
    void_reason = serializers.CharField()
    content_hash = serializers.SerializerMethodField(help_text=_("What signing signs: send it back as content_hash."))
    evidence = serializers.SerializerMethodField()
    signatures = serializers.SerializerMethodField()

    def get_content_hash(self, r) -> str:
        return content_hash(r.signature_content())

    def get_evidence(self, r) -> list[dict]:
        build = self.context["request"].build_absolute_uri
        return [{"id": e.pk, "original_name": e.original_name, "size": e.size, "uploaded_at": e.uploaded_at,
                 "download_url": build(f"/api/v1/training-evidence/{e.pk}/download/")} for e in r.evidence.all()]

    def get_signatures(self, r) -> list[dict]:
        return signatures(r)


class MatrixCellSerializer(serializers.Serializer):
    competence = serializers.CharField()
    status = serializers.CharField()
    acquired_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)


class MatrixRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    department = serializers.CharField(source="department.code")
    cells = MatrixCellSerializer(many=True, source="matrix_cells")


class QualificationCellSerializer(serializers.Serializer):
    competence = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    acquired_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)


class MyTrainingSerializer(serializers.Serializer):
    person = PersonSerializer(allow_null=True)
    qualifications = QualificationCellSerializer(many=True)
    records = TrainingRecordListSerializer(many=True)


class ExpiringSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    person_name = serializers.CharField()
    department = serializers.CharField()
    competence = serializers.CharField()
    competence_name = serializers.CharField()
    status = serializers.CharField()
    expires_on = serializers.DateField(allow_null=True)


class ExpiringPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("Qualifications expired or due within the window, in all pages."))
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = ExpiringSerializer(many=True)


# ------------------------------------------------------------------ lookups and edit forms' current values
def _current_competence(c: Competence) -> dict:
    return {"code": c.code, "name": c.name, "kind": c.kind, "description": c.description,
            "validity_months": c.validity_months, "documents": c.documents, "is_active": c.is_active}


def _current_role(r: JobRole) -> dict:
    return {"code": r.code, "name": r.name, "description": r.description, "department": r.department,
            "competences": r.competences, "is_active": r.is_active}


def _current_person(p: Person) -> dict:
    return {"name": p.name, "employee_number": p.employee_number, "department": p.department, "user": p.user,
            "roles": p.job_roles, "is_active": p.is_active}


class _Catalogue(Trail, ViewSet):
    """Competences and job roles: everyone with a role reads them; the quality manager keeps them."""

    lookup_value_converter = "int"
    orderings = {"code": ("code",), "-code": ("-code",)}
    form = None
    save = None
    current = None

    def rows(self, request):
        raise NotImplementedError

    def get_visible(self, request, pk):
        require("training.view_catalogue", request.user)
        return visible(self.rows(request), "training.view_catalogue", request.user, "entry", pk=pk)

    def list(self, request):
        require("training.view_catalogue", request.user)
        return self.list_response(request, self.rows(request))

    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    def _save(self, request, obj=None, code=status.HTTP_200_OK):
        require("training.manage", request.user)
        form = bind(self.form, request, current=type(self).current(obj) if obj else {"is_active": True})
        saved = type(self).save(request.user, obj, form.cleaned_data)
        return self.detail_response(request, saved.pk, code)


class CompetenceViewSet(_Catalogue):
    serializer_class = CompetenceSerializer
    form = CompetenceForm
    current = _current_competence

    @staticmethod
    def save(actor, obj, data):
        return services.competence_save(actor=actor, competence=obj, **data)

    def rows(self, request):
        return selectors.competences_for_user(request.user).prefetch_related("documents")

    @extend_schema(request=form_schema("CompetenceSave", CompetenceForm()),
                   responses={201: CompetenceSerializer, **ERRORS})
    def create(self, request):
        return self._save(request, code=status.HTTP_201_CREATED)

    @extend_schema(request=form_schema("CompetenceEdit", CompetenceForm()), responses={200: CompetenceSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Change a competence: a field left out keeps its value."""
        return self._save(request, self.get_visible(request, pk))


class JobRoleViewSet(_Catalogue):
    serializer_class = JobRoleSerializer
    form = RoleForm
    current = _current_role

    @staticmethod
    def save(actor, obj, data):
        return services.role_save(actor=actor, role=obj, **data)

    def rows(self, request):
        return selectors.roles_for_user(request.user).prefetch_related("competences")

    @extend_schema(request=form_schema("JobRoleSave", RoleForm()), responses={201: JobRoleSerializer, **ERRORS})
    def create(self, request):
        return self._save(request, code=status.HTTP_201_CREATED)

    @extend_schema(request=form_schema("JobRoleEdit", RoleForm()), responses={200: JobRoleSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Change a job role and its required competences: a field left out keeps its value."""
        return self._save(request, self.get_visible(request, pk))


register("competences", CompetenceViewSet, "competence")
register("job-roles", JobRoleViewSet, "job-role")


# ------------------------------------------------------------------ who may do this? (qualifications)
class QualificationSerializer(serializers.Serializer):
    record_type = serializers.CharField(source="code")
    name = serializers.CharField()
    competences = serializers.SerializerMethodField(
        help_text=_("The competences a person must be current on to submit records of this type (codes)."))

    def get_competences(self, rt) -> list[str]:
        return list(rt.needed)


def _with_qualifications(qs):
    """Each record type with the codes of the competences its submitters need (one query for a page)."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import OuterRef

    needed = (RecordTypeQualification.objects.filter(record_type=OuterRef("pk")).order_by("competence__code")
              .values("competence__code"))
    return qs.annotate(needed=ArraySubquery(needed))


class QualificationViewSet(ViewSet):
    """Who may submit records of a type: the competences the submitter must hold (the quality manager's page)."""

    serializer_class = QualificationSerializer
    lookup_field = "code"
    orderings = {"code": ("code",), "-code": ("-code",)}

    def _types(self, request):
        return _with_qualifications(RecordType.objects.only("code", "name"))

    def get_visible(self, request, code):
        require("training.manage", request.user)
        return visible(self._types(request), "training.manage", request.user, "record type", code=code)

    @extend_schema(responses=QualificationSerializer(many=True))
    def list(self, request):
        require("training.manage", request.user)
        return self.list_response(request, self._types(request))

    @extend_schema(responses=QualificationSerializer)
    def retrieve(self, request, code=None):
        return self.detail_response(request, code)

    @extend_schema(request=form_schema("QualificationEdit", QualificationForm()),
                   responses={200: QualificationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, code=None):
        """Set the competences (ids) a submitter of the type's records must hold; `[]` requires none.
        Left out, the set is kept."""
        rt = self.get_visible(request, code)
        current = {"competences": list(RecordTypeQualification.objects.filter(record_type=rt)
                                       .values_list("competence_id", flat=True))}
        form = bind(QualificationForm, request, current=current)
        services.qualification_set(actor=request.user, record_type=rt, competences=form.cleaned_data["competences"])
        return self.detail_response(request, code)


register("qualifications", QualificationViewSet, "qualification")


# ------------------------------------------------------------------ people
class PersonViewSet(Trail, ViewSet):
    """People and their job roles: the quality manager and auditors (the matrix's readers)."""

    serializer_class = PersonSerializer
    lookup_value_converter = "int"
    orderings = {"name": ("name", "id"), "-name": ("-name", "-id")}

    def _people(self, request):
        return selectors.people_for_user(request.user).prefetch_related("job_roles")

    def get_visible(self, request, pk):
        require("training.view_matrix", request.user)
        return visible(self._people(request), "training.view_matrix", request.user, "person", pk=pk)

    @extend_schema(responses=PersonSerializer(many=True))
    def list(self, request):
        require("training.view_matrix", request.user)
        return self.list_response(request, self._people(request))

    @extend_schema(responses=PersonSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(responses={200: MyTrainingSerializer, **ERRORS})
    @action(detail=False, methods=["get"])
    def me(self, request):
        """My training (the "My training" page): my person record, the state of every qualification my
        job roles require, and my latest training records (100 at most); no person record: nulls and empty lists."""
        require("training.view_own", request.user)
        person = selectors.person_for_user(request.user)
        if person is None:
            return Response({"person": None, "qualifications": [], "records": []})
        person = self._people(request).select_related("department", "user").filter(pk=person.pk).first() or person
        cells = [{"competence": c.code, "name": c.name, "status": cell.status, "acquired_on": cell.acquired_on,
                  "expires_on": cell.expires_on}
                 for c, cell in selectors.person_qualifications(person, user=request.user)]
        records = (selectors.records_for_user(request.user).filter(person=person)
                   .select_related("person", "competence", "trainer").order_by("-trained_on", "-id")[:100])
        return Response({"person": PersonSerializer(person).data, "qualifications": cells,
                         "records": TrainingRecordListSerializer(records, many=True).data})

    def _save(self, request, person=None, code=status.HTTP_200_OK):
        require("training.manage", request.user)
        form = bind(PersonForm, request, current=_current_person(person) if person else {"is_active": True})
        saved = services.person_save(actor=request.user, person=person, **form.cleaned_data)
        return self.detail_response(request, saved.pk, code)

    @extend_schema(request=form_schema("PersonSave", PersonForm()), responses={201: PersonSerializer, **ERRORS})
    def create(self, request):
        return self._save(request, code=status.HTTP_201_CREATED)

    @extend_schema(request=form_schema("PersonEdit", PersonForm()), responses={200: PersonSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        return self._save(request, self.get_visible(request, pk))


register("people", PersonViewSet, "person")


# ------------------------------------------------------------------ training records
class RecordFilterForm(forms.Form):
    """What the records page reads from its query string."""

    status = forms.ChoiceField(choices=[("", "Any"), *TrainingRecord.Status.choices], required=False)
    effectiveness = forms.ChoiceField(choices=[("", "Any"), ("pending", "Effectiveness check pending")], required=False)


class MatrixQueryForm(MatrixFilterForm):
    """The matrix page's filter (its page numbers are the cursor here)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["page"], self.fields["cols"]


SignBody = form_schema("TrainingRecordSign", SignatureForm(), signing=True)
EvaluateBody = form_schema("TrainingRecordEvaluate", EvaluateForm(), signing=True, extra={
    "password": serializers.CharField(), "otp_code": serializers.CharField(required=False),
    "comment": serializers.CharField(required=False, help_text=_("The effectiveness note."))})


class TrainingRecordViewSet(Trail, ViewSet):
    serializer_class = TrainingRecordListSerializer
    detail_serializer = TrainingRecordSerializer
    lookup_value_converter = "int"
    filter_backends = [FormFilter]
    filter_form = RecordFilterForm
    orderings = {"-trained_on": ("-trained_on", "-id"), "trained_on": ("trained_on", "id")}

    def get_visible(self, request, pk):
        qs = TrainingRecord.objects.select_related("person", "person__user", "competence", "trainer",
                                                   "effectiveness_checked_by")
        return visible(qs, "training.view_record", request.user, "training record", pk=pk)

    @extend_schema(responses=TrainingRecordListSerializer(many=True))
    def list(self, request):
        require("training.view_own", request.user)
        f = cleaned_filters(self, request)
        qs = selectors.records_for_user(request.user)
        if f.get("status"):
            qs = qs.filter(status=f["status"])
        if f.get("effectiveness") == "pending":
            qs = qs.filter(status=TrainingRecord.Status.SIGNED, effectiveness_result="")
        return self.list_response(request, qs)

    @extend_schema(responses=TrainingRecordSerializer)
    def retrieve(self, request, pk=None):
        return self.detail_response(request, pk)

    @extend_schema(request={"application/json": form_schema("TrainingRecordCreate", RecordForm()),
                            "multipart/form-data": form_schema("TrainingRecordUpload", RecordForm())},
                   responses={201: TrainingRecordSerializer, **ERRORS})
    def create(self, request):
        """Record training given (an evidence file as the multipart part `files`); the trainer and the trainee sign."""
        require("training.create_record", request.user)
        data = dict(bind(RecordForm, request).cleaned_data)
        upload = data.pop("files", None)
        record = services.record_create(actor=request.user, uploads=[upload] if upload else [], **data)
        return self.detail_response(request, record.pk, status.HTTP_201_CREATED)

    @extend_schema(request=SignBody, responses={200: TrainingRecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """The trainer's or the trainee's signature (password, otp_code when enrolled, and the content_hash)."""
        record = self.get_visible(request, pk)
        require("training.sign_record", request.user, record)  # the refusal before the body's errors
        signed(request, services.record_sign, record=record)
        return self.detail_response(request, pk)

    @extend_schema(request=EvaluateBody, responses={200: TrainingRecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        """7.2 c: the effectiveness check, signed by the trainer or the quality manager."""
        record = self.get_visible(request, pk)
        require("training.evaluate_record", request.user, record)
        d = bind(EvaluateForm, request).cleaned_data
        form = bind(SignatureForm, request, extra=signing_fields(request), user=request.user)
        with form.signing():
            services.record_evaluate(actor=request.user, record=record, password=form.cleaned_data["password"],
                                     result=d["result"], checked_on=d["checked_on"], note=form.cleaned_data["comment"])
        return self.detail_response(request, pk)

    @extend_schema(request={"multipart/form-data": form_schema("TrainingEvidenceAdd", EvidenceForm())},
                   responses={201: TrainingRecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        record = self.get_visible(request, pk)
        require("training.add_evidence", request.user, record)
        form = bind(EvidenceForm, request)
        services.evidence_add(actor=request.user, record=record, uploads=[form.cleaned_data["files"]])
        return self.detail_response(request, pk, status.HTTP_201_CREATED)

    @extend_schema(request=form_schema("TrainingRecordVoid", ReasonForm()),
                   responses={200: TrainingRecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        record = self.get_visible(request, pk)
        require("training.void_record", request.user, record)  # the refusal before the form's errors
        services.record_void(actor=request.user, record=record, reason=bind(ReasonForm, request).cleaned_data["reason"])
        return self.detail_response(request, pk)


register("training-records", TrainingRecordViewSet, "training-record")


class TrainingEvidenceViewSet(ViewSet):
    lookup_value_converter = "int"

    def get_visible(self, request, pk):
        return visible(TrainingEvidence.objects.select_related("record", "record__person"),
                       "training.download_evidence", request.user, "file", pk=pk)

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: OpenApiResponse(description="No file")})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        ev = self.get_visible(request, pk)
        return file_response(ev.file, download_name=ev.original_name, content_type=ev.content_type)


register("training-evidence", TrainingEvidenceViewSet, "training-evidence")


# ------------------------------------------------------------------ the matrix
class MatrixViewSet(ViewSet):
    """The training matrix: a cursor page of people, each with the status of every competence
    their job roles require (one query for all the page's cells, as the matrix page)."""

    serializer_class = MatrixRowSerializer
    filter_backends = [FormFilter]
    filter_form = MatrixQueryForm
    orderings = {"name": ("name", "id"), "-name": ("-name", "-id")}

    def _filters(self, request, data=None) -> selectors.Filters:
        """The matrix page's filter: from the query string (the list) or the body (the PDF)."""
        if data is None:
            f = cleaned_filters(self, request)
        else:
            form = MatrixQueryForm(data)
            if not form.is_valid():
                raise FormInvalid({k: [str(e) for e in v] for k, v in form.errors.items()})
            f = form.cleaned_data
        role = f.get("role")
        if role is not None and not scope.contains(request.user, role):
            raise FormInvalid({"role": ["Select a valid choice. That choice is not one of the available choices."]})
        return selectors.Filters(department_id=getattr(f.get("department"), "pk", None),
                                 role_id=getattr(role, "pk", None), search=(f.get("q") or "").strip())

    @extend_schema(responses=MatrixRowSerializer(many=True))
    def list(self, request):
        require("training.view_matrix", request.user)
        filters = self._filters(request)
        people = self.paginate_queryset(selectors._people(request.user, filters).select_related("department"))
        ids = tuple(p.pk for p in people)
        visible_ids = selectors._visible_competence_ids(request.user)
        scope_kw = {"competence_ids": tuple(sorted(visible_ids))} if visible_ids is not None else {}
        cells = (matrix.cells(filters.scope(person_ids=ids, user_ids=tuple(p.user_id for p in people if p.user_id),
                                            **scope_kw), timezone.localdate()) if ids else {})
        codes = dict(Competence.objects.filter(pk__in={c for _, c in cells}).values_list("pk", "code"))
        for p in people:
            p.matrix_cells = [{"competence": codes[c], "status": cell.status, "acquired_on": cell.acquired_on,
                               "expires_on": cell.expires_on}
                              for (pid, c), cell in sorted(cells.items(), key=lambda kv: codes[kv[0][1]]) if pid == p.pk]
        return self.get_paginated_response(MatrixRowSerializer(people, many=True).data)


    @extend_schema(request=form_schema("TrainingMatrixPdf", MatrixQueryForm()), responses={202: JobSerializer, **ERRORS})
    @action(detail=False, methods=["post"])
    def pdf(self, request):
        """The matrix (filtered as the list: department, role, q) as a PDF: a job to poll (GET /jobs/<id>/)."""
        require("training.view_matrix", request.user)
        filters = self._filters(request, as_form_data(request.data))
        job = jobs.request_job(kind="training_matrix_pdf", actor=request.user, params=filters.query())
        return Response(JobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)

    @FILE_EXPORT_SCHEMA
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The matrix (filtered as the list: department, role, q) as CSV or XLSX, one row per person and
        competence: the page's export."""
        require("training.view_matrix", request.user)
        fmt = file_format(request)
        rows = selectors.matrix_export_rows(request.user, self._filters(request))
        return table_response(selectors.MATRIX_EXPORT_COLUMNS, rows, fmt=fmt, basename="training-matrix")

    @extend_schema(parameters=[OpenApiParameter("page", int, description="The page (100 a page), from 1")],
                   responses={200: ExpiringPageSerializer, **ERRORS})
    @action(detail=False, methods=["get"], filter_backends=[])
    def expiring(self, request):
        """Qualifications expired or due soon (the "Expiring qualifications" page), soonest first, the page's
        pages of 100."""
        require("training.view_matrix", request.user)
        rows = selectors.expiring()
        page = Paginator(rows, EXPIRING_PAGE).get_page(request.query_params.get("page"))
        ids = [p for p, _, _ in page.object_list]
        people = {p.pk: p for p in selectors.people_for_user(request.user).select_related("department")
                  .filter(pk__in=ids)}
        comps = {c.pk: c for c in selectors.competences_for_user(request.user).filter(
            pk__in=[c for _, c, _ in page.object_list])}
        results = [{"person": p, "person_name": people[p].name, "department": people[p].department.code,
                    "competence": comps[c].code, "competence_name": comps[c].name, "status": cell.status,
                    "expires_on": cell.expires_on}
                   for p, c, cell in page.object_list if p in people and c in comps]
        return Response({"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
                         "results": results})


EXPIRING_PAGE = 50  # as the page (training.views.PAGE_SIZE)

register("training-matrix", MatrixViewSet, "training-matrix")
