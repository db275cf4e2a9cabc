"""Changes to the supplier register: one keyword-only service per action, the
only code that writes. Each checks its rule once and records its audit event
in the same transaction."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qms.audit import attribute, record_event
from qms.dates import check_in_window
from qms.errors import DomainError
from qms.lifecycle import guard, transition
from qms.models import Clause
from qms.rules import require
from qms.signatures import Meaning, authenticate_signer, check_shown, sign
from qms.uploads import store_upload
from suppliers import selectors
from suppliers.lifecycles import NEEDS_EVALUATION, SIGNED, SUPPLIER
from suppliers.models import (
    SCALE_MAX,
    SCALE_MIN,
    Certificate,
    Contact,
    Criterion,
    Delivery,
    Evaluation,
    EvaluationLine,
    Supplier,
    SupplierAudit,
    weighted_score,
)

S = Supplier.Status
CERTIFICATE_TYPES = ("pdf", "png", "jpg", "jpeg")
EDITABLE = ("name", "supplies", "criticality", "scope_of_approval", "website", "address", "owner")
SIGNING_MEANING = {S.APPROVED: Meaning.APPROVED, S.DISQUALIFIED: Meaning.REJECTED}


def _next_code() -> str:
    last = Supplier.objects.select_for_update().order_by("-id").values_list("code", flat=True).first()
    n = int(last.rsplit("-", 1)[-1]) + 1 if last and last.rsplit("-", 1)[-1].isdigit() else 1
    while Supplier.objects.filter(code=f"SUP-{n:05}").exists():
        n += 1
    return f"SUP-{n:05}"


def _clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc


def _next_due(supplier: Supplier, evaluated_on: date | None) -> date | None:
    """The interval of the supplier's criticality after its last evaluation, or
    sooner when a certificate runs out before then."""
    if not evaluated_on:
        return None
    interval = evaluated_on + relativedelta(months=supplier.interval_months)
    lapse = selectors.certificate_lapse(supplier, evaluated_on)
    return min(interval, lapse) if lapse else interval


def _last_evaluated_on(supplier: Supplier) -> date | None:
    return supplier.evaluations.order_by("-evaluated_on", "-id").values_list("evaluated_on", flat=True).first()


@transaction.atomic
def supplier_create(*, actor, name: str, supplies: str, criticality: str, scope_of_approval: str = "",
                    owner=None, website: str = "", address: str = "") -> Supplier:
    """Add a prospective supplier to the register (8.4.1)."""
    require("suppliers.manage_suppliers", actor)
    supplier = Supplier(
        code=_next_code(), name=name.strip(), supplies=supplies.strip(), criticality=criticality,
        scope_of_approval=scope_of_approval.strip(), owner=owner, website=website, address=address.strip(),
        clause=Clause.objects.get(number="8.4"),
    )
    _clean(supplier)
    attribute(supplier, actor, "added to the register")
    supplier.save()
    record_event(actor=actor, verb="supplier.created", obj=supplier, to_state=supplier.status)
    return supplier


@transaction.atomic
def supplier_update(*, actor, supplier: Supplier, reason: str = "", **fields) -> Supplier:
    """Change the register's details. A new criticality moves the re-evaluation date."""
    require("suppliers.manage_suppliers", actor)
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise DomainError(_("These details cannot be changed here: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    for key, value in fields.items():
        setattr(supplier, key, value.strip() if isinstance(value, str) else value)
    _clean(supplier)
    supplier.next_evaluation_due = _next_due(supplier, _last_evaluated_on(supplier))
    attribute(supplier, actor, reason or "details changed")
    supplier.save()
    record_event(actor=actor, verb="supplier.changed", obj=supplier, comment=reason)
    return supplier


def approval_problem(supplier: Supplier, to: str) -> str | None:
    """Why `supplier` cannot become `to` for want of an evaluation, or None."""
    if to not in NEEDS_EVALUATION:
        return None
    latest = supplier.evaluations.order_by("-evaluated_on", "-id").first()
    if latest is None:
        return (_("%(code)s has no evaluation yet: evaluate it before it is %(status)s.")
                % {"code": supplier.code, "status": SUPPLIER.label(to).lower()})
    if latest.decision == Evaluation.Decision.REJECT:
        return (_("The latest evaluation of %(code)s (%(date)s) says “do not use”: evaluate it again before it is "
                  "%(status)s.") % {"code": supplier.code, "date": f"{latest.evaluated_on:%Y-%m-%d}",
                                   "status": SUPPLIER.label(to).lower()})
    if supplier.status == S.PROSPECTIVE and supplier.history.filter(status=S.DISQUALIFIED).exists():
        disqualified = supplier.history.filter(status=S.DISQUALIFIED).order_by("-history_date").first()
        if latest.created_at < disqualified.history_date:
            return _("%(code)s was disqualified since its last evaluation: evaluate it again.") % {"code": supplier.code}
    return None


def supplier_set_status(*, actor, supplier: Supplier, to: str, reason: str, password: str = "") -> Supplier:
    """Approve, approve with conditions, suspend, disqualify or reopen a
    supplier, with a reason. Approval and disqualification are signed (the
    password is checked before the transaction, so a refused attempt is
    recorded); approval needs an evaluation on file."""
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the change."))
    supplier = Supplier.objects.get(pk=supplier.pk)  # the state as it is now, not as the caller last read it
    guard(supplier, to, actor=actor, rule="suppliers.change_status")
    if to in SIGNED:
        authenticate_signer(actor, password, obj=supplier, meaning=SIGNING_MEANING[to])
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        SUPPLIER.check(supplier, to)
        problem = approval_problem(supplier, to)
        if problem:
            raise DomainError(problem)
        if to in SIGNED:
            sign(signer=actor, password=password, obj=supplier, meaning=SIGNING_MEANING[to], comment=reason.strip())
        if to == S.APPROVED:
            supplier.approved_at = timezone.now()
        return transition(supplier, to, actor=actor, verb=f"supplier.{to}", rule="suppliers.change_status",
                          reason=reason.strip(), comment=reason.strip())


@transaction.atomic
def contact_add(*, actor, supplier: Supplier, name: str, role: str = "", email: str = "", phone: str = "") -> Contact:
    require("suppliers.manage_suppliers", actor)
    contact = Contact(supplier=supplier, name=name.strip(), role=role.strip(), email=email.strip(), phone=phone.strip())
    _clean(contact)
    attribute(contact, actor, "contact added")
    contact.save()
    record_event(actor=actor, verb="supplier.contact_added", obj=supplier, comment=contact.name)
    return contact


@transaction.atomic
def certificate_add(*, actor, supplier: Supplier, standard: str, valid_until: date, number: str = "",
                    issuer: str = "", upload=None) -> Certificate:
    """A certificate the supplier holds, its file stored as evidence (hashed, type-checked)."""
    require("suppliers.manage_suppliers", actor)
    check_in_window(valid_until, _("The expiry date"))
    cert = Certificate(supplier=supplier, standard=standard.strip(), number=number.strip(), issuer=issuer.strip(),
                       valid_until=valid_until, uploaded_by=actor)
    if upload is not None:
        try:
            stored = store_upload(upload, folder=f"suppliers/{supplier.pk}", allowed=CERTIFICATE_TYPES)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        cert.file, cert.original_name, cert.size = stored.name, stored.original_name, stored.size
        cert.sha256, cert.content_type = stored.sha256, stored.content_type
    _clean(cert)
    attribute(cert, actor, "certificate added")
    cert.save()
    record_event(actor=actor, verb="supplier.certificate_added", obj=supplier,
                 comment=f"{cert.standard} valid until {valid_until:%Y-%m-%d}")
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    due = _next_due(supplier, _last_evaluated_on(supplier))
    if due != supplier.next_evaluation_due:
        supplier.next_evaluation_due = due
        attribute(supplier, actor, f"re-evaluation due {due:%Y-%m-%d}: {cert.standard} certificate expiry"
                  if due else "re-evaluation date recalculated")
        supplier.save(update_fields=["next_evaluation_due"])
    return cert


@transaction.atomic
def criterion_save(*, actor, criterion: Criterion) -> Criterion:
    """Add or change an evaluation criterion; evaluations keep the name and weight they used."""
    require("suppliers.configure_criteria", actor)
    if criterion.weight is None or not 1 <= criterion.weight <= 100:
        raise DomainError(_("A weight is a whole number from 1 to 100."))
    _clean(criterion)
    attribute(criterion, actor, "criterion saved")
    criterion.save()
    record_event(actor=actor, verb="supplier.criterion_saved", obj=criterion)
    return criterion


def _check_scores(criteria: list[Criterion], scores: dict) -> list[tuple[Criterion, int]]:
    if not criteria:
        raise DomainError(_("No evaluation criteria are set: the quality manager sets them first."))
    out = []
    for c in criteria:
        value = scores.get(c.pk)
        if value is None:
            raise DomainError(_("Score “%(name)s”.") % {"name": c.name})
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise DomainError(_("The score for “%(name)s” must be a whole number.") % {"name": c.name}) from None
        if not SCALE_MIN <= value <= SCALE_MAX:
            raise DomainError(_("The score for “%(name)s” is %(value)s: scores run from %(low)s to %(high)s.")
                              % {"name": c.name, "value": value, "low": SCALE_MIN, "high": SCALE_MAX})
        out.append((c, value))
    unknown = set(scores) - {c.pk for c in criteria}
    if unknown:
        raise DomainError(_("A score names a criterion that is not in use."))
    return out


def evaluation_create(*, actor, supplier: Supplier, kind: str, evaluated_on: date, scores: dict, decision: str,
                      password: str, comment: str = "") -> Evaluation:
    """Record a signed evaluation (8.4.1): every active criterion scored on the
    scale, the weighted total computed, the re-evaluation date set by criticality."""
    require("suppliers.evaluate", actor, supplier)
    authenticate_signer(actor, password, obj=supplier, meaning=Meaning.REVIEWED)
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        check_shown(supplier)  # the signing form showed this supplier as it is now (qms.signatures)
        check_in_window(evaluated_on, _("The evaluation date"))
        if evaluated_on > timezone.localdate():
            raise DomainError(_("The evaluation date is in the future: record an evaluation once it is done."))
        if decision not in Evaluation.Decision.values or kind not in Evaluation.Kind.values:
            raise DomainError(_("Choose the kind of evaluation and its decision."))
        has_any = supplier.evaluations.exists()
        if kind == Evaluation.Kind.INITIAL and has_any:
            raise DomainError(_("%(code)s has been evaluated before: this is a periodic evaluation.") % {"code": supplier.code})
        if kind == Evaluation.Kind.PERIODIC and not has_any:
            raise DomainError(_("%(code)s has no evaluation yet: the first one is the initial evaluation.") % {"code": supplier.code})
        lines = _check_scores(list(Criterion.objects.filter(is_active=True)), scores)
        evaluation = Evaluation(
            supplier=supplier, kind=kind, evaluated_on=evaluated_on, decision=decision, comment=comment.strip(),
            score=weighted_score([(c.weight, s) for c, s in lines]), evaluated_by=actor,
        )
        attribute(evaluation, actor, f"{kind} evaluation")
        evaluation.save()
        EvaluationLine.objects.bulk_create([
            EvaluationLine(evaluation=evaluation, criterion=c, criterion_name=c.name, weight=c.weight, score=s)
            for c, s in lines
        ])
        sign(signer=actor, password=password, obj=evaluation, meaning=Meaning.REVIEWED, comment=comment)
        latest = supplier.evaluations.order_by("-evaluated_on", "-id").first()
        supplier.last_score = latest.score
        supplier.next_evaluation_due = _next_due(supplier, latest.evaluated_on)
        attribute(supplier, actor, f"evaluated: {evaluation.score}")
        supplier.save()
        record_event(actor=actor, verb="supplier.evaluated", obj=supplier, comment=comment,
                     data={"score": str(evaluation.score), "kind": kind, "decision": decision})
        return evaluation


@transaction.atomic
def delivery_enter(*, actor, supplier: Supplier, month: date, delivered: int, on_time: int) -> Delivery:
    """Deliveries received in a month and how many were on time (a month entered again is corrected)."""
    require("suppliers.enter_deliveries", actor, supplier)
    month = month.replace(day=1)
    check_in_window(month, _("The month"))
    if month > timezone.localdate():
        raise DomainError(_("That month has not started yet."))
    if delivered is None or delivered < 1:
        raise DomainError(_("Enter at least one delivery for the month."))
    if on_time is None or not 0 <= on_time <= delivered:
        raise DomainError(_("On-time deliveries must be between 0 and the number delivered."))
    row = Delivery.objects.filter(supplier=supplier, month=month).first() or Delivery(supplier=supplier, month=month)
    row.delivered, row.on_time, row.entered_by, row.entered_at = delivered, on_time, actor, timezone.now()
    attribute(row, actor, "delivery figures entered")
    row.save()
    record_event(actor=actor, verb="supplier.delivery_entered", obj=supplier,
                 comment=f"{month:%Y-%m}: {on_time} of {delivered} on time")
    return row


def supplier_raise_capa(*, actor, supplier: Supplier, title: str, description: str, severity: str = "minor",
                        owner=None, due_date=None):
    """A nonconformity against the supplier: a CAPA with source "supplier" linked back here."""
    from audits.services import capa_raise

    require("suppliers.raise_capa", actor, supplier)
    return capa_raise(actor=actor, source="supplier", title=title, description=description, severity=severity,
                      owner=owner or supplier.owner or actor, clause=Clause.objects.filter(number="8.4.1").first(),
                      due_date=due_date, origin=supplier)


@transaction.atomic
def supplier_link_audit(*, actor, supplier: Supplier, audit) -> SupplierAudit:
    """Link a supplier audit (audit type "supplier") to the supplier it audits (8.4.2)."""
    require("suppliers.manage_suppliers", actor)
    if audit.audit_type != "supplier":
        raise DomainError(_("%(number)s is not a supplier audit: only audits of type “supplier” are linked here.")
                          % {"number": audit.number})
    if SupplierAudit.objects.filter(supplier=supplier, audit=audit).exists():
        raise DomainError(_("%(number)s is already linked to %(code)s.") % {"number": audit.number, "code": supplier.code})
    link = SupplierAudit(supplier=supplier, audit=audit, linked_by=actor)
    attribute(link, actor, "supplier audit linked")
    link.save()
    record_event(actor=actor, verb="supplier.audit_linked", obj=supplier, comment=audit.number)
    return link
