"""The register's search pages (issue 18): the page's ids and the total come
from the bare document query, then the rows by id, in order; the total and the
order are right on every page, past the end shows the last page, the query
count does not grow with the matches, and the number search has its index."""

import re

import pytest
from django.db import connection

from documents.views import documents as register_views
from tests.documents.factories import approve, make_draft, make_effective, submit

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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored vectors are PostgreSQL's")
def test_a_readers_search_follows_the_revision_in_force(author, approver, staff, quality_manager, client_for):
    """The document's own vector (migration 0013) holds its effective revision:
    a new revision in force replaces the old words, a draft's words stay hidden
    from readers, and text read later from the effective revision's file counts."""
    from documents import services
    from documents.models import Revision

    doc = make_effective(author, approver, content="# Purpose\nThe flange gasket is checked.")
    reader, manager = client_for(staff), client_for(quality_manager)

    def found(client, word):
        return doc.number in _numbers(client.get(f"/documents/?q={word}").content.decode())

    assert found(reader, "gasket") and found(reader, doc.title.split()[0])
    draft = services.revision_create_new(actor=author, document=doc, change_summary="New seal", change_reason="CAPA")
    services.revision_update_draft(actor=author, revision=draft, content="# Purpose\nThe bellows seal is checked.")
    assert not found(reader, "bellows") and found(manager, "bellows")  # a draft: only who sees drafts
    submit(author, draft, [approver])
    approve(approver, draft)
    assert found(reader, "bellows") and not found(reader, "gasket")
    # Text read from the effective revision's PDF after it came into force.
    eff = Revision.objects.get(document=doc, status=Revision.Status.EFFECTIVE)
    Revision.objects.filter(pk=eff.pk).update(extracted_text="Stamped torque wrench certificate")
    assert found(reader, "wrench")


def test_a_search_counts_up_to_the_cap_and_says_more(small_pages, author, quality_manager, client_for, monkeypatch):
    """Past SEARCH_COUNT_CAP matches the total says "more than" (counting every
    one of 25,000 matches would read them all) and the pages stop at the cap."""
    from documents import selectors

    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 6)
    made = sorted(make_draft(author, title=f"Torque check {i}").number for i in range(8))
    c = client_for(quality_manager)
    html = c.get("/documents/?q=torque").content.decode()
    assert "More than 6 documents match" in html and "Page 1 of 2" in html
    assert list(dict.fromkeys(_numbers(html))) == made[:3]
    last = c.get("/documents/?q=torque&page=9").content.decode()
    assert "Page 2 of 2" in last and list(dict.fromkeys(_numbers(last))) == made[3:6]
    # Exactly at the cap: an exact total.
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 8)
    assert "8 documents" in c.get("/documents/?q=torque").content.decode()


def test_the_register_counts_up_to_its_own_cap_and_says_more(small_pages, author, quality_manager, client_for,
                                                            monkeypatch):
    """Issue 21 (flat at 100,000 documents): the register without a search counts at
    most REGISTER_COUNT_CAP rows; past it the total says "more than", the pages stop there."""
    from documents import selectors

    monkeypatch.setattr(selectors, "REGISTER_COUNT_CAP", 6)
    made = sorted(make_draft(author, title=f"Gauge sheet {i}").number for i in range(8))
    c = client_for(quality_manager)
    html = c.get("/documents/").content.decode()
    assert "More than 6 documents match" in html and "Page 1 of 2" in html
    assert list(dict.fromkeys(_numbers(html))) == made[:3]
    last = c.get("/documents/?page=9").content.decode()
    assert "Page 2 of 2" in last and list(dict.fromkeys(_numbers(last))) == made[3:6]
    monkeypatch.setattr(selectors, "REGISTER_COUNT_CAP", 8)
    assert "8 documents" in c.get("/documents/").content.decode()
    assert c.get("/documents/?page=abc").status_code == 200


def test_a_searchs_count_walks_the_pages_order_and_the_registers_does_not(author, quality_manager, client_for):
    """A search's capped count keeps the page's ORDER BY, so it reads the rows the page
    reads through the same index (a sequential scan of a table past a quarter of
    shared_buffers rereads them from the OS each time); the register without a
    search keeps the bare count, which an index-only scan answers."""
    from django.test.utils import CaptureQueriesContext

    make_draft(author, title="Torque check")
    c = client_for(quality_manager)

    def counts(url):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return [q["sql"] for q in ctx.captured_queries
                if q["sql"].startswith("SELECT COUNT(*)") and "documents_document" in q["sql"]]

    searched = counts("/documents/?q=torque&sort=title")
    assert len(searched) == 1 and 'ORDER BY "documents_document"."title"' in searched[0]
    bare = counts("/documents/")
    assert len(bare) == 1 and "ORDER BY" not in bare[0]
