"""The core's resources: jobs (status, download), notifications, the audit
trail of any object, users (read; the administrator writes in the admin),
and the serializers other resource modules share."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ViewSet, bind, form_schema, visible
from api.resources import register
from qms import jobs, stored_text
from qms.audit import trail_for
from qms.models import Department, Job, Notification, User
from qms.permissions import can_read_everything
from qms.rules import allowed, require
from qms.uploads import file_response


# ------------------------------------------------------------------ shared serializers
class UserRef(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class SignatureSerializer(serializers.Serializer):
    printed_name = serializers.CharField()
    signer = serializers.CharField(source="signer.username")
    meaning = serializers.CharField()
    signed_at = serializers.DateTimeField()
    comment = serializers.CharField()
    content_hash = serializers.CharField()
    # An approval given outside this system and recorded at import (signer = the importer): no e-signature.
    imported = serializers.BooleanField(source="is_imported")
    valid = serializers.SerializerMethodField()

    def get_valid(self, sig) -> bool:
        return sig.is_valid()


class JobSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    label = serializers.SerializerMethodField()
    status = serializers.CharField()
    progress = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.SerializerMethodField()
    filename = serializers.CharField()
    download_url = serializers.SerializerMethodField()

    def get_label(self, job) -> str:
        return gettext(jobs.job_label(job.kind))  # labels are marked with gettext_noop

    def get_error(self, job) -> str:
        """In the requesting user's language, as on the job page (qms.stored_text)."""
        return stored_text.display(job, "error")

    def get_download_url(self, job) -> str | None:
        if job.status != Job.Status.READY or not job.file:
            return None
        return self.context["request"].build_absolute_uri(f"/api/v1/jobs/{job.public_id}/download/")


def signatures(obj) -> list[dict]:
    return SignatureSerializer(list(_signatures(obj)), many=True).data


def _signatures(obj):
    from qms.signatures import signatures_for

    sigs = list(signatures_for(obj))
    for sig in sigs:
        sig.target = obj
    return sigs


class TrailEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField()
    what = serializers.CharField()
    why = serializers.CharField()
    kind = serializers.CharField()
    changes = serializers.SerializerMethodField()

    def get_changes(self, entry) -> list[dict]:
        return [{"field": c.label, "old": c.old, "new": c.new} for c in entry.changes]


def trail_response(request, obj):
    """The audit trail of `obj` under the page's rule (qms.view_trail): 404 outside a grant."""
    if not allowed("qms.view_trail", request.user, obj):
        require("qms.view_trail", request.user)
        raise Http404("No such object.")
    return Response({"object": str(obj), "entries": TrailEntrySerializer(trail_for(obj), many=True).data})


# ------------------------------------------------------------------ jobs
class JobViewSet(ViewSet):
    serializer_class = JobSerializer
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    orderings = {"-created_at": ("-created_at", "-id"), "created_at": ("created_at", "id")}

    def get_queryset(self):
        qs = Job.objects.select_related("requested_by").defer("params")
        if allowed("qms.view_job", self.request.user, Job(requested_by_id=-1)):
            return qs  # the quality manager sees every job, as on the job page
        return qs.filter(requested_by=self.request.user)

    def get_visible(self, request, public_id) -> Job:
        return visible(Job.objects.select_related("requested_by"), "qms.view_job", request.user, "job",
                       public_id=public_id)

    def list(self, request):
        return self.list_response(request, self.get_queryset())

    def retrieve(self, request, public_id=None):
        return self.detail_response(request, public_id)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request, public_id=None):
        job = self.get_visible(request, public_id)
        if job.status != Job.Status.READY or not job.file:
            raise Http404("This job has no file yet.")
        return file_response(job.file.name, download_name=job.filename, content_type=job.content_type_header)

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, public_id=None):
        job = self.get_visible(request, public_id)
        require("qms.retry_job", request.user, job)
        job = jobs.retry_job(job=job, actor=request.user)
        return Response(JobSerializer(job, context={"request": request}).data)


register("jobs", JobViewSet, "job")


# ------------------------------------------------------------------ notifications
class NotificationSerializer(serializers.Serializer):
    """Title and body in the requesting user's language, as on the notifications page (qms.stored_text)."""

    id = serializers.IntegerField()
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_title(self, notification) -> str:
        return stored_text.display(notification, "title")

    def get_body(self, notification) -> str:
        return stored_text.display(notification, "body")


