"""Search that stays fast as hits grow (issue 18.3).

A reader's search (effective revisions only) used to test every effective
revision's stored vector through the revisions table: a word found in half of
50,000 documents read 25,000 wide revision rows (content, vector) to count them.
Now each document's own stored vector covers its number, title and the text of
its effective revision (content and extracted text), so that search is one GIN
index on the narrow documents table. Two triggers keep it:

- on the document, when its number, title or effective revision changes;
- on the revision, when the vector of a revision in force changes (text read
  from its PDF after it became effective, qms.textract).
"""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION documents_document_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector := to_tsvector('pg_catalog.english', coalesce(NEW.number, '') || ' ' || coalesce(NEW.title, ''))
        || coalesce((SELECT r.search_vector FROM documents_revision r WHERE r.id = NEW.effective_revision_id), ''::tsvector);
    RETURN NEW;
END $$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS documents_document_tsv ON documents_document;
CREATE TRIGGER documents_document_tsv BEFORE INSERT OR UPDATE OF number, title, effective_revision_id
    ON documents_document FOR EACH ROW EXECUTE FUNCTION documents_document_vector();

CREATE OR REPLACE FUNCTION documents_revision_vector_to_document() RETURNS trigger AS $$
BEGIN
    IF NEW.search_vector IS DISTINCT FROM OLD.search_vector THEN
        UPDATE documents_document SET effective_revision_id = effective_revision_id WHERE effective_revision_id = NEW.id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS documents_revision_vector_up ON documents_revision;
CREATE TRIGGER documents_revision_vector_up AFTER UPDATE OF content, extracted_text ON documents_revision
    FOR EACH ROW EXECUTE FUNCTION documents_revision_vector_to_document();

UPDATE documents_document SET effective_revision_id = effective_revision_id;
"""

UNDO = """
DROP TRIGGER IF EXISTS documents_revision_vector_up ON documents_revision;
DROP FUNCTION IF EXISTS documents_revision_vector_to_document();
DROP TRIGGER IF EXISTS documents_document_tsv ON documents_document;
DROP FUNCTION IF EXISTS documents_document_vector();
CREATE TRIGGER documents_document_tsv BEFORE INSERT OR UPDATE OF number, title ON documents_document
    FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(search_vector, 'pg_catalog.english', number, title);
UPDATE documents_document SET search_vector = to_tsvector('pg_catalog.english', number || ' ' || title);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL, None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNDO, None)


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0012_text_extraction"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
