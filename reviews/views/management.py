"""Management review pages (ISO 9001 9.3): planning, the compiled input pack,
the minutes (decisions and actions) and the chair's signature."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qms.audit import trail_for
from qms.errors import DomainError
from qms.rules import allowed, require
from qms.signatures import SignatureForm, SignatureRepeated, signatures_for
from reviews import pack, selectors, services
from reviews.forms import CompleteActionForm, ConclusionsForm, DecisionForm, ReviewForm
from reviews.models import Decision, ManagementReview

PAGE_SIZE = 50


def _get_review_for_user(request, pk) -> ManagementReview:
    try:
        review = selectors.review_detail(pk)
    except ManagementReview.DoesNotExist as exc:
        raise Http404(gettext("No such management review.")) from exc
    if not allowed("reviews.view_review", request.user, review):
        raise Http404(gettext("No such management review."))
    return review


@require_GET
def review_list(request):
    require("reviews.view_reviews", request.user)
    page = Paginator(selectors.reviews_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reviews/review_list.html", {
        "page": page, "can_plan": allowed("reviews.plan_review", request.user),
    })


@require_http_methods(["GET", "POST"])
def review_create(request):
    require("reviews.plan_review", request.user)
    form = ReviewForm(request.POST or None, initial={"chair": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_plan(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("%(number)s planned; its input pack is compiled.") % {"number": review.number})
            return redirect(review)
    return render(request, "reviews/review_form.html", {"form": form, "title": gettext("Plan a management review")},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def review_edit(request, pk):
    review = _get_review_for_user(request, pk)
    require("reviews.edit_minutes", request.user, review)
    initial = {n: getattr(review, n) for n in services.REVIEW_FIELDS}
    initial["attendees"] = list(review._attendee_ids)
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_update(actor=request.user, review=review, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("%(number)s changed.") % {"number": review.number})
            return redirect(review)
    return render(request, "reviews/review_form.html", {"form": form, "review": review,
                                                        "title": gettext("Change %(number)s") % {"number": review.number}},
                  status=400 if form.errors else 200)


def _review_context(request, review, **forms):
    can_edit = allowed("reviews.edit_minutes", request.user, review)
    return {
        "review": review, "decisions": selectors.review_decisions(review),
        "attendees": list(review.attendees.only("username", "full_name", "first_name", "last_name")),
        "signatures": list(signatures_for(review)),
        "can_edit": can_edit, "can_sign": allowed("reviews.sign_minutes", request.user, review),
        "can_print": allowed("reviews.request_pack_pdf", request.user, review),
        "conclusions_form": forms.get("conclusions_form") or ConclusionsForm(initial={"conclusions": review.conclusions}),
        "decision_form": forms.get("decision_form") or DecisionForm(review=review),
        "sig_form": forms.get("sig_form") or SignatureForm(user=request.user, obj=review),
        "job": selectors.latest_job("review_pack_pdf", review.pk),
        "trail": trail_for(review) if allowed("qms.view_trail", request.user, review) else None,
        "complete_form": CompleteActionForm(),
    }


@require_GET
def review_detail(request, pk):
    review = _get_review_for_user(request, pk)
    return render(request, "reviews/review_detail.html", _review_context(request, review))


@require_GET
def review_pack(request, pk):
    review = _get_review_for_user(request, pk)
    return render(request, "reviews/review_pack.html", {
        "review": review, "sections": pack.sections(review.pack),
        "can_edit": allowed("reviews.edit_minutes", request.user, review),
        "can_print": allowed("reviews.request_pack_pdf", request.user, review),
    })


@require_POST
def review_compile(request, pk):
    review = _get_review_for_user(request, pk)
    services.review_compile(actor=request.user, review=review)
    messages.success(request, gettext("Input pack compiled again from today's data."))
    return redirect("reviews:review-pack", pk=review.pk)


@require_POST
def review_pdf(request, pk):
    review = _get_review_for_user(request, pk)
    job = services.request_pack_pdf(actor=request.user, review=review)
    return redirect(job)


@require_POST
def review_conclusions(request, pk):
    review = _get_review_for_user(request, pk)
    require("reviews.edit_minutes", request.user, review)
    form = ConclusionsForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.review_update(actor=request.user, review=review, conclusions=form.cleaned_data["conclusions"])
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, gettext("Conclusions saved."))
            return redirect(review)
    return render(request, "reviews/review_detail.html", _review_context(request, review, conclusions_form=form),
                  status=status)


@require_POST
def decision_add(request, pk):
    review = _get_review_for_user(request, pk)
    require("reviews.edit_minutes", request.user, review)
    form = DecisionForm(request.POST, review=review)
    status = 400
    if form.is_valid():
        try:
            services.decision_add(actor=request.user, review=review, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, gettext("Decision recorded."))
            return redirect(review)
    return render(request, "reviews/review_detail.html", _review_context(request, review, decision_form=form),
                  status=status)


def _get_decision_for_user(request, pk) -> Decision:
    decision = get_object_or_404(Decision.objects.select_related("review", "action_owner"), pk=pk)
    review = _get_review_for_user(request, decision.review_id)
    decision.review = review
    return decision


@require_http_methods(["GET", "POST"])
def decision_edit(request, pk):
    decision = _get_decision_for_user(request, pk)
    review = decision.review
    require("reviews.edit_minutes", request.user, review)
    form = DecisionForm(request.POST or None, review=review, initial={
        "kind": decision.kind, "text": decision.text, "action_description": decision.action_description,
        "action_owner": decision.action_owner_id, "action_due_date": decision.action_due_date})
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_update(actor=request.user, decision=decision, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Decision changed."))
            return redirect(review)
    return render(request, "reviews/decision_form.html", {"form": form, "decision": decision, "review": review},
                  status=400 if form.errors else 200)


@require_POST
def action_complete(request, pk):
    decision = _get_decision_for_user(request, pk)
    require("reviews.complete_action", request.user, decision)
    form = CompleteActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Say what was done. Nothing was changed."))
        return redirect(decision.review)
    services.action_complete(actor=request.user, decision=decision, note=form.cleaned_data["note"])
    messages.success(request, gettext("Action completed."))
    return redirect(decision.review)


@require_POST
def review_sign(request, pk):
    review = _get_review_for_user(request, pk)
    require("reviews.sign_minutes", request.user, review)
    form = SignatureForm(request.POST, user=request.user)
    status = 400
    if form.is_valid():
        try:
            with form.signing():
                services.minutes_approve(actor=request.user, review=review, password=form.cleaned_data["password"],
                                         comment=form.cleaned_data["comment"])
        except SignatureRepeated:
            return redirect(review)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
            form.restamp(review)
        else:
            messages.success(request, gettext("Minutes of %(number)s approved and locked.") % {"number": review.number})
            return redirect(review)
    return render(request, "reviews/review_detail.html", _review_context(request, review, sig_form=form),
                  status=status)


@require_GET
def action_list(request):
    require("reviews.view_reviews", request.user)
    page = Paginator(selectors.review_actions(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reviews/action_list.html", {"page": page})
