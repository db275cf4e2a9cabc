"""Core pages: home dashboard, clause catalogue, audit trail, notifications, jobs."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qms import dashboard, jobs, registers, search, widgets
from qms.audit import trail_for
from qms.errors import DomainError, PermissionRefused
from qms.exports import table_response
from qms.forms import BootstrapForm, WindowDateField
from qms.middleware import auditor_may_post
from qms.models import Job, Notification
from qms.rules import allowed, require
from qms.uploads import file_response


@require_GET
def home(request):
    own = dashboard.landing_for(request)  # e.g. the external auditor's landing page
    if own is not None:
        return own
    with dashboard.one_page():
        sections = dashboard.sections_for(request.user, cached=True)
    # The charts follow in a second request (htmx, on load): the tasks are on screen
    # at once, and the aggregates behind the pictures do not hold them up.
    return render(request, "qms/home.html", {"sections": sections,
                                             "has_charts": bool(dashboard.chart_specs_for(request.user))})


@require_GET
def dashboard_charts(request):
    """The home page's "Quality at a glance": its charts as a fragment for htmx, or
    as a page of their own (the link for a browser without JavaScript)."""
    if not dashboard.chart_specs_for(request.user):
        raise PermissionRefused(gettext("You may not see the quality charts."))
    with dashboard.one_page():
        charts = dashboard.charts_for(request.user, cached=True)
    template = "qms/_dashboard_charts.html" if request.htmx else "qms/dashboard_charts.html"
    return render(request, template, {"charts": charts})


@require_GET
def chart_export(request, key):
    """The numbers behind a dashboard chart, as CSV or XLSX (the same function draws the chart)."""
    spec = dashboard.chart_spec(key)
    if spec is None:
        raise Http404(gettext("No such chart."))
    require(spec.rule, request.user)
    chart = spec.draw(request.user)
    return table_response(chart.columns, chart.rows, fmt=request.GET.get("format", "csv"),
                          basename=key.replace(".", "-"))


@login_not_required
@require_GET
def healthz(request):
    """Liveness. qms.health.HealthCheckMiddleware answers first; the URL is kept for reverse()."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_GET
def readyz(request):
    """Readiness (database and broker); normally answered by qms.health.HealthCheckMiddleware."""
    from qms.health import readiness_response

    return readiness_response()


# ------------------------------------------------------------------ audit trail
@require_GET
def object_trail(request, ct_id: int, object_id: str):
    try:
        model = ContentType.objects.get_for_id(ct_id).model_class()
    except ContentType.DoesNotExist as exc:
        raise Http404(gettext("No such kind of object.")) from exc
    if model is None:
        raise Http404(gettext("No such kind of object."))
    try:
        obj = model._default_manager.get(pk=object_id)
    except (model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404(gettext("No such object.")) from None
    if not allowed("qms.view_trail", request.user, obj):
        require("qms.view_trail", request.user)
        raise Http404(gettext("No such object."))  # outside an external auditor's grant: as if absent
    return render(request, "qms/trail.html", {"object": obj, "entries": trail_for(obj)})


class TrailExportForm(BootstrapForm):
    since = forms.DateField(label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    fmt = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("xlsx", _("Excel (XLSX)")), ("pdf", "PDF")])

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(gettext("“From” must not be after “until”."))
        return data


@auditor_may_post  # an export changes no QMS data
@require_http_methods(["GET", "POST"])
def trail_export(request):
    require("qms.export_trail", request.user)
    form = TrailExportForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            params = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in form.cleaned_data.items() if v}
            job = jobs.request_job(kind="audit_trail_export", actor=request.user, params=params)
            return redirect(job)
    return render(request, "qms/trail_export.html", {"form": form})


# ------------------------------------------------------------------ notifications
@require_GET
def notification_list(request):
    items = Notification.objects.filter(user=request.user)[:100]
    return render(request, "qms/notification_list.html", {"notifications": items})


@require_POST
def notification_read_all(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, gettext("All notifications marked as read."))
    return redirect("notification-list")


# ------------------------------------------------------------------ jobs
def _get_job_for_user(request, public_id) -> Job:
    job = get_object_or_404(Job.objects.select_related("requested_by"), public_id=public_id)
    if not allowed("qms.view_job", request.user, job):
        raise Http404(gettext("No such job."))
    return job


@require_GET
def job_detail(request, public_id):
    job = _get_job_for_user(request, public_id)
    context = {"job": job, "label": gettext(jobs.job_label(job.kind))}  # labels are marked with gettext_noop
    if request.htmx:
        context["reload_when_done"] = request.GET.get("reload") == "1"
        response = render(request, "includes/_job_status.html", context)
        if job.is_finished and context["reload_when_done"]:
            # the page around the fragment shows the job's outcome (an import's summary): load it again
            response["HX-Refresh"] = "true"
        return response
    return render(request, "qms/job_detail.html", context)


@require_GET
def job_download(request, public_id):
    job = _get_job_for_user(request, public_id)
    if job.status != Job.Status.READY or not job.file:
        raise Http404(gettext("This job has no file yet."))
    return file_response(job.file.name, download_name=job.filename, content_type=job.content_type_header)


@require_POST
def job_retry(request, public_id):
    job = _get_job_for_user(request, public_id)
    require("qms.retry_job", request.user, job)
    try:
        jobs.retry_job(job=job, actor=request.user)
        messages.success(request, gettext("The job was sent again."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(job)


# ------------------------------------------------------------------ registers
@require_GET
def register_export(request, slug):
    """Any declared register (qms.registers) as CSV or XLSX, under its own rule."""
    register = registers.get(slug)
    if register is None:
        raise Http404(gettext("No such register."))
    require(register.rule, request.user)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return table_response(register.columns, register.rows(request.user, None), fmt=fmt,
                          basename=register.slug)


# ------------------------------------------------------------------ one search box
class SearchForm(BootstrapForm):
    q = forms.CharField(label=_("Search"), max_length=200, required=False, strip=True)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    since = WindowDateField(label=_("From"), required=False)
    until = WindowDateField(label=_("To"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", gettext("Everything"))] + [(k.key, k.display) for k in search.kinds()]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", gettext("The end of the range is before its start."))
        return data


@require_GET
def search_page(request):
    """/search/?q=: every kind of object the user may see, grouped, with counts (qms.search)."""
    form = SearchForm(request.GET or None)
    groups, data = [], {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        only = data.get("kind") or ""
        groups = search.search(request.user, data.get("q", ""), only=only, since=data.get("since"),
                               until=data.get("until"), limit=50 if only else 5)
    total = sum(g.found.total for g in groups)
    return render(request, "qms/search.html", {"form": form, "groups": groups, "total": total,
                                               "more": any(g.found.capped for g in groups),
                                               "q": data.get("q", ""), "only": data.get("kind") or ""})


@require_GET
def picker(request, name):
    """/pick/<name>/?q=…: the options a searchable select offers (qms/widgets.py), as
    JSON: at most 20 of what the source lets the asking user see and choose."""
    source = widgets.get_source(name)
    if source is None:
        raise Http404(gettext("No such list."))
    q, value = request.GET.get("q", ""), request.GET.get("v", "pk")
    if value not in source.values:
        return JsonResponse({"error": gettext("That value field is not offered.")}, status=400)
    if len(q) > 100 or "\x00" in q:
        return JsonResponse({"error": gettext("Type at most 100 characters.")}, status=400)
    return JsonResponse({"results": source.results(request.user, q.strip(), value)})
