"""Customer feedback and management review benchmark: the feedback log with
20,000 entries, and compiling a management review input pack over a large
dataset (20,000 feedback entries, 10,000 CAPAs, 50,000 records, surveys and
earlier reviews' actions).

Prints: complaints.register.p95_ms (target < 100), complaints.register.queries_small
and complaints.register.queries (equal), review.pack_s (target < 10) and
review.pack_peak_mb (target < 300; Python allocations while compiling, tracemalloc).

Rows are inserted with bulk_create (no per-row history: a seeding shortcut
for the benchmark only), then ANALYZE.
"""

from __future__ import annotations

import random
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from audits.models import Capa
from bench.common import analyze, client_for, count_queries, fresh_database, get_ok, p95, timings
from bench.records import _seed as seed_records
from bench.records import _users
from qms import review_inputs
from qms.models import Clause, Process
from records.demo import seed_record_types
from reviews import services
from reviews.models import Complaint, Decision, ManagementReview, SatisfactionSurvey

TOTAL = 20_000
SMALL = 1_000
CAPAS = 10_000
RECORDS = 50_000
BATCH = 5_000
CUSTOMERS = ["Volta Motors", "Harbour Marine", "GreenAgri Machines", "Medisys Devices", "Skyline Elevators",
             "Fjord Pumps", "Orion Robotics", "Urban Rail Systems"]
URLS = [
    "/reviews/complaints/",
    "/reviews/complaints/?status=not_closed",
    "/reviews/complaints/?category=product&severity=high",
    "/reviews/complaints/?since=2024-01-01&until=2024-12-31",
    "/reviews/complaints/?q=Volta",
    "/reviews/complaints/?page=150",
]


def _complaints(users, *, upto: int, rng: random.Random, seq: list):
    clause = Clause.objects.get(number="9.1.2")
    processes = list(Process.objects.all()) or [None]
    owners = list(users.values())
    today = timezone.localdate()
    have = Complaint.objects.count()
    S = Complaint.Status
    while have < upto:
        batch = []
        for _ in range(min(BATCH, upto - have)):
            seq[0] += 1
            received = today - timedelta(days=rng.randint(3, 6 * 365))
            status = rng.choices([S.CLOSED, S.RESPONDED, S.ACKNOWLEDGED, S.OPEN], [80, 8, 6, 6])[0]
            ack = received + timedelta(days=rng.randint(0, 3)) if status != S.OPEN else None
            resp = received + timedelta(days=rng.randint(2, 25)) if status in (S.CLOSED, S.RESPONDED) else None
            batch.append(Complaint(
                number=f"CF-{received.year}-{seq[0]:06d}", kind=rng.choices(["complaint", "compliment", "suggestion"],
                                                                            [80, 10, 10])[0],
                customer=rng.choice(CUSTOMERS), channel=rng.choice(Complaint.Channel.values), received_on=received,
                reference=f"PO-{rng.randint(10000, 99999)}", description="Parts out of tolerance " * rng.randint(1, 8),
                category=rng.choice(Complaint.Category.values), severity=rng.choice(Complaint.Severity.values),
                owner=rng.choice(owners), process=rng.choice(processes), clause=clause, acknowledged_on=ack,
                responded_on=resp, response="Answered" if resp else "",
                resolution="Resolved" if status == S.CLOSED else "", status=status, created_by=users["qm"]))
        Complaint.objects.bulk_create(batch)
        have += len(batch)
    analyze()


def _capas(users, rng):
    now = timezone.now()
    owners = list(users.values())
    clauses = list(Clause.objects.filter(number__regex=r"^[4-9]\.|^10\."))
    processes = list(Process.objects.all()) or [None]
    batch = []
    for i in range(CAPAS):
        raised = now - timedelta(days=rng.randint(1, 3 * 365))
        closed = rng.random() < 0.8
        batch.append(Capa(number=f"NC-B-{i:06d}", source=rng.choice([s for s in Capa.Source.values
                                                                     if s != "audit_finding"]),
                          title="Bench nonconformity", description="x", severity=rng.choice(Capa.Severity.values),
                          owner=rng.choice(owners), raised_by=users["qm"], raised_at=raised,
                          due_date=(raised + timedelta(days=60)).date(), clause=rng.choice(clauses),
                          process=rng.choice(processes), status="closed" if closed else "open",
                          closed_at=raised + timedelta(days=rng.randint(10, 120)) if closed else None))
    Capa.objects.bulk_create(batch, batch_size=BATCH)


def _surveys_and_reviews(users, rng):
    qm = users["qm"]
    today = timezone.localdate()
    clause_s, clause_r = Clause.objects.get(number="9.1.2"), Clause.objects.get(number="9.3")
    SatisfactionSurvey.objects.bulk_create([SatisfactionSurvey(
        title=f"Survey {i}", period_start=today - timedelta(days=30 * i + 90), period_end=today - timedelta(days=30 * i),
        score=Decimal(rng.randint(60, 95)), scale_max=100, respondents=rng.randint(5, 80), clause=clause_s,
        entered_by=qm) for i in range(1, 200)])
    reviews = ManagementReview.objects.bulk_create([ManagementReview(
        number=f"MR-B-{i:03d}", title="Past review", meeting_date=today - timedelta(days=180 * i),
        chair=qm, period_start=today - timedelta(days=180 * i + 365), period_end=today - timedelta(days=180 * i + 1),
        clause=clause_r, created_by=qm) for i in range(1, 41)])
    owners = list(users.values())
    Decision.objects.bulk_create([Decision(
        review=r, seq=j, kind=rng.choice(Decision.Kind.values), text="Decision", action_description="Action",
        action_owner=rng.choice(owners), action_due_date=r.meeting_date + timedelta(days=rng.randint(30, 400)),
        action_status=rng.choice(["open", "done"]),
        completed_at=timezone.now() - timedelta(days=rng.randint(0, 300))) for r in reviews for j in range(1, 26)])


def run(emit):
    fresh_database()
    rng = random.Random(1402)
    users = _users()
    qm = client_for(users["qm"])
    seq = [0]
    _complaints(users, upto=SMALL, rng=rng, seq=seq)
    get_ok(qm, URLS[0])()
    emit("complaints.register.queries_small", count_queries(get_ok(qm, URLS[0])))
    _complaints(users, upto=TOTAL, rng=rng, seq=seq)
    get_ok(qm, URLS[0])()
    emit("complaints.register.queries", count_queries(get_ok(qm, URLS[0])))
    samples = []
    for url in URLS:
        samples += timings(get_ok(qm, url), runs=12, warmup=2)
    emit("complaints.register.p95_ms", p95(samples), "ms")

    _capas(users, rng)
    seed_records(users, seed_record_types(users["qm"]), upto=RECORDS, rng=rng, seqs={})
    _surveys_and_reviews(users, rng)
    analyze()
    today = timezone.localdate()
    period = review_inputs.Period(today - timedelta(days=3 * 365), today)
    review_inputs.compile_inputs(period)  # warm: imports, pygal
    tracemalloc.start()
    start = time.perf_counter()
    review = services.review_plan(actor=users["qm"], title="Bench review", meeting_date=today + timedelta(days=7),
                                  chair=users["qm"], period_start=period.start, period_end=period.end)
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(review.pack) == len(review_inputs.INPUTS)
    emit("review.pack_s", seconds, "s")
    emit("review.pack_peak_mb", peak / 1024 / 1024, "MB")
    emit("review.pack_queries", count_queries(lambda: review_inputs.compile_inputs(period)))
