"""Controlled documents: register, document and revision pages, authoring,
route decisions, periodic review, acknowledgements, compare.

Views are short: permission check (the same predicates services ask),
form → service → redirect; domain errors become messages or form errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from documents import selectors, services
from documents.forms import (
    AddSignerForm,
    DecisionForm,
    DocumentCreateForm,
    DocumentEditForm,
    DraftForm,
    NewRevisionForm,
    ObsoleteForm,
    PeriodicReviewForm,
    RegisterFilterForm,
    RouteForm,
)
from documents.models import Document, Revision
from documents.redline import pdf_text_html, redline
from documents.views import bulk as bulk_views
from qms import jobs, permissions, textract
from qms.audit import trail_for
from qms.concurrency import Stamp
from qms.errors import DomainError
from qms.exports import table_response
from qms.i18n import in_sentence
from qms.lifecycle import guard
from qms.rules import allowed, require
from qms.signatures import SignatureForm, SignatureRepeated, content_hash, signatures_for
from qms.uploads import file_response

S = Revision.Status
PAGE_SIZE = 50


# ------------------------------------------------------------------ lookups
def _get_document_for_user(request, number: str) -> Document:
    document = get_object_or_404(
        Document.objects.select_related("doc_type", "owner", "department", "process", "effective_revision"),
        number=number,
    )
    if not allowed("documents.view_document", request.user, document):
        require("documents.view_documents", request.user)
        raise Http404("No such document.")  # staff must not learn that a draft exists
    return document


def _get_revision_for_user(request, number: str, seq: int) -> Revision:
    require("documents.view_documents", request.user)
    document = get_object_or_404(
        Document.objects.select_related("doc_type", "owner", "department", "process", "effective_revision"),
        number=number,
    )
    revision = get_object_or_404(Revision.objects.select_related("created_by"), document=document, seq=seq)
    revision.document = document
    # A reviewer named on the route may read the draft they are asked to sign.
    if not allowed("documents.view_revision", request.user, revision):
        raise Http404("No such revision.")
    return revision


def _signatures(revision: Revision | None) -> list:
    """Signatures of a revision with their target pre-set, so that checking
    each one's validity costs no extra query."""
    if revision is None:
        return []
    sigs = list(signatures_for(revision))
    for sig in sigs:
        sig.target = revision
    return sigs


def _post(request):
    """The POST data, or None on GET (an empty POST must still bind the form and fail validation)."""
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


