"""The register: filters, sort, pagination, full-text search with snippets, exports, query counts."""

import io

import pytest
from django.db import connection
from freezegun import freeze_time
from openpyxl import load_workbook

from documents import services
from documents.models import Revision
from tests.documents.factories import make_draft, make_effective, new_revision, submit
from tests.factories import DepartmentFactory


def numbers(response):
    return [r["doc"].number for r in response.context["rows"]]


@pytest.fixture
def mixed(author, approver):
    """One effective SOP, one draft SOP, one effective policy in another department."""
    eff = make_effective(author, approver, title="Calibration of gauges",
                         content="# Purpose\nEvery micrometer is calibrated against traceable standards.")
    draft = make_draft(author, title="Secret draft", content="The zeppelin procedure is not approved yet.")
    pol = make_effective(author, approver, code="POL", title="Quality policy", department=DepartmentFactory(code="PRD"),
                         content="We satisfy our customers.")
    return eff, draft, pol


@pytest.mark.django_db
def test_staff_see_only_documents_with_an_effective_revision(mixed, staff, client_for):
    eff, draft, pol = mixed
    r = client_for(staff).get("/documents/")
    assert numbers(r) == sorted([eff.number, pol.number])
    assert client_for(staff).get(f"/documents/{draft.number}/").status_code == 404


@pytest.mark.django_db
def test_quality_manager_sees_drafts_too(mixed, quality_manager, client_for):
    r = client_for(quality_manager).get("/documents/")
    assert mixed[1].number in numbers(r)


@pytest.mark.django_db
def test_search_finds_a_word_from_revision_content(mixed, staff, client_for):
    r = client_for(staff).get("/documents/", {"q": "micrometer"})
    assert numbers(r) == [mixed[0].number]
    row = r.context["rows"][0]
    assert "<mark>micrometer</mark>" in str(row["snippet"]).lower()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming needs PostgreSQL full-text search")
@pytest.mark.django_db
def test_search_stems_words_and_matches_titles_and_numbers(mixed, staff, client_for):
    c = client_for(staff)
    assert numbers(c.get("/documents/", {"q": "calibrating"})) == [mixed[0].number]
    assert numbers(c.get("/documents/", {"q": "policy"})) == [mixed[2].number]
    assert numbers(c.get("/documents/", {"q": mixed[2].number})) == [mixed[2].number]


@pytest.mark.django_db
def test_search_does_not_show_drafts_to_staff(mixed, staff, quality_manager, client_for):
    assert numbers(client_for(staff).get("/documents/", {"q": "zeppelin"})) == []
    assert numbers(client_for(quality_manager).get("/documents/", {"q": "zeppelin"})) == [mixed[1].number]


@pytest.mark.django_db
def test_search_does_not_reveal_draft_content_of_an_effective_document_to_staff(mixed, author, staff, client_for):
    eff = mixed[0]
    rev = services.revision_create_new(actor=author, document=eff, change_summary="s", change_reason="r")
    services.revision_update_draft(actor=author, revision=rev, content="Unreleased aardvark method")
    assert numbers(client_for(staff).get("/documents/", {"q": "aardvark"})) == []


@pytest.mark.django_db
def test_search_snippet_escapes_author_html(author, approver, staff, client_for):
    make_effective(author, approver, content="The <script>alert(1)</script> widget torque is 5 Nm.")
    r = client_for(staff).get("/documents/", {"q": "torque"})
    snippet = str(r.context["rows"][0]["snippet"])
    assert "<script>" not in snippet and "<mark>torque</mark>" in snippet


