"""Writes for quality records. One service per transition; nothing else sets
`Record.status`. Each service checks permissions (qms.permissions), writes an
AuditEvent in its own transaction and attributes history (who and why).

Lock on submit (ISO 9001 7.5.3.2): after submission the values change only
through `record_amend` (with a reason, old values kept) or `record_dispose`;
on PostgreSQL a trigger refuses every other change (migration 0004).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from qms import bulk, qualifications, references
from qms.audit import attribute, record_event
from qms.concurrency import Stamp, check_unchanged
from qms.errors import DomainError, IllegalTransition, PermissionRefused
from qms.lifecycle import transition
from qms.models import User
from qms.rules import require
from qms.signatures import Meaning, authenticate_signer, check_shown, sign
from qms.uploads import store_upload
from records import staging
from records.form_rules import check_rules
from records.forms import KEY_RE, build_record_form, display_value, values_as_data
from records.lifecycles import RECORD
from records.models import (
    FIELD_TYPE_LABELS,
    NUMBER_MAX_LENGTH,
    Amendment,
    Evidence,
    FormVersion,
    Record,
    RecordType,
    numbering_problem,
)
from records.rules import check_editable, disposal_refusal

EVIDENCE_TYPES = ("pdf", "png", "jpg", "jpeg", "docx", "xlsx", "odt", "ods", "csv", "txt")


class RecordValidationError(DomainError):
    """Values that the record's form refuses; `errors` maps field key to messages."""

    status_code = 400

    def __init__(self, errors: dict):
        self.errors = errors
        first = next(iter(errors.items()), ("", ["Invalid values."]))
        super().__init__(f"{first[0] or 'Record'}: {first[1][0]}" if first[0] else first[1][0])


def _db_path(path: str) -> None:
    """Mark this transaction as the amendment or disposition path for the lock trigger."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('qms.records_path', %s, true)", [path])


# ------------------------------------------------------------------ record types
def validate_definitions(defs: list[dict]) -> None:
    keys = set()
    if not defs:
        raise DomainError(gettext("A form needs at least one field."))
    for d in defs:
        if d.get("type") not in FIELD_TYPE_LABELS:
            raise DomainError(gettext("Unknown field type %(type)s.") % {"type": repr(d.get("type"))})
        if not d.get("label"):
            raise DomainError(gettext("Every field needs a label."))
        if not KEY_RE.match(d.get("key") or "") or d["key"] in keys:
            raise DomainError(gettext("Field key %(key)s is missing or repeated.") % {"key": repr(d.get("key"))})
        if d["type"] in ("choice", "multichoice") and len(d.get("choices") or []) < 2:
            raise DomainError(gettext("“%(label)s” needs at least two choices.") % {"label": d["label"]})
        if d["type"] == "reference" and references.get(d.get("ref_kind") or "") is None:
            raise DomainError(gettext("“%(label)s” must say what it refers to.") % {"label": d["label"]})
        keys.add(d["key"])


@transaction.atomic
def record_type_save(*, actor, record_type: RecordType, clauses=None, reason: str = "") -> RecordType:
    """Create or change a record type's settings (quality manager only)."""
    require("records.configure_record_types", actor)
    created = record_type.pk is None
    record_type.full_clean()
    attribute(record_type, actor, reason or ("created" if created else "settings changed"))
    record_type.save()
    if clauses is not None:
        record_type.clauses.set(clauses)
    record_event(actor=actor, verb="recordtype.created" if created else "recordtype.changed", obj=record_type,
                 comment=reason)
    return record_type


def current_form_version(record_type: RecordType) -> FormVersion | None:
    return record_type.form_versions.order_by("-version").first()


