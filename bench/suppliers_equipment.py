"""External providers and measuring equipment (issue 15): the supplier register
at 5,000 suppliers and the equipment register at 20,000 instruments.

Prints suppliers.list.p95_ms and equipment.list.p95_ms (target < 100 ms, first
page as the quality manager), and each list's query count with a handful of
rows (`.queries_small`) and at full size (`.queries`): they must be equal.
Also the filtered lists (suppliers.list_due, equipment.list_overdue).

`BENCH_SUPPLIERS=5000` and `BENCH_INSTRUMENTS=20000` choose the sizes. Seeds
with bulk_create (reads are measured, not the services), then ANALYZE.
"""

from __future__ import annotations

import os
import random
from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from bench.common import analyze, client_for, count_queries, fresh_database, get_ok, p95, timings

SUPPLIERS = int(os.environ.get("BENCH_SUPPLIERS", "5000"))
INSTRUMENTS = int(os.environ.get("BENCH_INSTRUMENTS", "20000"))
SMALL = 20
BATCH = 2000


def _seed_suppliers(upto: int, *, owners, clause, rng) -> None:
    from suppliers.models import Supplier

    have = Supplier.objects.count()
    statuses = [s for s, _ in Supplier.Status.choices]
    crits = [c for c, _ in Supplier.Criticality.choices]
    today = timezone.localdate()
    while have < upto:
        batch = []
        for n in range(have, min(upto, have + BATCH)):
            batch.append(Supplier(
                code=f"SUP-{n + 1:05}", name=f"Supplier {rng.randint(0, 10**6):06} {n}", supplies="Machined parts",
                criticality=rng.choice(crits), status=rng.choice(statuses), scope_of_approval="Parts to drawing",
                owner=rng.choice(owners), clause=clause, last_score=rng.randint(30, 100),
                next_evaluation_due=today + timedelta(days=rng.randint(-60, 700))))
        Supplier.objects.bulk_create(batch)
        have += len(batch)


def _seed_instruments(upto: int, *, owners, clause, rng) -> None:
    from equipment.models import Instrument

    have = Instrument.objects.count()
    statuses = [s for s, _ in Instrument.Status.choices]
    today = timezone.localdate()
    while have < upto:
        batch = []
        for n in range(have, min(upto, have + BATCH)):
            last = today - timedelta(days=rng.randint(0, 400))
            batch.append(Instrument(
                code=f"EQ-{n + 1:06}", description=rng.choice(["Micrometer", "Caliper", "Torque wrench", "Gauge"]),
                location=rng.choice(["Lab", "Cell 1", "Cell 2", "Goods receipt"]), owner=rng.choice(owners),
                measurement_range="0–25 mm", calibration_interval_months=12,
                status=rng.choice(statuses), last_calibrated_on=last, next_due=last + timedelta(days=365),
                clause=clause))
        Instrument.objects.bulk_create(batch)
        have += len(batch)


def _measure(emit, name: str, client, url: str, *, small: int | None = None) -> int:
    call = get_ok(client, url)
    call()
    queries = count_queries(call)
    if small is None:
        emit(f"{name}.queries_small", queries, "queries")
    else:
        emit(f"{name}.queries", queries, "queries")
        emit(f"{name}.p95_ms", p95(timings(call, runs=30, warmup=3)), "ms")
    return queries


def run(emit) -> None:
    from qms.models import Clause, User
    from qms.permissions import Role

    fresh_database()
    rng = random.Random(8415)
    qm_user = User.objects.create_user("bench-qm", password="bench-password-1", full_name="Bench QM")
    qm_user.groups.set(Group.objects.filter(name=Role.QUALITY_MANAGER))
    owners = [qm_user] + [User.objects.create_user(f"bench-owner{i}", password="x", full_name=f"Owner {i}")
                          for i in range(20)]
    qm = client_for(qm_user)
    c84, c715 = Clause.objects.get(number="8.4"), Clause.objects.get(number="7.1.5")
    pages = [("suppliers.list", "/suppliers/"), ("suppliers.list_due", "/suppliers/?due=on"),
             ("equipment.list", "/equipment/"), ("equipment.list_overdue", "/equipment/?due=overdue")]

    _seed_suppliers(SMALL, owners=owners, clause=c84, rng=rng)
    _seed_instruments(SMALL, owners=owners, clause=c715, rng=rng)
    analyze()
    small = {name: _measure(emit, name, qm, url) for name, url in pages}

    _seed_suppliers(SUPPLIERS, owners=owners, clause=c84, rng=rng)
    _seed_instruments(INSTRUMENTS, owners=owners, clause=c715, rng=rng)
    analyze()
    emit("suppliers.rows", SUPPLIERS, "suppliers")
    emit("equipment.rows", INSTRUMENTS, "instruments")
    for name, url in pages:
        _measure(emit, name, qm, url, small=small[name])
