"""Who may do what with controlled documents: this app's rules, registered with qms.rules.

Each rule is named `documents.<action>`; services `require()` it once, views and
templates ask `allowed()` / `{% can %}`. The refusal message sits beside the rule.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents.models import Revision
from documents.selectors import is_distributed, is_route_signer, open_signer_entries
from qms import scope
from qms.permissions import (
    Role,
    can_read_everything,
    can_view_aggregates,
    can_write,
    has_a_role,
    has_role,
    is_quality_manager,
    roles,
)
from qms.rules import predicate, rule

S = Revision.Status


@predicate
def can_print_revision(user, revision) -> bool:
    """Effective revisions: anyone with a role. Drafts, approved, superseded and
    obsolete ones: the quality manager, auditors, the document owner, the
    revision's author and approvers (the documents app may narrow approvers to
    the route's signers)."""
    if not roles(user):
        return False
    if revision.status == S.EFFECTIVE:
        return True
    return (
        can_read_everything(user)
        or revision.document.owner_id == user.pk
        or revision.created_by_id == user.pk
        or has_role(user, Role.APPROVER)
    )


@predicate
def can_view_manual(user) -> bool:
    """The manual builds page and their downloads: quality manager and auditors
    (not an external auditor with a limited grant: the manual holds every clause)."""
    return can_view_aggregates(user)


@predicate
def can_build_manual(user) -> bool:
    return is_quality_manager(user) and can_write(user)


can_view_documents = has_a_role


@predicate
def can_view_drafts(user, document=None) -> bool:
    if not can_view_documents(user):
        return False
    if can_read_everything(user) or has_role(user, Role.AUTHOR, Role.APPROVER):
        return True
    return document is not None and document.owner_id == user.pk


@predicate
def can_view_document(user, document) -> bool:
    return (
        can_view_documents(user)
        and (bool(document.effective_revision_id) or can_view_drafts(user, document))
        and scope.contains(user, document)
    )


@predicate
def can_view_revision(user, revision) -> bool:
    """Effective: every reader. Others: draft readers, and anyone named on its route."""
    if not scope.contains(user, revision.document):
        return False
    if revision.status == S.EFFECTIVE:
        return can_view_documents(user)
    if can_view_drafts(user, revision.document):
        return True
    return can_view_documents(user) and is_route_signer(user, revision)


@predicate
def can_export_register(user) -> bool:
    return can_view_documents(user)


@predicate
def can_create_document(user) -> bool:
    return can_write(user) and has_role(user, Role.QUALITY_MANAGER, Role.AUTHOR)


@predicate
def can_assign_number(user) -> bool:
    """Choosing a number by hand (e.g. migrating legacy documents): quality manager only."""
    return can_write(user) and is_quality_manager(user)


def _is_owner_or_qm(user, document) -> bool:
    return document.owner_id == user.pk or is_quality_manager(user)


@predicate
def can_edit_revision(user, revision) -> bool:
    """Only drafts are editable (approved content is frozen), by their author, the owner or the QM."""
    return (
        can_write(user)
        and revision.status == S.DRAFT
        and (revision.created_by_id == user.pk or _is_owner_or_qm(user, revision.document))
    )


@predicate
def can_submit_revision(user, revision) -> bool:
    return can_edit_revision(user, revision)


@predicate
def can_start_revision(user, document) -> bool:
    return (
        can_write(user)
        and bool(document.effective_revision_id)
        and (has_role(user, Role.AUTHOR) or _is_owner_or_qm(user, document))
    )


@predicate
def can_manage_route(user, revision) -> bool:
    """Add signers while the route runs: the revision's author, the owner or the QM."""
    return (
        can_write(user)
        and revision.status == S.IN_REVIEW
        and (revision.created_by_id == user.pk or _is_owner_or_qm(user, revision.document))
    )


@predicate
def can_approve(user) -> bool:
    """Who may hold an approval step (DOC-02): approvers and the quality manager."""
    return can_write(user) and has_role(user, Role.APPROVER, Role.QUALITY_MANAGER)


@predicate
def is_author(user, revision) -> bool:
    return revision is not None and revision.created_by_id == user.pk


@predicate
def can_sign_revision(user, revision) -> bool:
    """A signer on the revision's active step who has not decided yet (DOC-04: never the author on approval)."""
    if not can_write(user) or revision.status != S.IN_REVIEW:
        return False
    return bool(open_signer_entries(user, revision))


@predicate
def can_make_obsolete(user, document) -> bool:
    return can_write(user) and bool(document.effective_revision_id) and _is_owner_or_qm(user, document)


@predicate
def can_review_document(user, document) -> bool:
    """Periodic review (DOC-14): the owner or the quality manager."""
    return can_write(user) and bool(document.effective_revision_id) and _is_owner_or_qm(user, document)


@predicate
def can_acknowledge(user, document=None) -> bool:
    return can_write(user) and can_view_documents(user)


@predicate
def can_view_acknowledgements(user, document) -> bool:
    return can_read_everything(user) or has_role(user, Role.APPROVER) or document.owner_id == user.pk


@predicate
def is_on_distribution(user, document) -> bool:
    return document is not None and is_distributed(user, document)


# Who may open the compare page of a document (which revisions: documents.compare_pair).
can_compare_revisions = can_view_document & (can_view_drafts | is_on_distribution)