@transaction.atomic
def form_version_create(*, actor, record_type: RecordType, fields: list[dict], note: str = "",
                        rules: list[dict] | None = None) -> FormVersion:
    """Every edit of a type's fields (or cross-field rules) makes a new form
    version; records made under older versions keep (and render with) theirs."""
    require("records.configure_record_types", actor)
    validate_definitions(fields)
    rules = check_rules(fields, rules or [])  # a rule naming a field the form lacks is refused
    RecordType.objects.select_for_update().filter(pk=record_type.pk).first()  # serialise version numbers
    current = current_form_version(record_type)
    if current is not None and current.fields == fields and (current.rules or []) == rules:
        raise DomainError(gettext("The fields are unchanged: no new form version was made."))
    version = FormVersion(
        record_type=record_type, version=(current.version + 1 if current else 1), fields=fields, rules=rules,
        note=note.strip()[:300], created_by=actor if getattr(actor, "pk", None) else None,
    )
    attribute(version, actor, note or "form edited")
    version.save()
    record_event(actor=actor, verb="recordtype.form_version", obj=record_type, to_state=f"v{version.version}",
                 comment=note)
    return version


# ------------------------------------------------------------------ values
def _existing_file_keys(record: Record | None) -> set[str]:
    if record is None or record.pk is None:
        return set()
    return set(record.evidence.filter(superseded_at__isnull=True).exclude(field_key="").values_list("field_key", flat=True))


def validate_values(form_version: FormVersion, values: dict, *, for_draft: bool, existing_files=frozenset(),
                    kept: dict | None = None) -> dict:
    """Run stored values through the record form: the same checks as the browser form.
    `kept`: the values the record already holds (a correction may keep a
    reference that could not be chosen on a new record now)."""
    form = build_record_form(form_version, values_as_data(form_version, values), {}, for_draft=for_draft,
                             existing_files=set(existing_files), skip_files=True, kept=kept)
    unknown = set(values or {}) - {d["key"] for d in form_version.fields}
    if unknown:
        raise RecordValidationError({k: [gettext("This field is not on the form.")] for k in sorted(unknown)})
    if not form.is_valid():
        raise RecordValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    if not for_draft:
        missing = [d for d in form_version.fields
                   if d["type"] == "file" and d.get("required") and d["key"] not in existing_files]
        if missing:
            raise RecordValidationError({missing[0]["key"]: [gettext("“%(label)s” needs a file.") % {"label": missing[0]["label"]}]})
    return form.json_values()


def search_text(record: Record) -> str:
    """Flattened values for full-text search (labels are left out on purpose)."""
    users = {}
    user_ids = [v for d in record.form_version.fields if d["type"] == "user"
                for v in [record.values.get(d["key"])] if v]
    if user_ids:
        users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    parts = [record.number]
    for d in record.form_version.fields:
        value = record.values.get(d["key"])
        if value in (None, "", []) or d["type"] == "checkbox":
            continue
        parts.append(display_value(d, value, users))
    return "\n".join(parts)[:100000]


def _effective_form_revision(record_type: RecordType):
    if not record_type.form_document_id:
        return None
    from documents.models import Revision

    return Revision.objects.filter(document_id=record_type.form_document_id, status="effective").first()


def _next_number(record_type: RecordType, now) -> str:
    RecordType.objects.select_for_update().filter(pk=record_type.pk).first()  # one numberer at a time per type
    seq = Record.objects.filter(record_type=record_type, created_at__year=now.year).count() + 1
    while True:
        try:
            number = record_type.numbering_pattern.format(code=record_type.code, year=now.year, seq=seq)
        except (KeyError, IndexError, ValueError, TypeError):
            number = ""
        if not (0 < len(number) <= NUMBER_MAX_LENGTH):
            # A pattern saved before patterns were checked by their longest number.
            problem = numbering_problem(record_type.numbering_pattern, record_type.code) or gettext("no number")
            raise DomainError(gettext("The numbering pattern of record type %(type)s (%(pattern)s) cannot number "
                                      "this record: %(problem)s. Ask the quality manager to correct it.")
                              % {"type": record_type.code, "pattern": record_type.numbering_pattern, "problem": problem})
        if not Record.objects.filter(number=number).exists():
            return number
        seq += 1


