"""The register: filters (REC-06), full-text search over values, CSV/XLSX
export, and query counts that do not grow with rows; the retention list and
the selectors other apps use."""

import io
from datetime import date

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook

from qms.models import Clause
from records import selectors, services
from records.models import Record
from tests.records.factories import GOOD, make_record, make_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(staff, author, quality_manager, approver, password):
    cal = make_type("CAL")
    sup = make_type("SUP", retention_years=3, verification_required=False)
    cal.clauses.set(Clause.objects.filter(number="7.1.5.2"))
    sup.clauses.set(Clause.objects.filter(number="8.4.1"))
    with freeze_time("2025-03-10"):
        a = make_record(staff, cal, values={**GOOD, "instrument": "Micrometer MIC-01", "notes": "granite plate"})
        b = make_record(author, sup, values={**GOOD, "instrument": "Nordic Steel AB"})
    with freeze_time("2026-01-15"):
        c = make_record(staff, cal, values={**GOOD, "instrument": "Caliper CAL-03"})
        d = make_record(author, cal, submit=False, values={"instrument": "Height gauge"})
    services.record_verify(actor=approver, record=c, password=password)
    return {"a": a, "b": b, "c": c, "d": d}


def _numbers(client, query=""):
    response = client.get(f"/records/?{query}")
    assert response.status_code == 200
    return {r.number for r in response.context["page"]}


def test_filters_by_type_clause_status_submitter_dates_verified(client_for, quality_manager, staff, seeded):
    c = client_for(quality_manager)
    s = seeded
    assert _numbers(c) == {r.number for r in s.values()}
    assert _numbers(c, "type=SUP") == {s["b"].number}
    assert _numbers(c, "clause=7.1.5.2") == {s["a"].number, s["c"].number, s["d"].number}
    assert _numbers(c, "clause=8.4.1&since=2025-01-01&until=2025-12-31") == {s["b"].number}
    assert _numbers(c, "status=draft") == {s["d"].number}
    assert _numbers(c, f"submitter={staff.pk}") == {s["a"].number, s["c"].number}
    assert _numbers(c, "since=2026-01-01") == {s["c"].number, s["d"].number}
    assert _numbers(c, "verified=yes") == {s["c"].number}
    assert _numbers(c, "verified=no") == {s["a"].number}


def test_bad_filter_input_is_a_message_not_a_500(client_for, quality_manager, seeded):
    response = client_for(quality_manager).get("/records/?since=2026-02-01&until=2025-01-01&type=NOPE")
    assert response.status_code == 200
    assert "must not be after" in response.content.decode()


def test_full_text_search_over_field_values(client_for, quality_manager, seeded):
    c = client_for(quality_manager)
    assert _numbers(c, "q=granite") == {seeded["a"].number}
    assert _numbers(c, "q=nordic+steel") == {seeded["b"].number}
    assert _numbers(c, "q=micrometer+granite") == {seeded["a"].number}
    assert _numbers(c, "q=micrometer+unknownword") == set()
    assert _numbers(c, f"q={seeded['c'].number}") == {seeded["c"].number}


def test_search_finds_amended_value_not_old_one(client_for, quality_manager, staff, seeded):
    services.record_amend(actor=staff, record=seeded["a"], values={**GOOD, "instrument": "Micrometer MIC-09"},
                          reason="Wrong tag")
    c = client_for(quality_manager)
    assert _numbers(c, "q=MIC-09") == {seeded["a"].number}
    assert _numbers(c, "q=granite") == set()  # the amended values no longer hold the note


def test_staff_register_lists_only_their_own(client_for, staff, seeded):
    assert _numbers(client_for(staff)) == {seeded["a"].number, seeded["c"].number}


def test_verifier_register_adds_submitted_records(client_for, approver, seeded):
    assert _numbers(client_for(approver)) == {seeded[k].number for k in "abc"}


