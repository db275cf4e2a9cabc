"""The register's search pages (issue 18): the page's ids and the total come
from the bare document query, then the rows by id, in order; the total and the
order are right on every page, past the end shows the last page, the query
count does not grow with the matches, and the number search has its index."""

import re

import pytest
from django.db import connection

from documents.views import documents as register_views
from tests.documents.factories import make_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(register_views, "PAGE_SIZE", 3)


def _numbers(html: str) -> list[str]:
    return re.findall(r'href="/documents/([A-Z]+-[A-Z]+-\d+)/"', html)


def test_pages_total_and_order(small_pages, author, quality_manager, client_for):
    made = [make_draft(author, title=f"Torque check {i}") for i in range(7)]
    make_draft(author, title="Unrelated housing")
    c = client_for(quality_manager)
    seen = []
    for page in (1, 2, 3):
        html = c.get(f"/documents/?q=torque&page={page}").content.decode()
        assert "7 documents" in html and f"Page {page} of 3" in html
        seen += list(dict.fromkeys(_numbers(html)))
    assert seen == sorted(d.number for d in made)
    last = c.get("/documents/?q=torque&page=99").content.decode()
    assert "Page 3 of 3" in last and list(dict.fromkeys(_numbers(last))) == [sorted(d.number for d in made)[-1]]
    assert "0 documents" in c.get("/documents/?q=nosuchwordanywhere").content.decode()


def test_search_query_count_is_flat_in_matches(small_pages, author, quality_manager, client_for,
                                              django_assert_max_num_queries):
    c = client_for(quality_manager)
    make_draft(author, title="Torque check first")
    c.get("/documents/?q=torque")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        c.get("/documents/?q=torque")
    for i in range(8):
        make_draft(author, title=f"Torque check {i}")
    with django_assert_max_num_queries(len(few)):
        assert c.get("/documents/?q=torque").status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_number_search_has_a_trigram_index(author):
    from documents.models import Document

    make_draft(author)
    sql, params = Document.objects.filter(number__icontains="QA-0").values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")  # a full scan of another index is no use either
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
    assert "documents_document_number_upper_trgm" in plan, plan