# ------------------------------------------------------------------ drafts and submission
def editable_content(record: Record) -> dict:
    """What a draft or amendment form is opened on; a change to it meanwhile is a conflict."""
    return {"values": record.values or {}}


def _check_opened(record: Record, opened: Stamp | None, action: str) -> None:
    check_unchanged(opened, editable_content(record), what=f"Record {record.number}", action=action,
                    labels=record.content_labels())


def _store_evidence(*, actor, record: Record, uploads, field_key: str = "") -> list[Evidence]:
    out = []
    for upload in uploads:
        try:
            stored = store_upload(upload, folder=f"records/{record.pk}", allowed=EVIDENCE_TYPES)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        ev = Evidence(
            record=record, field_key=field_key, file=stored.name, original_name=stored.original_name,
            size=stored.size, sha256=stored.sha256, content_type=stored.content_type, uploaded_by=actor,
        )
        attribute(ev, actor, "evidence added")
        ev.save()
        out.append(ev)
    return out


@transaction.atomic
def record_create(*, actor, record_type: RecordType, values: dict, field_files: dict | None = None,
                  evidence=(), submit: bool = False, staged=()) -> Record:
    """Create a draft under the type's current form version (and submit it if asked)."""
    require("records.create_record", actor, record_type)
    form_version = current_form_version(record_type)
    if form_version is None:
        raise DomainError(gettext("This record type has no form yet."))
    clean = validate_values(form_version, values, for_draft=True)
    now = timezone.now()
    record = Record(
        number=_next_number(record_type, now), record_type=record_type, form_version=form_version,
        form_revision=_effective_form_revision(record_type), values=clean, created_by=actor, created_at=now,
    )
    record.search_text = search_text(record)
    attribute(record, actor, "draft created")
    record.save()
    for key, upload in (field_files or {}).items():
        _store_evidence(actor=actor, record=record, uploads=[upload], field_key=key)
    _store_evidence(actor=actor, record=record, uploads=evidence)
    staging.attach(actor=actor, record=record, staged=staged)  # files kept across a form error
    record_event(actor=actor, verb="record.created", obj=record, to_state=record.status)
    if submit:
        record = record_submit(actor=actor, record=record)
    return record


@transaction.atomic
def record_update_draft(*, actor, record: Record, values: dict, field_files: dict | None = None,
                        evidence=(), opened: Stamp | None = None, staged=()) -> Record:
    """Change a draft's values. A submitted record is locked: use an amendment.

    `opened` is the stamp of the values the form showed: if the draft changed
    since (another tab), nothing is saved and EditConflict says what changed.
    `staged` are evidence files kept from a refused earlier post (records.staging)."""
    record = Record.objects.select_for_update().select_related("form_version", "record_type").get(pk=record.pk)
    check_editable(record)
    require("records.edit_record", actor, record)
    _check_opened(record, opened, "your changes were not saved (they are still in the form below)")
    record.values = validate_values(record.form_version, values, for_draft=True)
    record.search_text = search_text(record)
    attribute(record, actor, "draft saved")
    record.save()
    for key, upload in (field_files or {}).items():
        _store_evidence(actor=actor, record=record, uploads=[upload], field_key=key)
    _store_evidence(actor=actor, record=record, uploads=evidence)
    staging.attach(actor=actor, record=record, staged=staged)
    return record


@transaction.atomic
def record_save(*, actor, record_type: RecordType, record: Record | None = None, values: dict,
                field_files: dict | None = None, evidence=(), staged=(), opened: Stamp | None = None,
                submit: bool = False) -> Record:
    """What the record form's Save and Submit do: create the record (under
    `record_type`) or save the draft's values, then submit it when asked, all
    in one transaction: a refused submission leaves the draft as it was, as a
    refused new record leaves nothing."""
    if record is None:
        return record_create(actor=actor, record_type=record_type, values=values, field_files=field_files,
                             evidence=evidence, submit=submit, staged=staged)
    record = record_update_draft(actor=actor, record=record, values=values, field_files=field_files,
                                 evidence=evidence, opened=opened, staged=staged)
    return record_submit(actor=actor, record=record) if submit else record


