"""Controlled documents: register, document page and full-text search at 10,000
documents × 3 revisions (superseded, effective, draft).

Seeds with bulk_create (no history rows: this measures reads, not the
services), runs ANALYZE, then times the pages through the Django test client
(server time: URL routing, middleware, queries, template rendering).
"""

from __future__ import annotations

import os
import random

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from bench.common import analyze, client_for, count_queries, fresh_database, get_ok, p50, p95, timings

TOTAL = int(os.environ.get("BENCH_DOCUMENTS_TOTAL", "10000"))  # smaller only for a quick trial
SEARCH_TOTAL = int(os.environ.get("BENCH_DOCUMENTS_SEARCH_TOTAL", "50000"))  # the search-growth figures
FIRST = 100
BATCH = 1_000

WORDS = (
    "calibration inspection torque supplier audit nonconformity corrective preventive housing micrometer "
    "gauge tolerance drawing release batch sample deviation training competence record retention review "
    "approval customer complaint design verification validation risk opportunity objective policy process "
    "procedure instruction form measurement traceable standard equipment maintenance cleaning packaging "
    "labelling storage shipping receiving quarantine scrap rework concession planning capacity schedule "
    "operator supervisor manager engineer laboratory thread surface coating hardness weld assembly test"
).split()


def _content(rng: random.Random, doc_no: int, seq: int) -> str:
    paras = []
    for _ in range(4):
        paras.append(" ".join(rng.choice(WORDS) for _ in range(40)) + ".")
    half = " Halfmark." if doc_no % 2 == 0 else ""  # a word in half the documents (the common-word search)
    return f"# Document {doc_no} revision {seq}\n\n" + "\n\n".join(paras) + f"\n\nUnique marker zq{doc_no}x.{half}\n"


def _ensure_reference_data():
    """flush emptied the rows the data migrations seeded: re-create what we need."""
    import importlib

    from django.apps import apps as django_apps

    from qms.permissions import Role

    for name in Role.ALL:
        Group.objects.get_or_create(name=name)
    seed_types = importlib.import_module("documents.migrations.0005_seed_document_types").seed
    seed_types(django_apps, None)


def _seed(start: int, stop: int, *, users, depts, doc_type, rng) -> None:
    from documents.models import Document, Revision, plain_text_of

    S = Revision.Status
    today = timezone.localdate()
    for lo in range(start, stop, BATCH):
        hi = min(lo + BATCH, stop)
        with transaction.atomic():
            docs = Document.objects.bulk_create(
                [
                    Document(
                        number=f"SOP-{depts[i % len(depts)].code}-{i:05d}",
                        title=f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} of {rng.choice(WORDS)} {i}",
                        doc_type=doc_type, owner=users[i % len(users)], department=depts[i % len(depts)],
                        next_review_date=today + timezone.timedelta(days=rng.randint(-60, 700)),
                    )
                    for i in range(lo, hi)
                ]
            )
            revs = []
            for i, doc in zip(range(lo, hi), docs, strict=True):
                for seq, status in ((1, S.SUPERSEDED), (2, S.EFFECTIVE), (3, S.DRAFT)):
                    content = _content(rng, i, seq)
                    revs.append(Revision(
                        document=doc, seq=seq, label=f"{seq - 1:02d}", status=status, content=content,
                        plain_text=plain_text_of(content),  # what save() keeps; bulk_create does not call it
                        change_summary="Bench", created_by=doc.owner,
                        effective_date=today - timezone.timedelta(days=400 - seq * 100) if seq < 3 else None,
                    ))
            Revision.objects.bulk_create(revs)
            # Benchmark seeding only: point each document at its effective and latest revision in one statement.
            with connection.cursor() as cur:
                cur.execute(
                    """
                    UPDATE documents_document d SET
                        effective_revision_id = (SELECT id FROM documents_revision r
                                                 WHERE r.document_id = d.id AND r.status = 'effective'),
                        latest_revision_id = (SELECT id FROM documents_revision r
                                              WHERE r.document_id = d.id ORDER BY seq DESC LIMIT 1)
                    WHERE d.id BETWEEN %s AND %s
                    """,
                    [docs[0].pk, docs[-1].pk],
                )


