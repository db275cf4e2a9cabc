"""What documents give to text extraction (qms.textract): the uploaded PDF and
the editable source file of each revision. The text read from both is copied
to `Revision.extracted_text`, which the revision's search vector covers
(trigger, migration 0012), so the register's search and the one search box
find words that appear only in the file."""

from __future__ import annotations

from qms import textract


def index_revisions(pks: list[int]) -> None:
    from documents.models import Revision

    rows = list(Revision.objects.filter(pk__in=pks).values_list("pk", "pdf_file", "source_file", "extracted_text"))
    texts = textract.texts_of([n for _, pdf, src, _ in rows for n in (pdf, src)])
    for pk, pdf, src, old in rows:
        text = "\n\n".join(t for t in (texts.get(pdf, ""), texts.get(src, "")) if t)
        if text != old:
            # A queryset update: no history row and no save signals; the trigger
            # refreshes the search vector. Not frozen by the revision guard (0004).
            Revision.objects.filter(pk=pk).update(extracted_text=text)


def register() -> None:
    common = {"owner_field": "created_by", "index": index_revisions}
    textract.extracts("documents.Revision", "pdf_file", name_field="pdf_original_name", sha_field="pdf_sha256",
                      **common)
    textract.extracts("documents.Revision", "source_file", name_field="source_original_name",
                      sha_field="source_sha256", **common)
