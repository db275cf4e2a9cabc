"""Documents in the one search box (qms.search): the register's own search,
within the same rules; the snippet comes from the revision the user may read,
rendered (never its Markdown source), then the text read from its files."""

from __future__ import annotations

from documents import selectors
from documents.models import Revision
from qms import search
from qms.rules import allowed


@search.provider("documents", "Documents", order=10)
def find(user, q, since, until, limit) -> search.Found:
    qs = selectors.search_filter(selectors.documents_for_user(user), user, q)
    qs = search.in_range(qs, "effective_revision__effective_date", since, until)
    qs = qs.order_by("number", "id")
    total, capped = search.counted(qs)
    docs = list(selectors.with_list_columns(qs)[:limit])
    drafts = allowed("documents.view_drafts", user)
    rev_ids = [(d.latest_revision_id if drafts else d.effective_revision_id) or d.effective_revision_id for d in docs]
    content = {pk: (c, x) for pk, c, x in Revision.objects.filter(pk__in=[r for r in rev_ids if r]).values_list(
        "pk", "plain_text", "extracted_text")}
    hits = []
    for doc, rev_id in zip(docs, rev_ids, strict=True):
        body, extracted = content.get(rev_id, ("", ""))
        # The rendered content (Revision.plain_text), then the text read from its PDF or source file (qms.textract).
        text = body + (" " + extracted if extracted else "")
        rev = doc.latest_revision if drafts else doc.effective_revision
        hits.append(search.Hit(
            title=f"{doc.number} {doc.title}", url=doc.get_absolute_url(), snippet=search.highlight(text, q),
            when=doc.effective_revision.effective_date if doc.effective_revision_id else None,
            meta=f"Revision {rev.label} · {rev.get_status_display()}" if rev else "",
        ))
    return search.Found(total, hits, capped)