def _vacuum() -> None:
    """Bulk inserts leave the GIN indexes' pending lists full until autovacuum
    merges them, and the planner then avoids the index. A live database is
    vacuumed by autovacuum; measure that steady state, not the seeding moment."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE documents_revision")
            cur.execute("VACUUM ANALYZE documents_document")


def run(emit) -> None:
    from documents.models import Document, DocumentType
    from qms.models import Department, User
    from qms.permissions import Role

    fresh_database()
    _ensure_reference_data()
    rng = random.Random(42)
    depts = [Department.objects.get_or_create(code=c, defaults={"name": c})[0] for c in ("QA", "PRD", "ENG", "PUR")]
    qm = User.objects.create_user("bench-qm", password="x", full_name="Bench QM")
    qm.groups.set(Group.objects.filter(name=Role.QUALITY_MANAGER))
    staff = User.objects.create_user("bench-staff", password="x", full_name="Bench Staff")
    staff.groups.set(Group.objects.filter(name=Role.STAFF))
    owners = [User.objects.create_user(f"bench-owner{i}", password="x", full_name=f"Owner {i}") for i in range(20)]
    doc_type = DocumentType.objects.get(code="SOP")

    _seed(0, FIRST, users=owners, depts=depts, doc_type=doc_type, rng=rng)
    analyze()
    qm_client = client_for(qm)
    register = get_ok(qm_client, "/documents/")
    register()
    queries_small = count_queries(register)

    _seed(FIRST, TOTAL, users=owners, depts=depts, doc_type=doc_type, rng=rng)
    analyze()
    _vacuum()
    register()  # warm (a session's last-seen mark is written at most every few minutes)
    queries_big = count_queries(register)
    times = timings(register, runs=40)
    emit("documents.register.p50_ms", p50(times), "ms")
    emit("documents.register.p95_ms", p95(times), "ms")
    emit("documents.register.queries_at_100", queries_small, "queries")
    emit("documents.register.queries_at_10000", queries_big, "queries")

    # The QM's home dashboard with its charts (issue 18), server time, uncached
    # (every request computes it, as after any write) and from the per-user cache.
    from django.test import override_settings

    # The page carries the task sections; its charts come in a second request (htmx, on load).
    dashboard = get_ok(qm_client, "/")

    def charts():
        response = qm_client.get("/charts/", headers={"HX-Request": "true"})
        assert response.status_code == 200, response.status_code

    with override_settings(DASHBOARD_CACHE_SECONDS=0):
        emit("dashboard.qm.queries", count_queries(dashboard), "queries")
        emit("dashboard.qm.p95_ms", p95(timings(dashboard, runs=30)), "ms")
        emit("dashboard.charts.queries", count_queries(charts), "queries")
        emit("dashboard.charts.p95_ms", p95(timings(charts, runs=30)), "ms")
    with override_settings(DASHBOARD_CACHE_SECONDS=60):
        emit("dashboard.qm.cached_p95_ms", p95(timings(dashboard, runs=30)), "ms")
        emit("dashboard.charts.cached_p95_ms", p95(timings(charts, runs=30)), "ms")

    numbers = list(Document.objects.order_by("?").values_list("number", flat=True)[:40])
    staff_client = client_for(staff)
    pages = iter(numbers * 2)

    def page():
        get_ok(qm_client, f"/documents/{next(pages)}/")()

    get_ok(qm_client, f"/documents/{numbers[0]}/")()
    page_queries = count_queries(get_ok(qm_client, f"/documents/{numbers[0]}/"))
    count_queries(get_ok(staff_client, f"/documents/{numbers[0]}/"))
    times = timings(page, runs=40, warmup=3)
    emit("documents.page.p95_ms", p95(times), "ms")
    emit("documents.page.queries", page_queries, "queries")

    # A mix of searches: common words (thousands of matches, ranked page of 50),
    # a rare marker (one document), a number and a two-word query.
    terms = ["calibration", "torque supplier", f"zq{rng.randint(0, TOTAL - 1)}x", "micrometer", "quarantine",
             "SOP-QA-00040", "hardness test", f"zq{rng.randint(0, TOTAL - 1)}x"]
    queries = iter(terms * 10)

    def search():
        get_ok(staff_client, f"/documents/?q={next(queries)}")()

    times = timings(search, runs=40, warmup=4)
    emit("documents.search.p50_ms", p50(times), "ms")
    emit("documents.search.p95_ms", p95(times), "ms")

    # Search as hits grow (issue 18): at 50,000 documents, a word in half of them
    # and a word in one, as a staff member (effective revisions only).
    _seed(TOTAL, SEARCH_TOTAL, users=owners, depts=depts, doc_type=doc_type, rng=rng)
    analyze()
    _vacuum()
    label = f"{SEARCH_TOTAL // 1000}k"
    common = get_ok(staff_client, "/documents/?q=halfmark")
    common()
    emit(f"documents.search_common_{label}.queries", count_queries(common), "queries")
    emit(f"documents.search_common_{label}.p95_ms", p95(timings(common, runs=40, warmup=3)), "ms")
    rare_terms = iter([f"zq{rng.randint(0, SEARCH_TOTAL - 1)}x" for _ in range(60)])
    emit(f"documents.search_rare_{label}.p95_ms",
         p95(timings(lambda: get_ok(staff_client, f"/documents/?q={next(rare_terms)}")(), runs=40, warmup=3)), "ms")
