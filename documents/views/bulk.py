"""Bulk actions on the document register and the read-and-understood list
(issue 18; qms/bulk.py has the policy): read and understood with one
signature, assign or reassign owners, export the selection.

Each row goes through the single action's service (`acknowledge`,
`document_update`); the page before lists every selected document with what
will happen to it, and, for a signature, the hash of the revision signed."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from documents import selectors, services
from documents.forms import BulkOwnerForm
from documents.models import Acknowledgement, Document, Revision
from qms import bulk
from qms.exports import table_response
from qms.models import Signature
from qms.rules import allowed, require
from qms.rules import message as rule_message
from qms.signatures import BulkSignatureForm, content_hash

ACTIONS = {
    "acknowledge": gettext_lazy("Read and understood (one signature)"),
    "owner": gettext_lazy("Assign owner"),
    "csv": gettext_lazy("Export CSV"),
    "xlsx": gettext_lazy("Export XLSX"),
}


def register_bar(user) -> dict | None:
    """The document register's bulk bar (owner and export; the rules check each row again)."""
    offered = ["owner"] if allowed("documents.create_document", user) or _is_qm(user) else []
    if allowed("documents.export_register", user):
        offered += ["csv", "xlsx"]
    return _bar(offered, "documents")


def reading_bar(user) -> dict | None:
    """The read-and-understood list's bulk bar: acknowledge the ticked documents."""
    return _bar(["acknowledge"] if allowed("documents.acknowledge", user) else [], "documents to read")


def _is_qm(user) -> bool:
    from qms.permissions import is_quality_manager

    return is_quality_manager(user)


def _bar(offered, what) -> dict | None:
    if not offered:
        return None
    return {"form_id": "bulk-documents", "url": reverse("documents:bulk"), "what": what,
            "actions": [(a, ACTIONS[a]) for a in offered]}


def _selection(request, ids) -> list[Document]:
    """The selected documents, as this user may see them (with the revision in force, which a reader signs)."""
    qs = selectors.documents_for_user(request.user).select_related("doc_type", "owner", "effective_revision")
    documents = bulk.select(qs, ids, refusal=gettext(
        "%(missing)s of the %(count)s selected ids are not documents of your register you can act on here "
        "(unknown, of another register, or outside what you may see). Nothing was done."))
    for d in documents:
        if d.effective_revision_id:
            d.effective_revision.document = d  # its signature content names the document: no query per row
    return documents


def _open_tasks(user, documents) -> set[int]:
    """Ids of the documents whose revision in force `user` still has to acknowledge (one query)."""
    return set(Acknowledgement.objects.filter(
        user=user, revision__document__in=[d.pk for d in documents], revision__status=Revision.Status.EFFECTIVE,
        acknowledged_at__isnull=True, cancelled_at__isnull=True,
    ).values_list("revision__document_id", flat=True))


def _decorate(rows, hashes=None):
    for row in rows:
        doc = row.obj
        row.url = doc.get_absolute_url()
        row.detail = f"{doc.title} ({doc.effective_revision.label})" if doc.effective_revision_id else doc.title
        row.hash = (hashes or {}).get(str(doc.pk), "") if row.done else ""
    return rows


