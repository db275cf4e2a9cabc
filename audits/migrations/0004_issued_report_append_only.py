"""An issued audit report is append-only at the database (issue 10, PostgreSQL).

The lead auditor's signature covers the report's own text and, from the audit,
its number, objectives, scope and findings (`AuditReport.signature_content`).
Once the report is issued:

- the report row refuses every UPDATE (a draft still moves freely, and the
  draft → issued move itself passes);
- the audit's number, objectives and scope cannot change (its status still
  moves: reported → closed);
- its findings keep audit, number, type, clause and statement (their status,
  owner and closing date still move when the CAPA is done), and no finding is
  added to it;
- the distribution list (who received the report, when) is append-only.
"""

from django.db import migrations

from qms.db import append_only

FUNCTION = """
CREATE OR REPLACE FUNCTION audits_refuse_issued_change() RETURNS trigger AS $$
DECLARE
    guarded_audit bigint;
BEGIN
    IF TG_TABLE_NAME = 'audits_auditreport' THEN
        IF OLD.status = 'issued' THEN
            RAISE EXCEPTION 'qms: audit report % is issued: it is append-only', OLD.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_TABLE_NAME = 'audits_audit' THEN
        IF (NEW.number, NEW.objectives, NEW.scope) IS DISTINCT FROM (OLD.number, OLD.objectives, OLD.scope)
           AND EXISTS (SELECT 1 FROM audits_auditreport r WHERE r.audit_id = OLD.id AND r.status = 'issued')
        THEN
            RAISE EXCEPTION 'qms: the report of audit % is issued: its number, objectives and scope are append-only', OLD.number
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    -- audits_finding
    IF TG_OP = 'INSERT' THEN
        guarded_audit := NEW.audit_id;
    ELSIF (NEW.audit_id, NEW.seq, NEW.finding_type, NEW.clause_id, NEW.statement)
          IS DISTINCT FROM (OLD.audit_id, OLD.seq, OLD.finding_type, OLD.clause_id, OLD.statement)
    THEN
        guarded_audit := OLD.audit_id;
    ELSE
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM audits_auditreport r
               WHERE r.audit_id IN (guarded_audit, NEW.audit_id) AND r.status = 'issued') THEN
        RAISE EXCEPTION 'qms: the report of this audit is issued: its findings are append-only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = (
    ("audits_auditreport", "UPDATE"),
    ("audits_audit", "UPDATE"),
    ("audits_finding", "INSERT OR UPDATE"),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, None)
    for table, events in TRIGGERS:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS audits_issued_report ON "{table}"')
        schema_editor.execute(
            f'CREATE TRIGGER audits_issued_report BEFORE {events} ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION audits_refuse_issued_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _ in TRIGGERS:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS audits_issued_report ON "{table}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS audits_refuse_issued_change()")


class Migration(migrations.Migration):
    dependencies = [("audits", "0003_demo_verbose_names")]
    operations = [append_only("audits_reportdistribution"), migrations.RunPython(forwards, backwards)]
