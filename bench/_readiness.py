"""The readiness map (/clauses/) on the benchmark data set: 10,000 documents,
100,000 records and 2,000 audits (queries also at a tenth). Used by the
`auditor` group; it reuses the other groups' bulk seeding."""

from __future__ import annotations

import random

from django.contrib.auth.models import Group

from bench import audits as bench_audits
from bench import documents as bench_documents
from bench import records as bench_records
from bench.common import analyze, client_for, count_queries, get_ok, p50, p95, timings

# Clauses the seeded documents are linked to, in turn (maintain clauses and a few others).
DOC_CLAUSES = ["4.3", "4.4.2", "5.2.2", "6.2.1", "7.1.5.1", "7.2", "7.5.1", "7.5.3.2", "8.1", "8.2.4", "8.4.1",
               "8.5.1", "8.6", "8.7.2", "9.1.1", "9.2.2", "9.3.3", "10.2.2"]


def _link_documents(first_pk: int | None = None) -> None:
    from documents.models import Document
    from qms.models import Clause

    ids = dict(Clause.objects.filter(number__in=DOC_CLAUSES).values_list("number", "pk"))
    through = Document.clauses.through
    docs = Document.objects.filter(clauses__isnull=True).values_list("pk", flat=True)
    through.objects.bulk_create(
        [through(document_id=pk, clause_id=ids[DOC_CLAUSES[pk % len(DOC_CLAUSES)]]) for pk in docs], batch_size=5000
    )


def bench_readiness(emit) -> None:
    from documents.models import DocumentType
    from qms.models import Department, User
    from qms.permissions import Role
    from records.demo import seed_record_types

    rng = random.Random(2026)
    bench_documents._ensure_reference_data()
    users = bench_records._users()
    types = seed_record_types(users["qm"])  # {code: RecordType}
    depts = [Department.objects.get_or_create(code=c, defaults={"name": c})[0] for c in ("QA", "PRD", "ENG", "PUR")]
    owners = [User.objects.create_user(f"bench-owner{i}", password="x", full_name=f"Owner {i}") for i in range(20)]
    sop = DocumentType.objects.get(code="SOP")
    ctx = bench_audits._setup()
    qm = User.objects.get(username="qm")
    qm.groups.set(Group.objects.filter(name=Role.QUALITY_MANAGER))
    seqs: dict = {}

    def grow(docs: int, records: int, audits: int, offset: int, have_docs: int) -> None:
        bench_documents._seed(have_docs, docs, users=owners, depts=depts, doc_type=sop, rng=rng)
        _link_documents()
        bench_records._seed(users, types, upto=records, rng=rng, seqs=seqs)
        bench_audits._seed(ctx, audits=audits, findings=audits * 5, capas=audits * 5 // 2, offset=offset)
        analyze()

    client = client_for(qm)
    page = get_ok(client, "/clauses/")
    grow(1_000, 10_000, 200, 0, 0)
    page()
    emit("auditor.readiness.queries_small", count_queries(page), "queries")
    grow(10_000, 100_000, 1_800, 50_000, 1_000)
    page()
    emit("auditor.readiness.queries", count_queries(page), "queries")
    times = timings(page, runs=30)
    emit("auditor.readiness.p50_ms", p50(times), "ms")
    emit("auditor.readiness.p95_ms", p95(times), "ms")
