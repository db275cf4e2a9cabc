"""Ten times today's data (issue 21): the document register, document search,
the record register and a record page at today's size and at ten times it, in
one run, so the growth is read directly.

Prints, for SIZE in (10k, 100k) documents × 3 revisions and (100k, 1m) records:
scale.register_<SIZE>.p95_ms, scale.search_<SIZE>.p95_ms, scale.records_<SIZE>.p95_ms,
scale.record_page_<SIZE>.p95_ms, their query counts (scale.<name>.queries), the
database's own time for each (scale.<name>.db_ms, from EXPLAIN ANALYZE: the part
that depends on the data, read apart from the VM's noise), the
seconds each step of seeding took and the database size.

`BENCH_SCALE_DOCS=10000,100000` and `BENCH_SCALE_RECORDS=100000,1000000` choose
the sizes (smaller for a quick trial). Seeds with bulk_create, like the
documents and records groups (reads are measured, not the services).
"""

from __future__ import annotations

import os
import random
import time

from django.contrib.auth.models import Group
from django.db import connection

from bench import documents as docs_bench
from bench import records as records_bench
from bench.common import (
    analyze,
    client_for,
    count_queries,
    database_ms,
    fresh_database,
    get_ok,
    p50,
    p95,
    timings,
)

DOC_SIZES = [int(x) for x in os.environ.get("BENCH_SCALE_DOCS", "10000,100000").split(",")]
RECORD_SIZES = [int(x) for x in os.environ.get("BENCH_SCALE_RECORDS", "100000,1000000").split(",")]


def _label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def _db_size() -> str:
    if connection.vendor != "postgresql":
        return "n/a"
    with connection.cursor() as cur:
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return cur.fetchone()[0]


def run(emit) -> None:
    from documents.models import DocumentType
    from qms.models import Department, User
    from qms.permissions import Role
    from records.demo import seed_record_types
    from records.models import Record

    fresh_database()
    docs_bench._ensure_reference_data()
    rng = random.Random(2026)
    depts = [Department.objects.get_or_create(code=c, defaults={"name": c})[0] for c in ("QA", "PRD", "ENG", "PUR")]
    users = records_bench._users()
    owners = [User.objects.create_user(f"scale-owner{i}", password="x", full_name=f"Owner {i}") for i in range(20)]
    users["staff"].groups.add(*Group.objects.filter(name=Role.STAFF))
    doc_type = DocumentType.objects.get(code="SOP")
    qm = client_for(users["qm"])
    staff = client_for(users["staff"])

    have = 0
    for size in DOC_SIZES:
        started = time.perf_counter()
        docs_bench._seed(have, size, users=owners, depts=depts, doc_type=doc_type, rng=rng)
        analyze()
        docs_bench._vacuum()
        have = size
        label = _label(size)
        emit(f"scale.seed_documents_{label}_s", time.perf_counter() - started, "s")
        register = get_ok(qm, "/documents/")
        register()
        emit(f"scale.register_{label}.queries", count_queries(register), "queries")
        emit(f"scale.register_{label}.p95_ms", p95(timings(register, runs=30)), "ms")
        emit(f"scale.register_{label}.db_ms", database_ms(register), "ms")
        words = ["calibration", "torque supplier", f"zq{rng.randint(0, size - 1)}x", "micrometer", "SOP-QA-00040",
                 "hardness test"]
        terms = iter(words * 10)
        emit(f"scale.search_{label}.p95_ms",
             p95(timings(lambda t=terms: get_ok(staff, f"/documents/?q={next(t)}")(), runs=30, warmup=3)), "ms")
        # The database's share per search term (median of the terms), apart from the page's rendering.
        emit(f"scale.search_{label}.db_ms",
             p50([database_ms(get_ok(staff, f"/documents/?q={w}")) for w in words]), "ms")

    types = seed_record_types(users["qm"])
    seqs: dict = {}
    for size in RECORD_SIZES:
        started = time.perf_counter()
        records_bench._seed(users, types, upto=size, rng=rng, seqs=seqs)
        label = _label(size)
        emit(f"scale.seed_records_{label}_s", time.perf_counter() - started, "s")
        register = get_ok(qm, "/records/")
        register()
        emit(f"scale.records_{label}.queries", count_queries(register), "queries")
        emit(f"scale.records_{label}.p95_ms", p95(timings(register, runs=30)), "ms")
        emit(f"scale.records_{label}.db_ms", database_ms(register), "ms")
        numbers = iter(list(Record.objects.filter(status="submitted").order_by("?")
                            .values_list("number", flat=True)[:40]) * 2)
        page = lambda n=numbers: get_ok(qm, f"/records/{next(n)}/")()  # noqa: E731
        emit(f"scale.record_page_{label}.queries", count_queries(get_ok(qm, f"/records/{Record.objects.filter(status='submitted').values_list('number', flat=True).first()}/")), "queries")
        emit(f"scale.record_page_{label}.p95_ms", p95(timings(page, runs=30, warmup=3)), "ms")
        emit(f"scale.record_page_{label}.db_ms", database_ms(page), "ms")
    emit("scale.database_size", _db_size())