class NotificationViewSet(ViewSet):
    """The user's own notifications (as on the notifications page)."""

    serializer_class = NotificationSerializer
    orderings = {"-created_at": ("-created_at", "-id")}

    def get_queryset(self):
        return Notification.objects.filter(user=self.request.user)

    def list(self, request):
        return self.list_response(request, self.get_queryset())

    @extend_schema(request=None, responses=inline_serializer("NotificationsRead", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="read")
    def read_all(self, request):
        from django.utils import timezone

        # Notification is not a tracked model; the page marks them the same way.
        marked = self.get_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": marked})


register("notifications", NotificationViewSet, "notification")


# ------------------------------------------------------------------ the audit trail of an object
class TrailViewSet(ViewSet):
    """GET /api/v1/trail/<app_label.model>/<id>/: the trail the page shows."""

    serializer_class = TrailEntrySerializer
    pagination_class = None
    lookup_url_kwarg = "object_id"

    @extend_schema(responses=inline_serializer("Trail", {
        "object": serializers.CharField(), "entries": TrailEntrySerializer(many=True)}))
    def retrieve(self, request, object_id=None):
        label, _, pk = (object_id or "").partition(":")
        app_label, _, model_name = label.partition(".")
        try:
            model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
        except ContentType.DoesNotExist as exc:
            raise Http404("No such kind of object.") from exc
        if model is None:
            raise Http404("No such kind of object.")
        try:
            obj = model._default_manager.get(pk=pk)
        except (model.DoesNotExist, ValueError, TypeError, ValidationError, OverflowError):
            raise Http404("No such object.") from None
        return trail_response(request, obj)


register("trail", TrailViewSet, "trail")


# ------------------------------------------------------------------ users
class UserWriteForm(forms.Form):
    username = forms.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    email = forms.EmailField(required=False)
    full_name = forms.CharField(max_length=150, required=False)
    job_title = forms.CharField(max_length=120, required=False)
    department = forms.ModelChoiceField(queryset=Department.objects.all(), to_field_name="code", required=False)
    is_active = forms.BooleanField(required=False)
    roles = forms.ModelMultipleChoiceField(queryset=Group.objects.all(), to_field_name="name", required=False)
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["username"]


class UserSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    job_title = serializers.CharField()
    department = serializers.CharField(source="department.code", allow_null=True, default=None)
    is_active = serializers.BooleanField()
    roles = serializers.SerializerMethodField()

    def get_roles(self, user) -> list[str]:
        return sorted(g.name for g in user.groups.all())


class UserListSchema(serializers.Serializer):
    """What list and detail answer (the document's shape): roles and active state only
    for the quality manager and auditors (Schemathesis, issue 16: a staff answer left
    them out while the document required them)."""

    username = serializers.CharField()
    name = serializers.CharField()
    job_title = serializers.CharField()
    department = serializers.CharField(allow_null=True)
    is_active = serializers.BooleanField(required=False)
    roles = serializers.ListField(child=serializers.CharField(), required=False)


class UserViewSet(ViewSet):
    """Users, read only (the administrator changes them in the admin). Names for
    everyone with a role; roles and active state for the quality manager and auditors."""

    serializer_class = UserListSchema
    lookup_field = "username"
    orderings = {"username": ("username",), "-username": ("-username",)}

    def get_queryset(self):
        return User.objects.select_related("department").prefetch_related("groups")

    def _data(self, users, many):
        data = UserSerializer(users, many=many).data
        if not can_read_everything(self.request.user):
            keep = ("username", "name", "job_title", "department")
            data = [{k: d[k] for k in keep} for d in data] if many else {k: data[k] for k in keep}
        return data

    def list(self, request):
        qs = self.get_queryset()
        if not can_read_everything(request.user):
            qs = qs.filter(is_active=True)
        return self.get_paginated_response(self._data(self.paginate_queryset(qs), True))

    def retrieve(self, request, username=None):
        qs = self.get_queryset()
        if not can_read_everything(request.user):
            qs = qs.filter(is_active=True)
        return Response(self._data(get_object_or_404(qs, username=username), False))

    @extend_schema(responses=UserSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request):
        return Response(UserSerializer(request.user).data)

    def _save(self, request, user=None):
        from api import services

        form = bind(UserWriteForm, request, creating=user is None)
        d = form.cleaned_data
        fields = {k: d[k] for k in ("full_name", "job_title", "department", "email") if k in d and d[k] is not None}
        if "is_active" in request.data:
            fields["is_active"] = d["is_active"]
        roles = d["roles"] if "roles" in request.data else None
        saved = services.user_save(actor=request.user, user=user, username=d.get("username", ""), roles=roles,
                                   reason=d.get("reason", ""), **fields)
        return Response(UserSerializer(self.get_queryset().get(pk=saved.pk)).data,
                        status=201 if user is None else 200)

    @extend_schema(request=form_schema("UserCreate", UserWriteForm(creating=True)), responses={201: UserSerializer})
    def create(self, request):
        """An administrator creates a user (no password: a reset link or single sign-on)."""
        require("api.administer_users", request.user)
        return self._save(request)

    @extend_schema(request=form_schema("UserChange", UserWriteForm(creating=False)), responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def change(self, request, username=None):
        """An administrator changes a user: name, title, department, active, roles (users are never deleted)."""
        require("api.administer_users", request.user)
        return self._save(request, get_object_or_404(self.get_queryset(), username=username))


register("users", UserViewSet, "user")