@pytest.mark.django_db
def test_search_snippets_are_the_rendered_text_never_the_markdown(author, approver, staff, quality_manager, client_for):
    """Issue 18.2: a snippet reads as the page does — no Markdown marks, entities shown
    once, a whole word marked — in the register and in the one search box."""
    make_effective(author, approver, title="Wrench use", content=(
        "# Purpose\n\nUse the **torque** wrench on [the housing](https://example.com/h) | Fit & finish |\n\n"
        "* Testing the setting daily."))
    for url in ("/documents/?q=torque", "/search/?q=torque&kind=documents"):
        html = client_for(staff).get(url).content.decode()
        assert "<mark>torque</mark> wrench on the housing" in html, url
        assert "**" not in html and "# Purpose" not in html and "](https" not in html, url
    snippet = str(client_for(staff).get("/documents/", {"q": "finish"}).context["rows"][0]["snippet"])
    assert "Fit &amp; <mark>finish</mark>" in snippet and "&amp;amp;" not in snippet
    # "test" finds "Testing" (stemmed) and marks the whole word, never "<mark>Test</mark>ing".
    snippet = str(client_for(staff).get("/documents/", {"q": "test"}).context["rows"][0]["snippet"])
    assert "<mark>Testing</mark> the setting" in snippet


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming needs PostgreSQL full-text search")
@pytest.mark.django_db
def test_a_snippet_marks_the_words_the_search_matched_by_their_stem(author, approver, staff, client_for):
    make_effective(author, approver, content="Each gauge needs calibration before use; calibrated gauges are tagged.")
    snippet = str(client_for(staff).get("/documents/", {"q": "calibrating"}).context["rows"][0]["snippet"])
    assert "<mark>calibration</mark>" in snippet and "<mark>calibrated</mark>" in snippet


@pytest.mark.django_db
def test_a_drafts_rendered_text_follows_its_content(author, quality_manager, client_for):
    draft = make_draft(author, content="# Old\n\nFirst **text**.")
    rev = draft.latest_revision
    assert Revision.objects.get(pk=rev.pk).plain_text == "Old First text."
    services.revision_update_draft(actor=author, revision=rev, content="New _wording_ here.")
    assert Revision.objects.get(pk=rev.pk).plain_text == "New wording here."
    snippet = str(client_for(quality_manager).get("/documents/", {"q": "wording"}).context["rows"][0]["snippet"])
    assert "<mark>wording</mark>" in snippet and "_" not in snippet


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN index is PostgreSQL-only")
@pytest.mark.django_db
def test_full_text_search_uses_the_gin_index(mixed):
    from django.contrib.postgres.search import SearchQuery

    # Tiny tables: forbid the scans the planner would prefer, leaving the GIN bitmap scan.
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")
    qs = Revision.objects.filter(search_vector=SearchQuery("micrometer", config="english")).order_by()
    plan = qs.explain()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = on")
        cur.execute("SET LOCAL enable_indexscan = on")
    assert "documents_revision_search_gin" in plan
    assert list(qs) == [mixed[0].effective_revision]


@pytest.mark.django_db
def test_filters(mixed, author, approver, quality_manager, client_for):
    eff, draft, pol = mixed
    c = client_for(quality_manager)
    assert numbers(c.get("/documents/", {"type": "POL"})) == [pol.number]
    assert numbers(c.get("/documents/", {"status": "draft"})) == [draft.number]
    assert numbers(c.get("/documents/", {"status": "effective"})) == sorted([eff.number, pol.number])
    assert numbers(c.get("/documents/", {"department": "PRD"})) == [pol.number]
    assert numbers(c.get("/documents/", {"owner": author.pk})) == sorted([eff.number, draft.number, pol.number])
    from qms.models import Clause

    clause = Clause.objects.get(number="7.5")
    services.document_update(actor=quality_manager, document=pol, reason="clauses", clauses=[clause])
    assert numbers(c.get("/documents/", {"clause": "7.5"})) == [pol.number]
    with freeze_time("2040-01-01"):
        assert numbers(client_for(quality_manager).get("/documents/", {"overdue": "on"})) == sorted([eff.number, pol.number])
    assert numbers(c.get("/documents/", {"overdue": "on"})) == []