@transaction.atomic
def record_submit(*, actor, record: Record) -> Record:
    """Submit a draft: full validation, then the record is locked. Sets retain-until."""
    record = Record.objects.select_for_update().select_related("form_version", "record_type").get(pk=record.pk)
    RECORD.check(record, Record.Status.SUBMITTED)
    require("records.submit_record", actor, record)
    # Who may do this? A type may require a current competence of its submitter (qms.qualifications).
    qualifications.require(actor, "records.submit", obj=record.record_type)
    record.values = validate_values(record.form_version, record.values, for_draft=False,
                                    existing_files=_existing_file_keys(record))
    now = timezone.now()
    record.submitted_at = now
    record.submitted_by = actor
    record.retain_until = record.record_type.retain_until_from(timezone.localdate(now))
    record.search_text = search_text(record)
    transition(record, Record.Status.SUBMITTED, actor=actor, verb="record.submitted", reason="submitted")
    return record


@transaction.atomic
def evidence_add(*, actor, record: Record, uploads, field_key: str = "") -> list[Evidence]:
    """Add evidence files. Evidence is only ever added, never replaced."""
    record = Record.objects.select_for_update().get(pk=record.pk)
    require("records.add_evidence", actor, record)
    if not uploads:
        raise DomainError(gettext("Choose at least one file."))
    added = _store_evidence(actor=actor, record=record, uploads=uploads, field_key=field_key)
    record_event(actor=actor, verb="record.evidence_added", obj=record,
                 comment=", ".join(e.original_name for e in added), data={"sha256": [e.sha256 for e in added]})
    return added


@transaction.atomic
def evidence_supersede(*, actor, evidence: Evidence, reason: str) -> Evidence:
    """Mark an evidence file superseded with a reason; the file stays."""
    evidence = Evidence.objects.select_for_update().select_related("record").get(pk=evidence.pk)
    require("records.supersede_evidence", actor, evidence)
    if evidence.superseded_at:
        raise IllegalTransition(gettext("This file is already superseded."))
    if not (reason or "").strip():
        raise DomainError(gettext("Give a reason for marking the file superseded."))
    evidence.superseded_at = timezone.now()
    evidence.superseded_by = actor
    evidence.superseded_reason = reason.strip()
    attribute(evidence, actor, reason)
    evidence.save()
    record_event(actor=actor, verb="record.evidence_superseded", obj=evidence.record,
                 comment=f"{evidence.original_name}: {reason.strip()}")
    return evidence


# ------------------------------------------------------------------ verification and amendment
def record_verify(*, actor, record: Record, password: str, comment: str = "") -> Record:
    """Second-person verification with an electronic signature (meaning "verified")."""
    record = Record.objects.select_related("record_type", "form_version").get(pk=record.pk)
    if record.created_by_id == actor.pk or record.submitted_by_id == actor.pk:
        raise PermissionRefused(gettext("You submitted this record: a second person must verify it."))
    if record.status != Record.Status.SUBMITTED:
        raise IllegalTransition(gettext("Only a submitted record can be verified."))
    if not record.record_type.verification_required:
        raise DomainError(gettext("This record type does not ask for verification."))
    if record.verified_at:
        raise IllegalTransition(gettext("This record is already verified."))
    require("records.verify_record", actor, record)
    authenticate_signer(actor, password, obj=record, meaning=Meaning.VERIFIED)  # refused attempts stay recorded
    with transaction.atomic():
        record = Record.objects.select_for_update().select_related("record_type", "form_version").get(pk=record.pk)
        if record.verified_at:
            raise IllegalTransition(gettext("This record is already verified."))
        sign(signer=actor, password=password, obj=record, meaning=Meaning.VERIFIED, comment=comment)
        record.verified_at = timezone.now()
        record.verified_by = actor
        attribute(record, actor, comment or "verified")
        record.save()
        record_event(actor=actor, verb="record.verified", obj=record, from_state="unverified", to_state="verified",
                     comment=comment)
    return record


