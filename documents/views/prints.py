"""Views for controlled prints, the quality manual and printout verification."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from documents import manual as manual_builder
from documents import renditions
from documents.models import ManualBuild, Revision, RevisionVerification
from qms.audit import record_event
from qms.rules import allowed, require
from qms.uploads import file_response


def _get_revision_for_user(request, revision_id) -> Revision:
    revision = get_object_or_404(
        Revision.objects.select_related("document__doc_type", "document__owner", "document__department"), pk=revision_id
    )
    if not allowed("documents.print_revision", request.user, revision):
        # Not even its existence is shown to someone who may not see it.
        raise Http404("No such revision.")
    return revision


@require_POST
def revision_print(request, revision_id):
    """A controlled print. When the stored base PDF is current, the print is
    stamped and returned at once; otherwise a job renders it and the user
    watches the job page (which offers the download when ready)."""
    revision = _get_revision_for_user(request, revision_id)
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
    return redirect(job)


@require_GET
def manual(request):
    require("documents.view_manual", request.user)
    builds = ManualBuild.objects.select_related("built_by").defer("contents").annotate(doc_count=Count("revisions"))[:50]
    return render(request, "renditions/manual.html", {"builds": builds})


@require_POST
def manual_build(request):
    require("documents.build_manual", request.user)
    job = manual_builder.request_manual_build(actor=request.user)
    record_event(actor=request.user, verb="manual.build_requested", data={"job": str(job.public_id)})
    messages.info(request, gettext("The quality manual is being compiled."))
    return redirect(job)


@require_GET
def manual_download(request, manual_revision):
    require("documents.view_manual", request.user)
    build = get_object_or_404(ManualBuild.objects.only("file", "manual_revision", "sha256"),
                              manual_revision=manual_revision)
    try:
        manual_builder.check_manual_file(build)  # never issue a changed or missing build
    except manual_builder.ManualFileChanged:
        return render(request, "error.html", {
            "title": gettext("This quality manual build cannot be issued"),
            "message": gettext("The stored file of manual revision %(revision)s no longer matches the one that "
                               "was built, so it is not served. It was set aside and the quality manager has been told; "
                               "build the manual again from the controlled PDFs on the quality manual page.")
            % {"revision": build.manual_revision},
        }, status=409)
    return file_response(
        build.file.name, download_name=f"quality-manual-rev-{build.manual_revision}.pdf", content_type="application/pdf"
    )


@login_not_required
@never_cache
@require_GET
def verify(request, token):
    """Public: anyone holding a printout scans its QR code and learns whether
    that revision is still current. Shows number, title, revision and status
    only; the token is unguessable, and an unknown one is a plain 404."""
    verification = get_object_or_404(
        RevisionVerification.objects.select_related("revision__document"), token=token
    )
    revision = verification.revision
    response = render(
        request,
        "renditions/verify.html",
        {
            "number": revision.document.number,
            "title": revision.document.title,
            "label": revision.label or revision.seq,
            "currency": renditions.currency_of(revision),
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"  # a printout's link is not for search engines
    return response
