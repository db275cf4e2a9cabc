"""The current records lock function (see migrations 0004 and 0006)."""

FUNCTION = """
CREATE OR REPLACE FUNCTION records_refuse_locked_change() RETURNS trigger AS $$
DECLARE
    path text := coalesce(current_setting('qms.records_path', true), '');
BEGIN
    IF TG_TABLE_NAME = 'records_record' THEN
        IF OLD.status = 'draft' THEN
            RETURN NEW;
        END IF;
        IF (NEW.number, NEW.record_type_id, NEW.form_version_id, NEW.created_by_id, NEW.submitted_at, NEW.submitted_by_id, NEW.form_revision_id)
           IS DISTINCT FROM
           (OLD.number, OLD.record_type_id, OLD.form_version_id, OLD.created_by_id, OLD.submitted_at, OLD.submitted_by_id, OLD.form_revision_id)
        THEN
            RAISE EXCEPTION 'qms: record % is locked: its identity cannot change', OLD.number
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.values IS DISTINCT FROM OLD.values AND path NOT IN ('amend', 'dispose') THEN
            RAISE EXCEPTION 'qms: record % is locked: values change only through an amendment', OLD.number
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.status = 'disposed' THEN
            RAISE EXCEPTION 'qms: record % is disposed: the tombstone cannot change', OLD.number
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    -- records_amendment
    IF path <> 'dispose' THEN
        RAISE EXCEPTION 'qms: UPDATE on records_amendment is refused: amendments are append-only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