@transaction.atomic
def record_amend(*, actor, record: Record, values: dict, reason: str, opened: Stamp | None = None) -> Amendment:
    """Correct a submitted record: a new amendment keeps the old values with
    who, when and why. A verified record goes back to unverified (its values
    changed since the verifier signed).

    `opened` is the stamp of the values the amendment form showed: when the
    record was amended meanwhile the amendment is refused (EditConflict says
    what changed), so a stale form never reverts someone else's correction.
    Only the fields the user changed from what the form showed are changed."""
    record = Record.objects.select_for_update().select_related("record_type", "form_version").get(pk=record.pk)
    if record.status != Record.Status.SUBMITTED:
        raise IllegalTransition(gettext("Only a submitted record is corrected by an amendment."))
    require("records.amend_record", actor, record)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(gettext("An amendment needs a reason."))
    _check_opened(record, opened, "your amendment was not saved (it is still in the form below)")
    new = validate_values(record.form_version, values, for_draft=False, existing_files=_existing_file_keys(record),
                          kept=record.values)
    old = record.values or {}
    base = (opened.content or {}).get("values", old) if opened is not None and opened.content else old
    changed = sorted(k for k in set(base) | set(new) if base.get(k) != new.get(k) and old.get(k) != new.get(k))
    merged = dict(old)
    for k in changed:
        if k in new:
            merged[k] = new[k]
        else:
            merged.pop(k, None)
    new = merged
    if not changed:
        raise DomainError(gettext("Nothing changed: an amendment needs at least one corrected value."))
    amendment = Amendment.objects.create(
        record=record, seq=record.amendment_count + 1, reason=reason, amended_by=actor,
        old_values={k: old.get(k) for k in changed}, new_values={k: new.get(k) for k in changed},
    )
    was_verified = record.verified_at is not None
    _db_path("amend")
    record.values = new
    record.amendment_count = amendment.seq
    record.search_text = search_text(record)
    if was_verified:
        record.verified_at = None
        record.verified_by = None
    attribute(record, actor, f"amendment {amendment.seq}: {reason}")
    record.save()
    _db_path("")
    record_event(actor=actor, verb="record.amended", obj=record, to_state=f"amended v{amendment.seq}",
                 comment=reason, data={"fields": changed, "verification_reset": was_verified})
    return amendment


# ------------------------------------------------------------------ void, hold, disposition
@transaction.atomic
def record_void(*, actor, record: Record, reason: str) -> Record:
    """Void with a reason. The record stays visible (flagged) to the quality
    manager and auditors; nothing is deleted."""
    record = Record.objects.select_for_update().select_related("record_type").get(pk=record.pk)
    if not (reason or "").strip():
        raise DomainError(gettext("Voiding needs a reason."))
    RECORD.check(record, Record.Status.VOID)
    require("records.void_record", actor, record)
    now = timezone.now()
    record.voided_at = now
    record.voided_by = actor
    record.void_reason = reason.strip()
    if record.retain_until is None:
        record.retain_until = record.record_type.retain_until_from(timezone.localdate(record.created_at))
    transition(record, Record.Status.VOID, actor=actor, verb="record.voided", reason=reason, comment=reason)
    return record


@transaction.atomic
def record_set_legal_hold(*, actor, record: Record, hold: bool, reason: str) -> Record:
    """Put on or lift a legal hold; while held the record cannot be disposed."""
    record = Record.objects.select_for_update().get(pk=record.pk)
    require("records.set_legal_hold", actor, record)
    if not (reason or "").strip():
        raise DomainError(gettext("Give a reason for the legal hold change."))
    if record.legal_hold == hold:
        raise DomainError(gettext("The legal hold is already on.") if hold else gettext("The legal hold is already off."))
    if record.status == Record.Status.DISPOSED:
        raise IllegalTransition(gettext("A disposed record cannot be held."))
    record.legal_hold = hold
    record.legal_hold_reason = reason.strip()
    attribute(record, actor, reason)
    record.save()
    record_event(actor=actor, verb="record.legal_hold_on" if hold else "record.legal_hold_off", obj=record,
                 comment=reason)
    return record