UNRELEASED = (S.DRAFT, S.IN_REVIEW, S.APPROVED)


def can_read_to_compare(user, revision) -> bool:
    """A revision one may put in a redline: one they may read, and for staff also the
    superseded revisions of a document they are distributed (what they read before)."""
    if can_view_revision(user, revision):
        return True
    return (
        revision.status == S.SUPERSEDED
        and can_view_documents(user)
        and scope.contains(user, revision.document)
        and is_distributed(user, revision.document)
    )


@predicate
def can_compare_pair(user, pair) -> bool:
    """A redline of two revisions (selectors.RevisionPair): for anyone who may read both."""
    return (
        pair is not None
        and pair.a.document_id == pair.b.document_id
        and can_read_to_compare(user, pair.a)
        and can_read_to_compare(user, pair.b)
    )


def _compare_pair_refusal(user, pair) -> str:
    """Why this redline is refused: the first revision of the two the user may not read."""
    if user is None or pair is None:
        return gettext("A redline is for those who may read both revisions.")
    for r in (pair.a, pair.b):
        if can_read_to_compare(user, r):
            continue
        if not scope.contains(user, r.document):
            return gettext("%(number)s is outside the part of the system your audit access covers.") % {
                "number": r.document.number}
        if r.status == S.SUPERSEDED:
            return gettext("Revision %(revision)s is superseded: staff compare earlier revisions only of "
                           "documents distributed to them.") % {"revision": r.label}
        if r.status in UNRELEASED:
            return gettext("Revision %(revision)s is not released: drafts are compared by authors, approvers, "
                           "the quality manager and auditors.") % {"revision": r.label}
        return gettext("You cannot read revision %(revision)s, so you cannot compare it.") % {"revision": r.label}
    return gettext("These two revisions belong to different documents.")


@predicate
def is_obsolete(user, document) -> bool:
    """Withdrawn: `document_make_obsolete` (which needs a reason) is the only
    writer of `obsolete_reason`, and nothing brings an obsolete document back."""
    return bool(document.obsolete_reason)


@predicate
def can_edit_document(user, document) -> bool:
    """Metadata (title, owner, clauses, distribution, review interval): owner or QM."""
    return can_write(user) and _is_owner_or_qm(user, document)


# ------------------------------------------------------------------ the rules, with their messages
rule("documents.print_revision", can_print_revision, _("You cannot print this revision."))
rule("documents.view_manual", can_view_manual, _("Only the quality manager and auditors with a grant over the whole system can see the quality manual."))
rule("documents.build_manual", can_build_manual, _("Only the quality manager can build the quality manual."))
rule("documents.view_documents", can_view_documents, _("You cannot view documents."))
rule("documents.view_drafts", can_view_drafts, _("Editable source files are for authors and approvers."))
rule("documents.view_document", can_view_document, _("You cannot view this document."))
rule("documents.view_revision", can_view_revision, _("You cannot view this revision."))
rule("documents.export_register", can_export_register, _("You cannot export the register."))
rule("documents.create_document", can_create_document, _("You cannot create documents."))
rule("documents.assign_number", can_assign_number, _("Only the quality manager can choose a document number."))
rule("documents.edit_revision", can_edit_revision, _("You cannot edit this draft."))
rule("documents.submit_revision", can_submit_revision, _("You cannot submit this revision."))
rule("documents.start_revision", can_start_revision, _("You cannot start a new revision of this document."))
rule("documents.manage_route", can_manage_route, _("Only the author, the owner or the quality manager can change this route, while it runs."))
rule("documents.approve", can_approve, _("Only approvers and the quality manager hold an approval step."))
rule("documents.preview_markdown", can_write & can_view_drafts, _("You cannot author documents."))
rule("documents.hold_approval_step", can_approve & ~is_author,
     lambda user, revision: gettext("The author may not approve their own revision.") if is_author(user, revision)
     else gettext("%(name)s does not hold the Approver role and cannot approve.") % {"name": user.display_name})
rule("documents.release_early", can_write & is_quality_manager, _("Only the quality manager can release a revision early."))
rule("documents.sign_revision", can_sign_revision,
     lambda user, revision: gettext("The author may not approve their own revision.")
     if revision is not None and user is not None and revision.created_by_id == user.pk
     else gettext("You are not a signer on the current step of this revision, or you have already decided."))
rule("documents.make_obsolete", can_make_obsolete, _("Only the owner or the quality manager can make this document obsolete."))
rule("documents.review_document", can_review_document, _("Only the owner or the quality manager can review this document."))
rule("documents.acknowledge", can_acknowledge, _("This account cannot acknowledge documents."))
rule("documents.view_acknowledgements", can_view_acknowledgements, _("You cannot see who has read this document."))
rule("documents.compare_revisions", can_compare_revisions,
     _("Comparing revisions is for authors, approvers, the quality manager, auditors and the staff a document is distributed to."))
rule("documents.compare_pair", can_compare_pair, _compare_pair_refusal)
# Issue 10: an obsolete document's details are part of its withdrawn record (ISO 9001 7.5.3.2): frozen.
rule("documents.edit_document", can_edit_document & ~is_obsolete,
     lambda user, document: gettext("%(number)s is obsolete: its details no longer change.") % {"number": document.number}
     if document is not None and is_obsolete(user, document)
     else gettext("Only the owner or the quality manager can change this document's details."))
