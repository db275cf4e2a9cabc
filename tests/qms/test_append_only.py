"""SIG-10: audit events, history and signatures refuse UPDATE and DELETE at the
database (PostgreSQL), and users cannot be deleted."""

import pytest
from django.db import DatabaseError, connection, transaction

from qms.audit import record_event
from qms.models import Department

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL-only")


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.mark.django_db
def test_raw_update_and_delete_on_audit_events_raise(staff):
    event = record_event(actor=staff, verb="test.event", comment="original")
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE qms_auditevent SET comment = 'forged' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM qms_auditevent WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.comment == "original"


@pytest.mark.django_db
def test_raw_update_and_delete_on_history_raise(staff):
    dept = Department.objects.create(code="QA", name="Quality")
    row = dept.history.get()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE qms_historicaldepartment SET name = 'forged' WHERE history_id = %s", [row.history_id])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM qms_historicaldepartment WHERE history_id = %s", [row.history_id])


@pytest.mark.django_db
def test_users_cannot_be_deleted_even_with_sql(staff):
    with pytest.raises(DatabaseError):
        _raw("DELETE FROM qms_user WHERE id = %s", [staff.pk])


@pytest.mark.django_db
def test_every_history_and_signature_table_is_guarded():
    """A new history-tracked model must add `qms.db.append_only` to its migration."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind = 'r'
              AND (c.relname LIKE '%%historical%%' OR c.relname IN ('qms_auditevent', 'qms_signature'))
              AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'qms_guard_update_delete')
            """
        )
        unguarded = [r[0] for r in cur.fetchall()]
    assert unguarded == []
