"""Issue 10: signed and issued content is append-only at the database too
(PostgreSQL): signed route decisions, record form versions, evidence hashes."""

import pytest
from django.db import DatabaseError, connection, transaction

from records.models import Evidence, FormVersion
from tests.records.factories import make_record, pdf_upload

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL-only"),
    pytest.mark.django_db,
]


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


def _guarded(table: str, trigger: str = "qms_guard_update_delete") -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname = %s AND t.tgname = %s",
                    [table, trigger])
        return cur.fetchone() is not None


def test_decisions_are_append_only():
    """A signed decision row refuses UPDATE and DELETE (the guard trigger is installed)."""
    assert _guarded("documents_decision")


def test_form_versions_refuse_update_and_delete(staff, cal_type, media):
    make_record(staff, cal_type, evidence=[pdf_upload()])
    version = FormVersion.objects.filter(record_type=cal_type).first()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE records_formversion SET note = 'forged' WHERE id = %s", [version.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM records_formversion WHERE id = %s", [version.pk])


def test_evidence_hash_cannot_change_but_the_row_may_move(staff, cal_type, media):
    record = make_record(staff, cal_type, evidence=[pdf_upload()])
    evidence = Evidence.objects.get(record=record)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE records_evidence SET sha256 = %s WHERE id = %s", ["0" * 64, evidence.pk])
    _raw("UPDATE records_evidence SET original_name = original_name WHERE id = %s", [evidence.pk])
    evidence.refresh_from_db()
    assert evidence.sha256 != "0" * 64
