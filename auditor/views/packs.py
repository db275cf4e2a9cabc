"""Evidence packs: build a sealed pack, verify one, publish the public key."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from qms.errors import DomainError
from qms.middleware import auditor_may_post
from qms.rules import require


@auditor_may_post  # checking a pack changes nothing
@require_http_methods(["GET", "POST"])
def pack_verify(request):
    from auditor.forms import PackVerifyForm
    from auditor.packs import verify_evidence_pack
    from auditor.signing import key_id, public_key_pem

    require("auditor.verify_pack", request.user)
    form = PackVerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = verify_evidence_pack(form.cleaned_data["pack"])
    return render(request, "auditor/pack_verify.html", {
        "form": form, "result": result, "public_key_pem": public_key_pem(), "key_id": key_id(),
    })


@require_GET
def pack_public_key(request):
    """The public half of the pack-sealing key, for checking a pack offline."""
    from auditor.signing import public_key_pem

    require("auditor.verify_pack", request.user)
    response = HttpResponse(public_key_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="qms-pack-key.pem"'
    return response


@auditor_may_post  # building a pack changes no QMS data; the pack holds only what the requester's scope allows
@require_http_methods(["GET", "POST"])
def pack_build(request):
    from auditor.forms import PackBuildForm
    from auditor.pack_builder import request_pack
    from qms.models import Job

    require("auditor.build_pack", request.user)
    form = PackBuildForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = request_pack(actor=request.user, scope=form.scope())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("The evidence pack is being built; this page shows when it is ready."))
            return redirect(job)
    jobs = Job.objects.filter(kind="evidence_pack", requested_by=request.user).only(
        "public_id", "status", "params", "created_at", "finished_at", "sha256", "size", "progress"
    ).order_by("-created_at")[:20]
    return render(request, "auditor/pack_build.html", {"form": form, "jobs": jobs})