@pytest.mark.django_db
def test_sort_and_pagination(author, quality_manager, client_for):
    for i in range(55):
        make_draft(author, title=f"Doc {i:02d}")
    c = client_for(quality_manager)
    first = c.get("/documents/")
    assert len(first.context["rows"]) == 50 and first.context["page"].paginator.num_pages == 2
    assert len(c.get("/documents/", {"page": 2}).context["rows"]) == 5
    by_title_desc = c.get("/documents/", {"sort": "-title"})
    assert by_title_desc.context["rows"][0]["doc"].title == "Doc 54"


@pytest.mark.django_db
def test_pending_revision_is_shown_beside_the_effective_one(author, approver, quality_manager, client_for):
    doc = make_effective(author, approver)
    rev = services.revision_create_new(actor=author, document=doc, change_summary="s", change_reason="r")
    submit(author, rev, [approver])
    row = client_for(quality_manager).get("/documents/").context["rows"][0]
    assert row["revision"] == "00" and row["pending"] and row["status"] == "in_review"


@pytest.mark.django_db
def test_export_csv_and_xlsx(mixed, staff, client_for):
    c = client_for(staff)
    csv = c.get("/documents/", {"export": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Number,Title,Type")
    assert mixed[0].number in text and mixed[1].number not in text  # no drafts for staff
    xlsx = c.get("/documents/", {"export": "xlsx", "type": "POL"})
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "Number" and rows[1][0] == mixed[2].number and len(rows) == 2


@pytest.mark.django_db
def test_register_query_count_does_not_grow_with_rows(author, approver, quality_manager, client_for,
                                                       django_assert_max_num_queries):
    c = client_for(quality_manager)
    for i in range(3):
        doc = make_effective(author, approver, title=f"Gauge {i}")
        new_revision(author, approver, doc)
    c.get("/documents/")
    with django_assert_max_num_queries(15) as ctx:
        c.get("/documents/", {"q": "gauge"})
    first = len(ctx.captured_queries)
    for i in range(15):
        doc = make_effective(author, approver, title=f"Gauge extra {i}")
        new_revision(author, approver, doc)
    with django_assert_max_num_queries(first):
        r = c.get("/documents/", {"q": "gauge"})
    assert len(r.context["rows"]) == 18
    with django_assert_max_num_queries(first):
        c.get("/documents/")


@pytest.mark.django_db
def test_htmx_request_returns_only_the_table(mixed, staff, client_for):
    r = client_for(staff).get("/documents/", {"q": "policy"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert "<html" not in body and mixed[2].number in body


@pytest.mark.django_db
def test_search_results_are_paginated_with_their_total(author, quality_manager, client_for):
    for i in range(55):
        make_draft(author, title=f"Widget procedure {i:02d}")
    c = client_for(quality_manager)
    first = c.get("/documents/", {"q": "widget"})
    assert first.context["page"].paginator.count == 55 and len(first.context["rows"]) == 50
    second = c.get("/documents/", {"q": "widget", "page": 2})
    assert len(second.context["rows"]) == 5 and not second.context["page"].has_next()
    beyond = c.get("/documents/", {"q": "widget", "page": 9})
    assert beyond.context["page"].number == 2
    assert c.get("/documents/", {"q": "widget", "page": "x"}).context["page"].number == 1
    nothing = c.get("/documents/", {"q": "nonexistentword"})
    assert nothing.context["page"].paginator.count == 0 and nothing.context["rows"] == []


def test_a_worker_registers_the_register_pdf_job_without_loading_the_views():
    """A Celery worker sets Django up and loads no URLs: the job kind must be
    registered by the app itself, not as a side effect of importing views."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = ("import sys, django; django.setup(); from qms.jobs import HANDLERS; "
              "print('register_pdf' in HANDLERS, 'documents.views.documents' in sys.modules)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qms.settings_test"}
    out = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[2], env=env,
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]