def _error(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


# ------------------------------------------------------------------ register
def _search_page(qs, number, cap: int, *, search: bool = False) -> Page:
    """One page of the register or of search results and their total
    (selectors.page_of: each part with its own plan; a total past the cap says
    "more than", and the pages stop there)."""
    try:
        number = min(max(int(number or 1), 1), 10**6)  # a huge page number would overflow the SQL OFFSET
    except ValueError:
        number = 1
    number = min(number, cap // PAGE_SIZE)
    rows, total, capped = selectors.page_of(qs, (number - 1) * PAGE_SIZE, PAGE_SIZE, cap, along_order=search)
    if not rows and number > 1:  # past the end: show the last page, like Paginator.get_page
        number = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        rows, total, capped = selectors.page_of(qs, (number - 1) * PAGE_SIZE, PAGE_SIZE, cap, along_order=search)
    page = Page(rows, number, Paginator(range(total), PAGE_SIZE))
    page.capped = capped
    return page


@require_GET
def index(request):
    user = request.user
    require("documents.view_documents", user)
    form = RegisterFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.register(user, data)
    show_drafts = allowed("documents.view_drafts", user)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx", "pdf"):
        require("documents.export_register", user)
        if fmt == "pdf":  # a long register is a background job (the page polls it)
            params = {k: v for k, v in request.GET.items() if k not in ("export", "page")}
            return redirect(jobs.request_job(kind="register_pdf", actor=user, params=params))
        return table_response(selectors.REGISTER_HEADERS, selectors.register_export_rows(qs, show_drafts), fmt=fmt,
                              basename="document-register")
    q = data.get("q", "")
    page = _search_page(qs, request.GET.get("page"),
                        selectors.SEARCH_COUNT_CAP if q else selectors.REGISTER_COUNT_CAP, search=bool(q))
    rows = [selectors.register_row(d, show_drafts) for d in page.object_list]
    snips = selectors.snippets(user, [r["doc"].pk for r in rows], q) if q else {}
    for r in rows:
        r["snippet"] = mark_safe(snips.get(r["doc"].pk, ""))  # noqa: S308 - escaped in selectors.snippets
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    context = {
        "form": form, "page": page, "rows": rows, "q": q, "querystring": params.urlencode(),
        "sort": data.get("sort") or "number", "today": timezone.localdate(),
        "can_create": allowed("documents.create_document", user),
        "bulk": bulk_views.register_bar(user),
    }
    template = "documents/_register_table.html" if request.htmx else "documents/document_list.html"
    return render(request, template, context)


# ------------------------------------------------------------------ authoring
@require_http_methods(["GET", "POST"])
def document_create(request):
    require("documents.create_document", request.user)
    form = DocumentCreateForm(_post(request), _files(request), user=request.user,
                              preview_url=reverse("documents:preview"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_create(
                actor=request.user, doc_type=data["doc_type"], department=data["department"], title=data["title"],
                owner=data.get("owner"), process=data.get("process"), clauses=data["clauses"],
                distribution_users=data["distribution_users"], distribution_groups=data["distribution_groups"],
                review_interval_months=data.get("review_interval_months"), issuer=data.get("issuer", ""),
                external_reference=data.get("external_reference", ""), external_date=data.get("external_date"),
                language=data.get("language", ""), number=data.get("number", ""), content=data.get("content", ""), pdf=data.get("pdf"),
                source=data.get("source"),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("%(number)s created as a draft.") % {"number": document.number})
            return redirect(document.latest_revision)
    return render(request, "documents/document_form.html", {"form": form})


@require_POST
def preview(request):
    """Sanitised Markdown preview for the editor (htmx)."""
    require("documents.preview_markdown", request.user)
    return HttpResponse(selectors.render_markdown(request.POST.get("content", "")))


@require_http_methods(["GET", "POST"])
def document_edit(request, number):
    document = _get_document_for_user(request, number)
    require("documents.edit_document", request.user, document)
    initial = {
        "title": document.title, "owner": document.owner, "process": document.process,
        "clauses": document.clauses.all(), "distribution_users": document.distribution_users.all(),
        "distribution_groups": document.distribution_groups.all(),
        "review_interval_months": document.review_interval_months, "issuer": document.issuer,
        "external_reference": document.external_reference, "external_date": document.external_date,
        "language": document.language, "opened": Stamp.of(services.document_details(document)),
    }
    form = DocumentEditForm(_post(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        if not data.get("language"):  # not posted: the language stays as it is
            data.pop("language", None)
        try:
            services.document_update(actor=request.user, document=document, reason=reason, **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Details saved."))
            return redirect(document)
    return render(request, "documents/document_edit.html", {"form": form, "document": document})


@require_http_methods(["GET", "POST"])
def revision_edit(request, number, seq):
    revision = _get_revision_for_user(request, number, seq)
    if revision.is_frozen:
        # DOC-05: a form POST to an approved revision is refused like any other edit.
        return render(request, "error.html", {"title": gettext("Content is frozen"), "message": gettext(
            "%(revision)s is %(status)s: its content is frozen. Start a new revision to change it.") % {
            "revision": revision, "status": in_sentence(revision.get_status_display())}}, status=409)
    require("documents.edit_revision", request.user, revision)
    form = DraftForm(_post(request), _files(request), preview_url=reverse("documents:preview"),
                     initial={"content": revision.content, "change_summary": revision.change_summary,
                              "change_reason": revision.change_reason,
                              "opened": Stamp.of(revision.signature_content())})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.revision_update_draft(
                actor=request.user, revision=revision, content=data["content"],
                change_summary=data["change_summary"], change_reason=data["change_reason"], pdf=data.get("pdf"),
                source=data.get("source"), remove_pdf=data["remove_pdf"], remove_source=data["remove_source"],
                opened=data.get("opened"),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Draft saved."))
            return redirect(revision)
    opened = form.cleaned_data.get("opened") if form.is_bound and form.is_valid() else None
    opened = opened or (None if form.is_bound else form.initial["opened"])
    poll_url = f"{reverse('documents:revision-changed', args=[number, seq])}?seen={opened.hash}" if opened else ""
    return render(request, "documents/revision_edit.html", {"form": form, "revision": revision, "poll_url": poll_url,
                                                            "document": revision.document,
                                                            "preview": selectors.render_markdown(revision.content)},
                  status=400 if form.errors else 200)


@require_GET
def revision_changed(request, number, seq):
    """htmx poll of an open draft editor: a banner when the draft was saved elsewhere."""
    revision = _get_revision_for_user(request, number, seq)
    if content_hash(revision.signature_content()) == request.GET.get("seen", ""):
        return HttpResponse("")
    return render(request, "includes/_changed_banner.html", {
        "what": f"Draft {revision}", "reload_url": reverse("documents:revision-edit", args=[number, seq]),
    })


@require_http_methods(["GET", "POST"])
def revision_create(request, number):
    document = _get_document_for_user(request, number)
    require("documents.start_revision", request.user, document)
    form = NewRevisionForm(_post(request), document=document)
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.revision_create_new(actor=request.user, document=document, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Revision %(revision)s started from the effective revision.") % {
                "revision": revision.label})
            return redirect("documents:revision-edit", number, revision.seq)
    return render(request, "documents/revision_create.html", {"form": form, "document": document})


# ------------------------------------------------------------------ document and revision pages
@require_GET
def document_detail(request, number):
    document = _get_document_for_user(request, number)
    user = request.user
    shown = document.effective_revision
    if shown is None and allowed("documents.view_drafts", user, document):
        shown = document.revisions.order_by("-seq").first()
    if shown is not None:
        shown.document = document
    revisions = list(selectors.visible_revisions(user, document))
    approvers = selectors.approvers_by_revision(document)
    for r in revisions:
        r.approved_by = approvers.get(r.pk, [])
    my_ack = (
        document.effective_revision.acknowledgements.filter(user=user).first() if document.effective_revision else None
    )
    context = {
        "document": document,
        "revision": shown,
        "html": selectors.render_markdown(shown.content) if shown else "",
        "revisions": revisions,
        "signatures": _signatures(shown),
        "clauses": document.clauses.all(),
        "my_ack": my_ack,
        "ack_form": SignatureForm(user=user, obj=my_ack.revision) if my_ack and my_ack.is_open else None,
        "acked_seq": selectors.last_acknowledged_seq(user, document, my_ack.revision.seq)
        if my_ack and my_ack.is_open else None,
        "can_see_acks": allowed("documents.view_acknowledgements", user, document),
        "ack_summary": selectors.acknowledgement_summary(document) if allowed("documents.view_acknowledgements", user, document) else None,
        "reviews": document.periodic_reviews.select_related("reviewer")[:5],
        "today": timezone.localdate(),
    }
    # What was read from its files (qms.textract): one query.
    texts = textract.for_files([shown.pdf_file, shown.source_file]) if shown else {}
    context["pdf_text"] = texts.get(shown.pdf_file) if shown else None
    context["source_text"] = texts.get(shown.source_file) if shown else None
    return render(request, "documents/document_detail.html", context)


@require_GET
def document_trail(request, number):
    """The history and audit trail of a document and its revisions (loaded with htmx)."""
    document = _get_document_for_user(request, number)
    require("qms.view_trail", request.user, document)
    entries = trail_for(document, *document.revisions.all())
    return render(request, "documents/_trail_panel.html", {"entries": entries, "document": document})


@require_GET
def revision_detail(request, number, seq):
    revision = _get_revision_for_user(request, number, seq)
    user = request.user
    route = selectors.route_for(revision)
    active = next((s for s in route if s.status == "active"), None)
    can_sign = allowed("documents.sign_revision", user, revision)
    context = {
        "document": revision.document,
        "revision": revision,
        "html": selectors.render_markdown(revision.content),
        "route": route,
        "signatures": _signatures(revision),
        "can_sign": can_sign,
        "render_problem": _render_problem(revision) if can_sign else "",
        "decision_form": DecisionForm(user=user, step=active, obj=revision) if can_sign else None,
        "route_form": RouteForm(revision=revision, initial=selectors.previous_route_initial(revision))
        if allowed("documents.submit_revision", user, revision) else None,
        "signer_form": AddSignerForm(revision=revision) if allowed("documents.manage_route", user, revision) else None,
        "previous": revision.document.revisions.filter(seq__lt=revision.seq).order_by("-seq").first()
        if allowed("documents.compare_revisions", user, revision.document) else None,
    }
    return render(request, "documents/revision_detail.html", context)


@require_GET
@xframe_options_sameorigin
def revision_file(request, number, seq, kind):
    """The uploaded PDF (inline, framed by our own page) or the editable source, after the permission check."""
    revision = _get_revision_for_user(request, number, seq)
    if kind == "pdf" and revision.pdf_file:
        response = file_response(revision.pdf_file, download_name=revision.pdf_original_name,
                                 content_type="application/pdf", inline=True)
        return _without_active_content(response)
    if kind == "source" and revision.source_file:
        require("documents.view_drafts", request.user, revision.document)
        return file_response(revision.source_file, download_name=revision.source_original_name,
                             content_type=revision.source_content_type)
    if kind == "searchable" and revision.pdf_file:
        # The copy OCR made, with its text layer (qms.textract); the original stays as it was.
        copy = textract.for_files([revision.pdf_file]).get(revision.pdf_file)
        if copy and copy.searchable_pdf:
            stem = revision.pdf_original_name.rsplit(".", 1)[0] or "document"
            response = file_response(copy.searchable_pdf, download_name=f"{stem}.ocr.pdf",
                                     content_type="application/pdf", inline=True)
            return _without_active_content(response)
    raise Http404("No such file.")


def _render_problem(revision) -> str:
    from documents.renditions import render_problem

    return render_problem(revision)


def _without_active_content(response):
    """A served uploaded PDF never carries JavaScript or launch actions (files
    stored before uploads were checked are cleaned on the way out)."""
    from qms.pdf import sanitized_pdf

    data = b"".join(response.streaming_content)
    try:
        clean = sanitized_pdf(data)
    except Exception:  # unreadable: served as stored, the sandbox header still applies
        clean = data
    response.streaming_content = [clean]
    response["Content-Length"] = str(len(clean))
    return response


# ------------------------------------------------------------------ route
@require_POST
def revision_submit(request, number, seq):
    revision = _get_revision_for_user(request, number, seq)
    require("documents.submit_revision", request.user, revision)
    form = RouteForm(request.POST, revision=revision)
    if form.is_valid():
        try:
            services.revision_submit(actor=request.user, revision=revision, steps=form.steps(),
                                     effective_date=form.cleaned_data.get("effective_date"))
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Sent for review and approval."))
            return redirect(revision)
    return render(request, "documents/revision_detail.html", {
        "document": revision.document, "revision": revision, "route_form": form,
        "html": selectors.render_markdown(revision.content), "route": selectors.route_for(revision),
        "signatures": _signatures(revision),
    }, status=400)


@require_POST
def revision_sign(request, number, seq):
    revision = _get_revision_for_user(request, number, seq)
    if SignatureForm.already_signed(request.POST, request.user):
        # A double click: the first post signed (and may have moved the revision on); answer as it did.
        messages.success(request, gettext("Your signature was recorded."))
        return redirect(revision.document if revision.status == S.EFFECTIVE else revision)
    # DOC-03: deciding on a revision that is not in review is an illegal move (409), whoever asks.
    guard(revision, S.APPROVED, actor=request.user, rule="documents.sign_revision")
    step = selectors.active_step(revision)
    form = DecisionForm(request.POST, user=request.user, step=step)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with form.signing():
                services.revision_decide(actor=request.user, revision=revision, password=data["password"],
                                         outcome=data["outcome"], comment=data.get("comment", ""),
                                         significance=data.get("significance") or "")
        except SignatureRepeated:
            signed = True  # a double click: the first post signed; answer as it did
        except DomainError as exc:
            form.add_error(None, exc.message)
            revision.refresh_from_db()
            form.restamp(revision)  # the page below shows the current content
            signed = False
        else:
            signed = True
        if signed:
            messages.success(request, gettext("Your signature was recorded."))
            revision.refresh_from_db()
            return redirect(revision.document if revision.status == S.EFFECTIVE else revision)
    return render(request, "documents/revision_detail.html", {
        "document": revision.document, "revision": revision, "decision_form": form, "can_sign": True,
        "html": selectors.render_markdown(revision.content), "route": selectors.route_for(revision),
        "signatures": _signatures(revision),
    }, status=400)


@require_POST
def revision_add_signer(request, number, seq):
    revision = _get_revision_for_user(request, number, seq)
    require("documents.manage_route", request.user, revision)
    form = AddSignerForm(request.POST, revision=revision)
    if form.is_valid():
        try:
            services.route_add_signer(actor=request.user, revision=revision, step=form.cleaned_data["step"],
                                      user=form.cleaned_data.get("user"), group=form.cleaned_data.get("group"))
            messages.success(request, gettext("Signer added."))
        except DomainError as exc:
            _error(request, exc)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(revision)


@require_POST
def revision_withdraw(request, number, seq):
    revision = _get_revision_for_user(request, number, seq)
    require("documents.manage_route", request.user, revision)
    try:
        services.revision_withdraw(actor=request.user, revision=revision, reason=request.POST.get("reason", ""))
        messages.success(request, gettext("Withdrawn from review: the revision is a draft again."))
    except DomainError as exc:
        _error(request, exc)
    return redirect(revision)


# ------------------------------------------------------------------ obsolete, periodic review, acknowledgement
@require_http_methods(["GET", "POST"])
def document_obsolete(request, number):
    document = _get_document_for_user(request, number)
    require("documents.make_obsolete", request.user, document)
    form = ObsoleteForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.document_make_obsolete(actor=request.user, document=document, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("%(number)s is obsolete.") % {"number": document.number})
            return redirect(document)
    return render(request, "documents/document_obsolete.html", {"form": form, "document": document},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def document_review(request, number):
    document = _get_document_for_user(request, number)
    require("documents.review_document", request.user, document)
    form = PeriodicReviewForm(_post(request), user=request.user, obj=document.effective_revision)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with form.signing():
                review = services.document_periodic_review(
                    actor=request.user, document=document, password=data["password"], outcome=data["outcome"],
                    comment=data.get("comment", ""))
        except SignatureRepeated:
            messages.success(request, gettext("Review recorded."))  # a double click: the first post recorded it
            return redirect(document)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if review.outcome == "revise":
                messages.success(request, gettext("Review recorded; a new draft is open."))
                latest = document.revisions.order_by("-seq").first()
                return redirect("documents:revision-edit", number, latest.seq)
            messages.success(request, gettext("Review recorded; next review %(date)s.") % {
                "date": f"{review.next_review_date:%Y-%m-%d}"})
            return redirect(document)
    return render(request, "documents/document_review.html", {"form": form, "document": document},
                  status=400 if form.errors else 200)


@require_POST
def document_acknowledge(request, number):
    document = _get_document_for_user(request, number)
    require("documents.acknowledge", request.user, document)
    form = SignatureForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            with form.signing():
                services.acknowledge(actor=request.user, document=document, password=form.cleaned_data["password"],
                                     comment=form.cleaned_data.get("comment", ""))
        except SignatureRepeated:
            messages.success(request, gettext("Thank you: your acknowledgement is recorded."))  # a double click
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, gettext("Thank you: your acknowledgement is recorded."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(document)


@require_GET
def document_acknowledgements(request, number):
    document = _get_document_for_user(request, number)
    require("documents.view_acknowledgements", request.user, document)
    acks = selectors.acknowledgements_for_document(document)
    return render(request, "documents/document_acknowledgements.html",
                  {"document": document, "acks": acks, "today": timezone.localdate(),
                   "can_see_people": permissions.can_read_everything(request.user)})


@require_GET
def acknowledgement_list(request):
    """Per-person status: my read-and-understood tasks; the QM also sees every overdue one."""
    require("documents.view_documents", request.user)
    person = request.user
    everyone = permissions.can_read_everything(request.user)
    if everyone and request.GET.get("user"):
        from django.contrib.auth import get_user_model

        try:
            person = get_object_or_404(get_user_model(), pk=int(request.GET["user"]))
        except ValueError as exc:
            raise Http404("No such person.") from exc
    mine = selectors.acknowledgements_for_user(person)[:200]
    overdue = selectors.overdue_acknowledgements()[:500] if everyone else None
    return render(request, "documents/acknowledgement_list.html",
                  {"mine": mine, "person": person, "overdue": overdue, "today": timezone.localdate(),
                   "bulk": bulk_views.reading_bar(request.user) if person == request.user else None})


@require_GET
def review_list(request):
    """Documents overdue for periodic review: the QM sees all, owners their own."""
    require("documents.view_documents", request.user)
    docs = selectors.review_overdue(request.user)[:500]
    return render(request, "documents/review_list.html", {"documents": docs, "today": timezone.localdate()})


# ------------------------------------------------------------------ compare: the redline
def _seq(value, default: int | None) -> int | None:
    if value in (None, ""):
        return default
    try:
        seq = int(value)
    except ValueError as exc:
        raise Http404("No such revision.") from exc
    if not 0 < seq < 2**31:  # past the column's range: no such revision, not a database error
        raise Http404("No such revision.")
    return seq


@require_GET
def document_compare(request, number):
    """Two revisions' rendered text with insertions and deletions marked word by word
    (inline, or side by side), the changed sections, the changed details; for anyone
    who may read both (documents.compare_pair). `?since=acknowledged`: from the revision
    the reader last acknowledged (their read task links here)."""
    user = request.user
    document = _get_document_for_user(request, number)
    require("documents.compare_revisions", user, document)
    revisions = list(selectors.comparable_revisions(user, document))
    if len(revisions) < 2:
        messages.info(request, gettext("There is only one revision you can read: nothing to compare."))
        return redirect(document)
    b_seq = _seq(request.GET.get("b"), revisions[-1].seq)
    since_ack = request.GET.get("since") == "acknowledged"
    default_a = next((r.seq for r in reversed(revisions) if r.seq < b_seq), revisions[0].seq)
    acked = selectors.last_acknowledged_seq(user, document, b_seq) if since_ack else None
    a_seq = _seq(request.GET.get("a"), acked if acked is not None else default_a)
    pair = {r.seq: r for r in Revision.objects.select_related("created_by").filter(document=document, seq__in={a_seq, b_seq})}
    if a_seq not in pair or b_seq not in pair:
        raise Http404("No such revision.")
    a, b = pair[a_seq], pair[b_seq]
    a.document = b.document = document
    if not allowed("documents.compare_pair", user, selectors.RevisionPair(a, b)):
        if not allowed("documents.view_drafts", user, document) and {a.status, b.status} - {S.EFFECTIVE, S.SUPERSEDED}:
            raise Http404("No such revision.")  # staff must not learn that a draft exists
        require("documents.compare_pair", user, selectors.RevisionPair(a, b))
    mode = "side" if request.GET.get("mode") == "side" else "inline"
    text = pdf = None
    pdf_unreadable = False
    if a.content or b.content or not (a.pdf_file or b.pdf_file):
        text = redline(selectors.render_markdown(a.content), selectors.render_markdown(b.content))
    if a.pdf_file or b.pdf_file:
        old, new = pdf_text_html(a), pdf_text_html(b)
        pdf_unreadable = old is None or new is None
        pdf = None if pdf_unreadable else redline(old, new)
    my_ack = (
        b.acknowledgements.filter(user=user, acknowledged_at__isnull=True, cancelled_at__isnull=True).first()
        if b.status == S.EFFECTIVE else None
    )
    meta = selectors.compare_metadata(a, b, document)
    return render(request, "documents/document_compare.html", {
        "document": document, "a": a, "b": b, "revisions": revisions, "mode": mode,
        "text": text, "pdf": pdf, "pdf_unreadable": pdf_unreadable,
        "meta": [row for row in meta if row[1] != row[2]], "meta_all": meta,
        "since_ack": acked is not None and a_seq == acked,
        "my_ack": my_ack,
        "ack_form": SignatureForm(user=user, obj=b) if my_ack and allowed("documents.acknowledge", user, document) else None,
        "today": timezone.localdate(),
    })