def test_export_csv_and_xlsx_follow_the_filters(client_for, quality_manager, seeded):
    c = client_for(quality_manager)
    csv = c.get("/records/export/?type=CAL&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert seeded["a"].number in text and seeded["b"].number not in text
    assert text.splitlines()[0].startswith("Number,Type code,Type,Status,Verification")
    xlsx = c.get("/records/export/?type=SUP&format=xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "Number" and [r[0] for r in rows[1:]] == [seeded["b"].number]


def test_export_respects_visibility(client_for, staff, seeded):
    text = client_for(staff).get("/records/export/").content.decode("utf-8-sig")
    assert seeded["a"].number in text and seeded["b"].number not in text


def _bulk(user, rt, n):
    fv = rt.form_versions.get()
    start = Record.objects.count()
    Record.objects.bulk_create(
        Record(number=f"BULK-{start + i}", record_type=rt, form_version=fv, created_by=user, status="submitted",
               values=GOOD, search_text="bulk", retain_until=date(2000, 1, 1))
        for i in range(n)
    )


@pytest.mark.parametrize("url", ["/records/", "/records/?q=bulk&type=CAL&verified=no", "/records/retention/"])
def test_list_query_count_does_not_grow_with_rows(client_for, quality_manager, staff, cal_type,
                                                  django_assert_max_num_queries, url):
    client = client_for(quality_manager)
    _bulk(staff, cal_type, 10)
    client.get(url)  # warm caches (content types, session)
    with django_assert_max_num_queries(15) as small:
        assert client.get(url).status_code == 200
    _bulk(staff, cal_type, 50)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"]) == 50


def test_retention_list_shows_only_records_past_retain_until(client_for, quality_manager, seeded):
    with freeze_time("2028-06-01"):
        numbers = {r.number for r in client_for(quality_manager).get("/records/retention/").context["page"]}
    assert numbers == {seeded["b"].number}


def test_selectors_for_other_apps(seeded, staff, auditor):
    assert set(selectors.records_for_user(staff)) == {seeded["a"], seeded["c"]}
    assert selectors.records_for_user(auditor).count() == 4
    assert selectors.record_counts_by_clause(date(2025, 1, 1)) == {"7.1.5.2": 2, "8.4.1": 1}
    assert selectors.record_counts_by_clause(date(2026, 1, 1)) == {"7.1.5.2": 1}


def test_htmx_filter_returns_only_the_rows_fragment(client_for, quality_manager, seeded):
    response = client_for(quality_manager).get("/records/?type=SUP", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and seeded["b"].number in html and seeded["a"].number not in html
    assert "/records/export/?type=SUP" in html  # export links follow the filter


def test_search_fallback_without_postgresql_needs_every_word(monkeypatch, seeded):
    from types import SimpleNamespace

    monkeypatch.setattr(selectors, "connection", SimpleNamespace(vendor="sqlite"))
    qs = Record.objects.all()
    assert set(selectors.search(qs, "granite micrometer")) == {seeded["a"]}
    assert set(selectors.search(qs, "granite nordic")) == set()
    assert set(selectors.search(qs, seeded["b"].number.lower())) == {seeded["b"]}


def test_records_for_clause_includes_sub_clauses_and_respects_visibility(seeded, staff, auditor):
    assert set(selectors.records_for_clause(auditor, "7.1.5")) == {seeded["a"], seeded["c"], seeded["d"]}
    assert set(selectors.records_for_clause(auditor, "7.1.5", since=date(2026, 1, 1))) == {seeded["c"], seeded["d"]}
    assert set(selectors.records_for_clause(staff, "8.4.1")) == set()
    assert set(selectors.records_for_clause(auditor, "8.4")) == {seeded["b"]}


def test_record_page_queries_do_not_grow_with_evidence_and_amendments(client_for, quality_manager, staff, cal_type,
                                                                      media, django_assert_max_num_queries):
    from tests.records.factories import pdf_upload

    record = make_record(staff, cal_type, evidence=[pdf_upload()])
    services.record_amend(actor=staff, record=record, values={**GOOD, "deviation": "2"}, reason="r1")
    client = client_for(quality_manager)
    client.get(record.get_absolute_url())
    with django_assert_max_num_queries(40) as first:
        client.get(record.get_absolute_url())
    for i in range(5):
        services.evidence_add(actor=staff, record=record, uploads=[pdf_upload(f"more-{i}.pdf")])
        services.record_amend(actor=staff, record=record, values={**GOOD, "deviation": str(3 + i / 10)}, reason=f"r{i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(record.get_absolute_url())
    assert len(response.context["amendments"]) == 6 and len(response.context["evidence"]) == 6


@pytest.mark.django_db
def test_the_register_counts_up_to_its_cap_and_says_more(client_for, quality_manager, staff, monkeypatch):
    """Issue 21 (flat at 1,000,000 records): the register counts at most REGISTER_COUNT_CAP
    rows; past it the page says "more than" instead of an exact total, and the pages stop there."""
    from qms import paging
    from records import views

    rt = make_type("CAP", verification_required=False)
    for _ in range(7):
        make_record(staff, rt)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(paging, "REGISTER_COUNT_CAP", 5)
    c = client_for(quality_manager)
    html = c.get("/records/").content.decode()
    assert "Page 1 of 3 · more than 5 records" in html
    last = c.get("/records/?page=99").content.decode()
    assert "Page 3 of 3 · more than 5 records" in last
    monkeypatch.setattr(paging, "REGISTER_COUNT_CAP", 7)
    assert "Page 1 of 4 · 7 records" in c.get("/records/").content.decode()



def test_a_search_counts_up_to_the_search_cap(client_for, quality_manager, staff, monkeypatch):
    """A search counts its matches up to qms.search.COUNT_CAP (a common word matches
    thousands of records; each one counted is a row read), the bare register up to
    the registers' cap."""
    from qms import paging, search
    from records import views

    rt = make_type("SCP", verification_required=False)
    for _ in range(5):
        make_record(staff, rt, values={"instrument": "Gauge", "deviation": "1", "cal_date": "2026-03-01",
                                        "result": "Pass"})
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    monkeypatch.setattr(paging, "REGISTER_COUNT_CAP", 100)
    c = client_for(quality_manager)
    assert "more than 3 records" in c.get("/records/?q=gauge").content.decode()
    assert "Page 1 of 3 · 5 records" in c.get("/records/").content.decode()


def test_a_search_with_file_matches_is_one_index_scan(staff, quality_manager):
    """The evidence files' matches are read first and listed in the query, so the
    planner ORs them with the fields' GIN index (a BitmapOr): a subquery inside the
    OR made every search a sequential scan of the whole register."""
    from django.db import connection

    from qms.models import User

    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's (full-text search and its GIN indexes)")
    rt = make_type("IDX", verification_required=False)
    make_record(staff, rt)
    qs = selectors.register(User.objects.get(pk=quality_manager.pk), {"q": "micrometer"})
    sql, params = qs.values("pk")[:1001].query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
    assert "SubPlan" not in plan and "Seq Scan on records_record" not in plan, plan
