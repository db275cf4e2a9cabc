"""Evidence files kept across a record form's validation errors.

Every file chosen on the record form is checked and stored at once through
qms.uploads (allow-list, leading bytes, size, SHA-256) as a StagedUpload tied
to the user and their session. When the form comes back with an error the files
are listed as attached (each with a "keep" box to remove it); when it is saved
they become the record's Evidence, with the same bytes and the same SHA-256.
Staged files nobody saved expire after STAGING_HOURS and are removed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from qms.audit import attribute
from qms.errors import DomainError
from qms.uploads import extension_of, sha256_of_stored, store_upload
from records.models import Evidence, Record, RecordType, StagedUpload

STAGING_HOURS = 24
STAGING_FOLDER = "records/staging"


def _owner_filter(*, user, session_key: str, record_type: RecordType, record: Record | None) -> dict:
    return {"user": user, "session_key": session_key or "", "record_type": record_type,
            "record": record if record is not None and record.pk else None}


def pending(*, user, session_key: str, record_type: RecordType, record: Record | None, tokens) -> list[StagedUpload]:
    """The staged files of this user, session and form among `tokens` (unexpired)."""
    tokens = [t for t in tokens if _is_uuid(t)]
    if not tokens:
        return []
    return list(StagedUpload.objects.filter(
        token__in=tokens, expires_at__gt=timezone.now(),
        **_owner_filter(user=user, session_key=session_key, record_type=record_type, record=record),
    ))


@transaction.atomic
def discard(*, user, session_key: str, record_type: RecordType, record: Record | None, tokens) -> int:
    """Remove staged files the user took off the form (only their own)."""
    tokens = [t for t in tokens if _is_uuid(t)]
    if not tokens:
        return 0
    rows = list(StagedUpload.objects.filter(
        token__in=tokens, **_owner_filter(user=user, session_key=session_key, record_type=record_type, record=record)
    ))
    _delete(rows)
    return len(rows)


def stage(*, user, session_key: str, record_type: RecordType, record: Record | None,
          uploads: list[tuple[str, object]]) -> tuple[list[StagedUpload], dict[str, list[str]]]:
    """Check and store `uploads` ((field key or "", file) pairs). Returns the
    staged files and, per field key, the messages of the files refused."""
    purge_expired()
    staged, errors = [], {}
    expires = timezone.now() + timedelta(hours=STAGING_HOURS)
    owner = _owner_filter(user=user, session_key=session_key, record_type=record_type, record=record)
    from records.services import EVIDENCE_TYPES

    for key, upload in uploads:
        try:
            stored = store_upload(upload, folder=STAGING_FOLDER, allowed=EVIDENCE_TYPES)
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)
            continue
        staged.append(StagedUpload.objects.create(
            field_key=key, file=stored.name, original_name=stored.original_name, size=stored.size,
            sha256=stored.sha256, content_type=stored.content_type, expires_at=expires, **owner,
        ))
    return staged, errors


def attach(*, actor, record: Record, staged) -> list[Evidence]:
    """Make staged files the record's evidence (inside the caller's transaction):
    the bytes are copied to the record's folder and re-hashed; a file whose
    SHA-256 no longer matches what was checked is refused."""
    out, done = [], []
    for item in staged or ():
        row = StagedUpload.objects.select_for_update().filter(pk=item.pk).first()
        if row is None:
            raise DomainError(gettext("“%(name)s” is no longer attached; choose the file again.") % {"name": item.original_name})
        if row.user_id != actor.pk or row.record_type_id != record.record_type_id or row.expires_at <= timezone.now():
            raise DomainError(gettext("“%(name)s” cannot be attached to this record; choose the file again.") % {"name": row.original_name})
        with default_storage.open(row.file, "rb") as fh:
            name = default_storage.save(f"records/{record.pk}/{uuid.uuid4().hex}.{extension_of(row.file)}", File(fh))
        if sha256_of_stored(name) != row.sha256:
            default_storage.delete(name)
            raise DomainError(gettext("“%(name)s” changed since it was checked; choose the file again.") % {"name": row.original_name})
        ev = Evidence(
            record=record, field_key=row.field_key, file=name, original_name=row.original_name, size=row.size,
            sha256=row.sha256, content_type=row.content_type, uploaded_by=actor,
        )
        attribute(ev, actor, "evidence added")
        ev.save()
        done.append(row)
        out.append(ev)
    _delete(done)
    return out


def purge_expired(now=None) -> int:
    """Remove staged files past their expiry, rows and bytes."""
    rows = list(StagedUpload.objects.filter(expires_at__lte=now or timezone.now())[:500])
    with transaction.atomic():
        _delete(rows)
    return len(rows)


def _delete(rows) -> None:
    names = [r.file for r in rows]
    StagedUpload.objects.filter(pk__in=[r.pk for r in rows]).delete()
    # Bytes go once the rows are gone for good; a rollback keeps them.
    transaction.on_commit(lambda: [default_storage.delete(n) for n in names if default_storage.exists(n)])


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return False
    return True