def record_dispose(*, actor, record: Record, password: str, reason: str) -> Record:
    """Disposition after retention (ISO 9001 7.5.3.2d): approved by the quality
    manager with a signature; removes field values and evidence files and
    leaves a tombstone (number, type, dates, who, why) and the audit trail."""
    record = Record.objects.select_related("record_type", "form_version").get(pk=record.pk)
    require("records.approve_disposition", actor, record)
    _check_disposable(record, reason)
    authenticate_signer(actor, password, obj=record, meaning=Meaning.DISPOSED)
    with transaction.atomic():
        record = Record.objects.select_for_update().select_related("record_type", "form_version").get(pk=record.pk)
        _check_disposable(record, reason)
        check_shown(record)  # the signature covers the tombstone; the QM saw the values
        files = list(record.evidence.all())
        now = timezone.now()
        _db_path("dispose")
        Amendment.objects.filter(record=record).update(old_values={}, new_values={})
        record.values = {}
        record.search_text = record.number
        record.disposed_at = now
        record.disposed_by = actor
        record.disposal_reason = reason.strip()
        transition(record, Record.Status.DISPOSED, actor=actor, verb="record.disposed",
                   reason=f"disposition: {reason.strip()}", comment=reason.strip(),
                   data={"files": [{"name": e.original_name, "sha256": e.sha256} for e in files]})
        _db_path("")
        for ev in files:
            ev.disposed_at = now
            attribute(ev, actor, "disposition")
            ev.save()
        sign(signer=actor, password=password, obj=record, meaning=Meaning.DISPOSED, comment=reason.strip())
        names = [e.file for e in files]
        # Bytes go only once the tombstone is committed; a rollback keeps them.
        transaction.on_commit(lambda: [default_storage.delete(n) for n in names if default_storage.exists(n)])
    return record


def _check_disposable(record: Record, reason: str) -> None:
    refusal = disposal_refusal(record)
    if refusal:
        raise (DomainError if RECORD.can_move(record, Record.Status.DISPOSED) else IllegalTransition)(refusal)
    if not (reason or "").strip():
        raise DomainError(gettext("Disposition needs a reason."))


# ------------------------------------------------------------------ bulk actions (qms.bulk: per-row results)
def records_verify(*, actor, records, form, comment: str = "") -> list[bulk.RowResult]:
    """Verify several records with one signature: `form` is the posted
    qms.signatures.BulkSignatureForm (inside its `signing()` block). The signer
    is proved once before the first record (refused: SignatureRefused, nothing
    signed); then each record goes through `record_verify`, in its own
    transaction, against the hash the signing page listed for it, and gets its
    own Signature row. A record the rules refuse is reported, the others go on."""
    form.prove(Meaning.VERIFIED)
    password = form.cleaned_data.get("password", "")

    def verify(record):
        with form.signing_item(record.pk):
            record_verify(actor=actor, record=record, password=password, comment=comment)

    return bulk.run(sorted(records, key=lambda r: r.pk), verify)  # one lock order for every bulk run


def records_set_legal_hold(*, actor, records, hold: bool, reason: str) -> list[bulk.RowResult]:
    """Put on (or lift) the legal hold of several records, each through
    `record_set_legal_hold` with the same reason; a refused record is reported."""
    if not (reason or "").strip():
        raise DomainError(gettext("Give a reason for the legal hold change."))
    return bulk.run(sorted(records, key=lambda r: r.pk),
                    lambda record: record_set_legal_hold(actor=actor, record=record, hold=hold, reason=reason))
