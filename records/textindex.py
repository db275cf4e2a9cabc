"""What records give to text extraction (qms.textract): every evidence file
still held (a disposed file's text goes with its bytes). The text is copied to
`Evidence.text`; a generated tsvector over it (migration 0011) is ORed into
the register's search (records.selectors.search)."""

from __future__ import annotations

from qms import textract


def index_evidence(pks: list[int]) -> None:
    from records.models import Evidence

    rows = list(Evidence.objects.filter(pk__in=pks).values_list("pk", "file", "disposed_at", "text"))
    texts = textract.texts_of([f for _, f, disposed, _ in rows if disposed is None])
    for pk, name, disposed, old in rows:
        text = "" if disposed else texts.get(name, "")
        if text != old:
            Evidence.objects.filter(pk=pk).update(text=text)  # no history row: the file itself did not change


def register() -> None:
    textract.extracts("records.Evidence", "file", name_field="original_name", sha_field="sha256",
                      owner_field="uploaded_by", filters={"disposed_at__isnull": True}, index=index_evidence)
