"""Planning benchmark: the risk register and its heat map with 5,000 risks, and
a KPI page with 200 KPIs × 36 monthly measurements.

Prints: risks.register.p95_ms, risks.heatmap.p95_ms, kpi.page.p95_ms (targets
< 100 ms), and each list's query count at two sizes:
risks.register.queries_small / .queries, risks.heatmap.queries_small /
.queries, kpi.page.queries_small / .queries, objectives.list.queries_small /
.queries (equal at both sizes).

Rows are inserted with bulk_create (no per-row history: a seeding shortcut for
the benchmark only), then ANALYZE, as PostgreSQL plans badly without statistics.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from bench.common import analyze, client_for, count_queries, fresh_database, get_ok, p95, timings
from planning.models import Kpi, Measurement, Objective, Risk, RiskAction, RiskAssessment, period_containing
from qms.demo import months_before
from qms.models import Clause, Department, Process, User
from qms.permissions import Role

RISKS, RISKS_SMALL = 5_000, 50
KPIS, KPIS_SMALL = 200, 5
MONTHS = 36
BATCH = 2_000
REGISTER_URLS = [
    "/planning/risks/",
    "/planning/risks/?status=&kind=risk",
    "/planning/risks/?band=High",
    "/planning/risks/?likelihood=4&impact=5",
    "/planning/risks/?overdue=actions",
    "/planning/risks/?page=40&status=",
    "/planning/risks/?q=supplier",
]


def _users():
    users = {}
    for username, roles in [("qm", [Role.QUALITY_MANAGER]), ("approver", [Role.APPROVER, Role.STAFF]),
                            ("author", [Role.AUTHOR, Role.STAFF]), ("staff", [Role.STAFF])]:
        user = User.objects.create_user(username=username, password="bench-password-1", full_name=username.title())
        user.groups.set(Group.objects.filter(name__in=roles))
        users[username] = user
    return users


def _processes():
    dept = Department.objects.create(code="OPS", name="Operations")
    return [Process.objects.create(code=f"P{i:02d}", name=f"Process {i}", department=dept) for i in range(12)]


WORDS = ["supplier", "machine", "customer", "audit", "training", "calibration", "software", "delivery", "design",
         "energy", "regulation", "cash"]


def _seed_risks(users, processes, upto: int, rng: random.Random):
    owners = list(users.values())
    home = Clause.objects.get(number="6.1")
    today = timezone.localdate()
    have = Risk.objects.count()
    through = Risk.clauses.through
    while have < upto:
        batch = []
        for _ in range(min(BATCH, upto - have)):
            lik, imp = rng.randint(1, 5), rng.randint(1, 5)
            residual = rng.random() < 0.5
            batch.append(Risk(
                kind="risk" if rng.random() < 0.8 else "opportunity",
                title=f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} risk {have + len(batch)}",
                process=rng.choice(processes), cause="Cause", effect="Effect", owner=rng.choice(owners),
                likelihood=lik, impact=imp, score=lik * imp,
                treatment="reduce", residual_likelihood=max(1, lik - 1) if residual else None,
                residual_impact=imp if residual else None,
                residual_score=max(1, lik - 1) * imp if residual else None,
                reassess_on=today + timedelta(days=rng.randint(-60, 300)),
                status=rng.choice(["open", "treating", "treating", "closed"]),
            ))
        created = Risk.objects.bulk_create(batch)
        through.objects.bulk_create([through(risk_id=r.pk, clause_id=home.pk) for r in created])
        RiskAssessment.objects.bulk_create([
            RiskAssessment(risk=r, assessed_on=today - timedelta(days=rng.randint(0, 400)), likelihood=r.likelihood,
                           impact=r.impact, score=r.score, assessed_by=r.owner) for r in created for _ in range(3)])
        RiskAction.objects.bulk_create([
            RiskAction(risk=r, description="Action", owner=r.owner, start_date=today - timedelta(days=90),
                       due_date=today + timedelta(days=rng.randint(-30, 90)),
                       status=rng.choice(["open", "done"]), completed_on=today) for r in created for _ in range(2)])
        have += len(created)
    analyze()


def _seed_kpis(users, processes, upto: int, rng: random.Random):
    qm = users["qm"]
    home = Clause.objects.get(number="6.2")
    today = timezone.localdate()
    first = period_containing(months_before(today, MONTHS), "monthly")[0]
    periods = []
    day = first
    for _ in range(MONTHS):
        periods.append(period_containing(day, "monthly"))
        day = periods[-1][1] + timedelta(days=1)
    have = Kpi.objects.count()
    while have < upto:
        n = min(50, upto - have)
        objectives = Objective.objects.bulk_create([Objective(
            statement=f"Objective {have + i}", owner=qm, process=rng.choice(processes), target=Decimal("95"),
            unit="%", start_date=first, due_date=today + timedelta(days=365), plan_what="w", plan_resources="r",
            plan_who="q", plan_when="w", plan_evaluation="e") for i in range(n)])
        Objective.clauses.through.objects.bulk_create(
            [Objective.clauses.through(objective_id=o.pk, clause_id=home.pk) for o in objectives])
        kpis = Kpi.objects.bulk_create([Kpi(
            objective=o, name=f"KPI {o.pk}", definition="d", unit="%", target=Decimal("95"), warning=Decimal("90"),
            owner=qm, start_date=first) for o in objectives])
        Measurement.objects.bulk_create([Measurement(
            kpi=k, period_start=s, period_end=e, value=Decimal(str(round(rng.uniform(85, 100), 2))), entered_by=qm)
            for k in kpis for s, e in periods])
        have += len(kpis)
    analyze()


def run(emit):
    fresh_database()
    rng = random.Random(6_1)
    users = _users()
    processes = _processes()
    qm = client_for(users["qm"])

    _seed_risks(users, processes, RISKS_SMALL, rng)
    _seed_kpis(users, processes, KPIS_SMALL, rng)
    kpi_url = f"/planning/kpis/{Kpi.objects.order_by('id').first().pk}/"
    lists = {"risks.register": "/planning/risks/", "risks.heatmap": "/planning/risks/heatmap/",
             "kpi.page": kpi_url, "objectives.list": "/planning/objectives/"}
    for name, url in lists.items():
        get_ok(qm, url)()
        emit(f"{name}.queries_small", count_queries(get_ok(qm, url)))

    _seed_risks(users, processes, RISKS, rng)
    _seed_kpis(users, processes, KPIS, rng)
    for name, url in lists.items():
        get_ok(qm, url)()
        emit(f"{name}.queries", count_queries(get_ok(qm, url)))

    samples = []
    for url in REGISTER_URLS:
        samples += timings(get_ok(qm, url), runs=10, warmup=2)
    emit("risks.register.p95_ms", p95(samples), "ms")
    heat = []
    for url in ("/planning/risks/heatmap/", "/planning/risks/heatmap/?kind=risk", "/planning/risks/heatmap/?status="):
        heat += timings(get_ok(qm, url), runs=15, warmup=2)
    emit("risks.heatmap.p95_ms", p95(heat), "ms")
    pages = []
    for kpi_id in Kpi.objects.order_by("?").values_list("pk", flat=True)[:10]:
        pages += timings(get_ok(qm, f"/planning/kpis/{kpi_id}/"), runs=5, warmup=1)
    emit("kpi.page.p95_ms", p95(pages), "ms")
    emit("objectives.list.p95_ms", p95(timings(get_ok(qm, "/planning/objectives/?status=all"), runs=10, warmup=2)),
         "ms")
