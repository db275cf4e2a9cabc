"""Database guards: history is append-only; feedback, surveys and reviews are
never deleted; approved minutes are locked (their decisions, attendees and the
review row itself refuse change; only an action's completion may still be written)."""

from django.db import migrations

from qms.db import append_only, no_delete

LOCK = """
CREATE OR REPLACE FUNCTION reviews_refuse_locked_change() RETURNS trigger AS $$
DECLARE
    rid bigint;
    st text;
BEGIN
    IF TG_TABLE_NAME = 'reviews_managementreview' THEN
        IF OLD.status = 'approved' THEN
            RAISE EXCEPTION 'qms: management review % is approved and locked', OLD.number
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        rid := OLD.__FK__;
    ELSE
        rid := NEW.__FK__;
    END IF;
    SELECT status INTO st FROM reviews_managementreview WHERE id = rid;
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'reviews_decision' AND st = 'approved' THEN
        IF (NEW.review_id, NEW.seq, NEW.kind, NEW.text, NEW.action_description, NEW.action_owner_id, NEW.action_due_date)
           IS NOT DISTINCT FROM
           (OLD.review_id, OLD.seq, OLD.kind, OLD.text, OLD.action_description, OLD.action_owner_id, OLD.action_due_date)
        THEN
            RETURN NEW;  -- an action's completion, tracked after the minutes are approved
        END IF;
    END IF;
    IF st = 'approved' THEN
        RAISE EXCEPTION 'qms: % on % refused: the management review minutes are approved and locked', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # One function; the foreign key column differs between the decision and attendee tables.
    for table, fk, events in (("reviews_managementreview", "id", "UPDATE"),
                              ("reviews_decision", "review_id", "INSERT OR UPDATE OR DELETE"),
                              ("reviews_managementreview_attendees", "managementreview_id", "INSERT OR UPDATE OR DELETE")):
        fn = f"reviews_refuse_locked_change_{table.split('_', 1)[1]}"
        schema_editor.execute(LOCK.replace("reviews_refuse_locked_change()", f"{fn}()").replace("__FK__", fk), None)
        schema_editor.execute(f'DROP TRIGGER IF EXISTS reviews_lock ON "{table}"')
        schema_editor.execute(f'CREATE TRIGGER reviews_lock BEFORE {events} ON "{table}" '
                              f"FOR EACH ROW EXECUTE FUNCTION {fn}()")


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ("reviews_managementreview", "reviews_decision", "reviews_managementreview_attendees"):
        schema_editor.execute(f'DROP TRIGGER IF EXISTS reviews_lock ON "{table}"')


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]
    operations = [
        append_only(
            "reviews_historicalcomplaint",
            "reviews_historicalsatisfactionsurvey",
            "reviews_historicalmanagementreview",
            "reviews_historicalmanagementreview_attendees",
            "reviews_historicaldecision",
        ),
        no_delete("reviews_complaint", "reviews_satisfactionsurvey", "reviews_managementreview", "reviews_decision"),
        migrations.RunPython(install, uninstall),
    ]
