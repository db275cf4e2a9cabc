"""Records in the one search box (qms.search): the register's full-text search
over field values, within the same rules and scope, with a marked snippet."""

from __future__ import annotations

from qms import search
from records import selectors


@search.provider("records", "Records", order=20)
def find(user, q, since, until, limit) -> search.Found:
    qs = search.in_range(selectors.search(selectors.records_for_user(user), q), "created_at", since, until)
    qs = qs.order_by("-created_at", "-id")
    total, capped = search.counted(qs)
    rows = qs.select_related("record_type").only(
        "number", "status", "created_at", "search_text", "record_type__name", "record_type__code",
    )[:limit]
    rows = list(rows)
    # Words found only in an evidence file: the snippet comes from the file's text (qms.textract).
    in_files = selectors.evidence_texts([r.pk for r in rows if not _matches(r.search_text, q)], q)
    return search.Found(total, [
        search.Hit(title=f"{r.number} {r.record_type.name}", url=r.get_absolute_url(),
                   snippet=search.highlight(in_files.get(r.pk) or r.search_text, q), when=r.created_at.date(),
                   meta=r.get_status_display())
        for r in rows
    ], capped)


def _matches(text: str, q: str) -> bool:
    low = (text or "").lower()
    return any(w.lower() in low for w in search.words_of(q))