def _page(request, *, action, documents, form=None, error="", status=200):
    user = request.user
    if action == "acknowledge":
        open_ids = _open_tasks(user, documents)

        def refusal_of(d):
            if not allowed("documents.acknowledge", user, d):
                return rule_message("documents.acknowledge", user, d)
            return None if d.pk in open_ids else services.NOTHING_TO_ACKNOWLEDGE

        rows = bulk.preview(documents, refusal_of)
        items = {str(r.obj.pk): r.obj.effective_revision for r in rows if r.done}
        hashes = {k: content_hash(rev.signature_content()) for k, rev in items.items()}
        context = {
            "title": ngettext("Read and understood: %(count)s document, one signature",
                              "Read and understood: %(count)s documents, one signature", len(items)) % {"count": len(items)},
            "intro": gettext("Your one signature below says you have read and understood each revision listed as ready: "
                             "each gets its own signature row over the revision whose SHA-256 is shown. A revision that "
                             "changes before you sign is not signed. Open each document to read it first."),
            "done_word": "ready to acknowledge", "show_hash": True,
            "sig_form": BulkSignatureForm(user=user, items=items), "sig_action": reverse("documents:bulk-acknowledge"),
            "sig_meaning_label": Signature.Meaning.READ.label,
        }
        rows = _decorate(rows, hashes)
    else:
        rows = _decorate(bulk.preview(documents, lambda d: None if allowed("documents.edit_document", user, d)
                                      else rule_message("documents.edit_document", user, d)))
        context = {
            "title": ngettext("Assign an owner to %(count)s document", "Assign an owner to %(count)s documents",
                              len(documents)) % {"count": len(documents)},
            "intro": gettext("Each document is changed on its own with the same reason; one that you may not change is "
                             "reported without stopping the others."),
            "done_word": "ready", "post_url": reverse("documents:bulk-owner"), "form": form or BulkOwnerForm(),
            "submit_label": gettext("Assign owner"),
        }
    reading = action == "acknowledge"
    context.update(action=action, rows=rows, ready=any(r.done for r in rows), error=error, row_heading="Document",
                   nothing_message=gettext("You can do this to none of the selected documents: nothing to do."),
                   back_url=reverse("documents:acknowledgement-list" if reading else "documents:index"),
                   back_label="your documents to read" if reading else "the register")
    return render(request, "qms/bulk_preview.html", context, status=status)


def _results(request, results, *, title, done_word, back):
    return render(request, "qms/bulk_results.html", {
        "title": title, "rows": _decorate(results), "done_word": done_word, "row_heading": "Document",
        "summary": bulk.summary(results, done_word=done_word), "back_url": reverse(back),
        "back_label": "the register" if back == "documents:index" else "your documents to read",
    })


@require_GET
def bulk_start(request):
    """The bulk bar: export the selection, or show what will be done to each selected document."""
    require("documents.view_documents", request.user)
    action = request.GET.get("action", "")
    if action not in ACTIONS:
        return bulk.refused_page(request, bulk.BulkInputError(gettext("Choose one of the bulk actions. Nothing was done.")))
    try:
        documents = _selection(request, request.GET.getlist("ids"))
    except bulk.BulkInputError as exc:
        return bulk.refused_page(request, exc)
    if action in ("csv", "xlsx"):
        require("documents.export_register", request.user)
        qs = selectors.register(request.user, {}).filter(pk__in=[d.pk for d in documents])
        rows = selectors.register_export_rows(qs, allowed("documents.view_drafts", request.user))
        return table_response(selectors.REGISTER_HEADERS, rows, fmt=action, basename="documents-selected")
    return _page(request, action=action, documents=documents)


@require_POST
def bulk_acknowledge(request):
    """One "read" signature over the revisions the signing page listed (its signed stamp names them)."""
    require("documents.acknowledge", request.user)
    form = BulkSignatureForm(request.POST, user=request.user)
    return bulk.signed_post(
        request, form,
        select=lambda ids: _selection(request, ids), refused=lambda exc: bulk.refused_page(request, exc),
        page=lambda rows, **kw: _page(request, action="acknowledge", documents=rows, **kw),
        sign=lambda rows: services.acknowledge_many(actor=request.user, documents=rows, form=form,
                                                    comment=form.cleaned_data["comment"]),
        done=lambda results: _results(request, results, title=gettext("Read and understood"),
                                      done_word="acknowledged and signed", back="documents:acknowledgement-list"),
        repeated_message=gettext("This signing page was already signed."), repeated_url="documents:acknowledgement-list")


@require_POST
def bulk_owner(request):
    require("documents.view_documents", request.user)
    return bulk.form_post(
        request, BulkOwnerForm(request.POST), select=lambda ids: _selection(request, ids),
        page=lambda rows, **kw: _page(request, action="owner", documents=rows, **kw),
        run=lambda rows, d: services.documents_reassign(actor=request.user, documents=rows, owner=d["owner"],
                                                        reason=d["reason"]),
        done=lambda results: _results(request, results, title=gettext("Owners assigned"), done_word="owner assigned",
                                      back="documents:index"),
        error=gettext("Nothing was changed: choose the new owner and say why."))
