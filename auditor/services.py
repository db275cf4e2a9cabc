"""Writes for external auditor access and evidence requests."""

from __future__ import annotations

import re
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, gettext_noop

from auditor.lifecycles import EVIDENCE_REQUEST
from auditor.models import AuditorAccess, EvidenceLink, EvidenceRequest
from qms import safeurls
from qms.audit import attribute, record_event
from qms.dates import check_in_window
from qms.errors import DomainError, IllegalTransition
from qms.lifecycle import guard, transition
from qms.notifications import notify
from qms.permissions import (
    Role,
)
from qms.rules import require
from qms.safeurls import is_same_site_path
from qms.stored_text import text as said
from qms.uploads import store_upload


def set_password_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])


@transaction.atomic
def invite_external_auditor(
    *,
    actor,
    full_name: str,
    email: str,
    organisation: str,
    audit_reference: str,
    valid_from: datetime,
    valid_until: datetime,
    all_scope: bool,
    clauses=(),
    processes=(),
    site_url: str = "",
) -> tuple[AuditorAccess, str]:
    """Create a read-only, scoped, time-limited external auditor account and
    e-mail a one-time link to set its password. Returns (grant, that link)."""
    require("auditor.manage_auditor_access", actor)
    check_in_window(valid_from, "The start of the access")
    check_in_window(valid_until, "The end of the access")
    if valid_until <= valid_from:
        raise DomainError(gettext("The access must end after it starts."))
    if not all_scope and not clauses and not processes:
        raise DomainError(gettext("Choose the clauses or processes in scope, or tick “everything”."))
    User = get_user_model()
    email = email.strip().lower()
    existing = User.objects.filter(username=email).select_related("auditor_access").first()
    if existing is not None:
        # An auditor who comes back (surveillance audit, an extension) keeps
        # their account and access log: their grant is renewed, not duplicated.
        access = getattr(existing, "auditor_access", None)
        if access is None or Role.EXTERNAL_AUDITOR not in {g.name for g in existing.groups.all()}:
            raise DomainError(gettext("An account %(email)s exists already and is not an external auditor; "
                                      "user names are never reused.") % {"email": email})
        access = renew_access(actor=actor, access=access, valid_from=valid_from, valid_until=valid_until,
                              all_scope=all_scope, clauses=clauses, processes=processes,
                              organisation=organisation, audit_reference=audit_reference)
        link = "" if existing.has_usable_password() else set_password_url(existing)
        _mail_access(access, link, site_url)
        return access, link
    user = User(username=email, email=email, full_name=full_name.strip(), job_title=f"External auditor, {organisation}")
    user.set_unusable_password()
    attribute(user, actor, f"Invited as external auditor for {audit_reference}")
    user.save()
    user.groups.add(Group.objects.get(name=Role.EXTERNAL_AUDITOR))
    access = AuditorAccess(
        user=user, organisation=organisation, audit_reference=audit_reference, valid_from=valid_from,
        valid_until=valid_until, all_scope=all_scope, invited_by=actor,
    )
    attribute(access, actor, "Invitation")
    access.full_clean()
    access.save()
    access.clauses.set(clauses)
    access.processes.set(processes)
    record_event(
        actor=actor, verb="auditor_access.invited", obj=access, to_state="invited",
        comment=f"{organisation}; {valid_from:%Y-%m-%d %H:%M} – {valid_until:%Y-%m-%d %H:%M} UTC",
    )
    link = set_password_url(user)
    _mail_access(access, link, site_url)
    return access, link


def _mail_access(access: AuditorAccess, link: str, site_url: str) -> None:
    user = access.user
    how = (f"Set your password here (one use): {site_url}{link}\n" if link
           else f"Log in at {site_url or '/'} with your existing password.\n")
    message = (
        f"Dear {user.display_name},\n\nYou have read-only access for {access.audit_reference} "
        f"from {access.valid_from:%Y-%m-%d %H:%M} to {access.valid_until:%Y-%m-%d %H:%M} UTC.\n"
        f"{how}Your user name: {user.username}\n"
    )
    transaction.on_commit(lambda: send_mail(
        subject=f"Your auditor access: {access.audit_reference}", message=message, from_email=None,
        recipient_list=[user.email], fail_silently=True,
    ))


@transaction.atomic
def renew_access(
    *,
    actor,
    access: AuditorAccess,
    valid_from: datetime,
    valid_until: datetime,
    all_scope: bool,
    clauses=(),
    processes=(),
    organisation: str = "",
    audit_reference: str = "",
) -> AuditorAccess:
    """Extend or re-open an external auditor's grant with a new window and
    scope (a revoked grant is re-opened; its revocation stays in the history)."""
    require("auditor.manage_auditor_access", actor)
    check_in_window(valid_from, "The start of the access")
    check_in_window(valid_until, "The end of the access")
    if valid_until <= valid_from:
        raise DomainError(gettext("The access must end after it starts."))
    if valid_until <= timezone.now():
        raise DomainError(gettext("The new end of the access is already past."))
    if not all_scope and not clauses and not processes:
        raise DomainError(gettext("Choose the clauses or processes in scope, or tick “everything”."))
    access = AuditorAccess.objects.select_for_update().get(pk=access.pk)
    before = access.state
    access.valid_from, access.valid_until, access.all_scope = valid_from, valid_until, all_scope
    access.organisation = organisation.strip() or access.organisation
    access.audit_reference = audit_reference.strip() or access.audit_reference
    access.revoked_at, access.revoked_by, access.revoke_reason = None, None, ""
    reason = f"{'Re-opened' if before in ('revoked', 'expired') else 'Changed'}: " \
             f"{valid_from:%Y-%m-%d %H:%M} – {valid_until:%Y-%m-%d %H:%M} UTC"
    attribute(access, actor, reason)
    access.full_clean()
    access.save()
    access.clauses.set(clauses)
    access.processes.set(processes)
    record_event(actor=actor, verb="auditor_access.renewed", obj=access, from_state=before, to_state=access.state,
                 comment=f"{access.audit_reference}; {reason}")
    return access


@transaction.atomic
def revoke_access(*, actor, access: AuditorAccess, reason: str) -> AuditorAccess:
    """End an external auditor's access now, including any live session."""
    require("auditor.manage_auditor_access", actor)
    if not reason.strip():
        raise DomainError(gettext("Give a reason for revoking the access."))
    if access.revoked_at:
        raise IllegalTransition(gettext("This access is already revoked."))
    access.revoked_at = timezone.now()
    access.revoked_by = actor
    access.revoke_reason = reason.strip()
    attribute(access, actor, reason)
    access.save()
    _end_sessions(access.user_id)
    record_event(actor=actor, verb="auditor_access.revoked", obj=access, from_state="open", to_state="revoked", comment=reason)
    return access


def _end_sessions(user_id: int) -> None:
    # The authentication backend already refuses a revoked grant at the next
    # request; deleting the sessions as well leaves nothing half-open.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            session.delete()


# ------------------------------------------------------------------ evidence requests
def default_assignee():
    return get_user_model().objects.filter(is_active=True, groups__name=Role.QUALITY_MANAGER).order_by("pk").first()


@transaction.atomic
def request_evidence(*, actor, subject: str, details: str = "", page_url: str = "", assigned_to=None) -> EvidenceRequest:
    """The auditor asks; the request becomes a task for the quality manager (or an owner)."""
    require("auditor.request_evidence", actor)
    if not subject.strip():
        raise DomainError(gettext("Say what evidence you need."))
    if page_url and not is_same_site_path(page_url):
        raise DomainError(safeurls.MESSAGE)
    assignee = assigned_to or default_assignee()
    if assignee is None:
        raise DomainError(gettext("There is no quality manager to answer evidence requests."))
    req = EvidenceRequest(
        requested_by=actor, subject=subject.strip()[:200], details=details.strip(),
        page_url=page_url, assigned_to=assignee,
    )
    attribute(req, actor, "Evidence requested")
    req.save()
    record_event(actor=actor, verb="evidence_request.opened", obj=req, to_state=req.status, comment=subject)
    notify(assignee, title=said(gettext_noop("Evidence request from %(name)s"), name=actor.display_name), body=subject,
           url=req.get_absolute_url())
    return req


REVISION_REF = re.compile(r"^(?P<number>\S+)\s+(?:rev\.?|revision)\s*(?P<label>\S+)$", re.IGNORECASE)


def resolve_reference(text: str):
    """A document number, "<number> rev <label>", or a record number → (object, label, url)."""
    from documents.models import Document, Revision
    from records.models import Record

    text = text.strip()
    match = REVISION_REF.match(text)
    if match:
        rev = (
            Revision.objects.select_related("document")
            .filter(document__number__iexact=match["number"], label__iexact=match["label"])
            .first()
        )
        if rev:
            return rev, f"{rev.document.number} revision {rev.label} – {rev.document.title}", f"/documents/{rev.document.number}/"
    doc = Document.objects.filter(number__iexact=text).first()
    if doc:
        return doc, f"{doc.number} – {doc.title}", f"/documents/{doc.number}/"
    record = Record.objects.select_related("record_type").filter(number__iexact=text).first()
    if record:
        return record, f"Record {record.number} ({record.record_type.name})", f"/records/{record.number}/"
    raise DomainError(gettext("Nothing found for “%(text)s”: give a document number, “<number> rev <label>”, "
                              "or a record number.") % {"text": text})


@transaction.atomic
def answer_request(*, actor, req: EvidenceRequest, answer: str, references: list[str], files=()) -> EvidenceRequest:
    """Answer with a text and links to documents, exact revisions, records or files."""
    require("auditor.answer_evidence_request", actor, req)
    EVIDENCE_REQUEST.check(req, EvidenceRequest.Status.ANSWERED)
    resolved = [resolve_reference(r) for r in references if r.strip()]
    if not answer.strip() and not resolved and not files:
        raise DomainError(gettext("Give an answer, a reference or a file."))
    for obj, label, url in resolved:
        EvidenceLink.objects.create(
            request=req, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
            label=label, url=url, added_by=actor,
        )
    for upload in files:
        stored = store_upload(upload, folder="evidence-requests")
        EvidenceLink.objects.create(
            request=req, label=stored.original_name, file=stored.name, original_name=stored.original_name,
            sha256=stored.sha256, content_type_header=stored.content_type, added_by=actor,
        )
    if answer.strip():
        req.answer = (req.answer + "\n\n" if req.answer else "") + answer.strip()
    req.answered_by = actor
    req.answered_at = timezone.now()
    transition(req, EvidenceRequest.Status.ANSWERED, actor=actor, verb="evidence_request.answered", reason="Answered")
    notify(req.requested_by, title=said(gettext_noop("Evidence request answered: %(subject)s"), subject=req.subject),
           url=req.get_absolute_url())
    return req


@transaction.atomic
def close_request(*, actor, req: EvidenceRequest) -> EvidenceRequest:
    guard(req, EvidenceRequest.Status.CLOSED, actor=actor, rule="auditor.close_evidence_request")
    transition(req, EvidenceRequest.Status.CLOSED, actor=actor, verb="evidence_request.closed", reason="Closed")
    return req
