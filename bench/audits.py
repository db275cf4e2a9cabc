"""Audits and CAPA: audit list, audit page, CAPA list and coverage view with
2,000 audits, 10,000 findings and 5,000 CAPAs (queries also at a tenth).

Rows are bulk-created (no history rows): the benchmark measures reads.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from bench.common import analyze, client_for, count_queries, fresh_database, get_ok, p50, p95, timings

FULL = {"audits": 2000, "findings": 10000, "capas": 5000}
PROCESSES = 20


def _setup():
    from audits.models import AuditProgramme, ProgrammeItem
    from qms.models import Clause, Department, Process, User
    from qms.permissions import Role

    qm = User.objects.create_user("bench-qm", password="x", full_name="Bench QM")
    qm.groups.add(Group.objects.get(name=Role.QUALITY_MANAGER))
    auditors = []
    for i in range(5):
        u = User.objects.create_user(f"bench-aud{i}", password="x", full_name=f"Auditor {i}")
        u.groups.add(Group.objects.get(name=Role.AUDITOR))
        auditors.append(u)
    dept = Department.objects.create(code="BD", name="Bench department")
    processes = [Process.objects.create(code=f"BP{i:02d}", name=f"Process {i}", department=dept) for i in range(PROCESSES)]
    year = timezone.localdate().year
    prog = AuditProgramme.objects.create(title="Bench programme", period_start=date(year, 1, 1),
                                         period_end=date(year, 12, 31), owner=qm, objectives="Bench")
    clauses = list(Clause.objects.filter(number__in=["4.4.1", "7.1.5", "7.2", "7.5.3", "8.2.3", "8.4.2", "8.5.1",
                                                     "8.7", "9.2.2", "10.2.1"]))
    ProgrammeItem.objects.bulk_create(
        [ProgrammeItem(programme=prog, process=p, frequency_months=6 if i % 4 == 0 else 12)
         for i, p in enumerate(processes)]
        + [ProgrammeItem(programme=prog, clause=c, frequency_months=12) for c in clauses[:5]]
    )
    return {"qm": qm, "auditors": auditors, "processes": processes, "programme": prog, "clauses": clauses}


def _seed(ctx, *, audits: int, findings: int, capas: int, offset: int):
    """Append `audits` audits with `findings` findings and `capas` CAPAs (one action each)."""
    from audits.models import Audit, Capa, CapaAction, ChecklistItem, Finding

    rnd = random.Random(offset)
    qm, auditors, processes, clauses = ctx["qm"], ctx["auditors"], ctx["processes"], ctx["clauses"]
    tz = timezone.get_current_timezone()
    year = timezone.localdate().year
    statuses = ["planned", "prepared", "in_progress", "reported", "closed"]
    rows = []
    for i in range(offset, offset + audits):
        start = datetime(year - 2, 1, 1, 9, tzinfo=tz) + timedelta(days=(i * 3) % 1000)
        rows.append(Audit(number=f"IA-B-{i:05d}", programme=ctx["programme"], title=f"Audit {i}", objectives="Bench",
                          scope="Bench scope", planned_start=start, planned_end=start + timedelta(hours=6),
                          lead_auditor=auditors[i % len(auditors)], status=statuses[i % 5], created_by=qm,
                          methods="Interviews", site="Plant"))
    created = Audit.objects.bulk_create(rows)
    Audit.processes.through.objects.bulk_create(
        [Audit.processes.through(audit_id=a.pk, process_id=processes[j % PROCESSES].pk) for j, a in enumerate(created)])
    Audit.criteria_clauses.through.objects.bulk_create(
        [Audit.criteria_clauses.through(audit_id=a.pk, clause_id=clauses[j % len(clauses)].pk)
         for j, a in enumerate(created)])
    Audit.auditees.through.objects.bulk_create(
        [Audit.auditees.through(audit_id=a.pk, user_id=qm.pk) for a in created[::10]])
    ChecklistItem.objects.bulk_create(
        [ChecklistItem(audit=a, position=k, clause=clauses[k], question=f"Question {k}") for a in created[:50]
         for k in range(10)])
    per = findings // audits
    types = ["major_nc", "minor_nc", "observation", "ofi", "good_practice"]
    frows = []
    for j, a in enumerate(created):
        for k in range(per):
            frows.append(Finding(audit=a, seq=k + 1, finding_type=types[(j + k) % 5], clause=clauses[(j + k) % len(clauses)],
                                 process=processes[j % PROCESSES], statement="Bench finding " * 5, owner=qm,
                                 created_by=auditors[0]))
    fcreated = Finding.objects.bulk_create(frows, batch_size=2000)
    nc = [f for f in fcreated if f.finding_type in ("major_nc", "minor_nc")]
    crows = []
    today = timezone.localdate()
    cstatuses = ["open", "analysed", "implementing", "verifying", "effective", "closed"]
    for n in range(capas):
        f = nc[n] if n < len(nc) else None
        crows.append(Capa(number=f"NC-B-{offset + n:06d}", source="audit_finding" if f else "process", finding=f,
                          process=processes[n % PROCESSES], clause=clauses[n % len(clauses)], title=f"NC {n}",
                          description="Bench description " * 10, severity="minor", owner=qm, raised_by=qm,
                          raised_at=timezone.now() - timedelta(days=rnd.randint(0, 400)),
                          due_date=today + timedelta(days=rnd.randint(-100, 100)), status=cstatuses[n % 6]))
    ccreated = Capa.objects.bulk_create(crows, batch_size=2000)
    CapaAction.objects.bulk_create([CapaAction(capa=c, description="Bench action", owner=qm, due_date=today,
                                               status="open" if i % 2 else "done") for i, c in enumerate(ccreated)],
                                   batch_size=2000)
    return created


def run(emit):
    fresh_database()
    ctx = _setup()
    small = {k: v // 10 for k, v in FULL.items()}
    first = _seed(ctx, **small, offset=0)
    analyze()
    qm = client_for(ctx["qm"])
    audit_url = f"/audits/{first[0].pk}/"
    pages = {
        "audits.list": "/audits/",
        "audits.page": audit_url,
        "capa.list": "/capa/",
        "audits.coverage": f"/audits/programmes/{ctx['programme'].pk}/",
    }
    for url in pages.values():  # warm per-process caches (content types, templates) before counting
        get_ok(qm, url)()
    small_q = {name: count_queries(get_ok(qm, url)) for name, url in pages.items()}
    _seed(ctx, **{k: FULL[k] - small[k] for k in FULL}, offset=small["audits"] + 100000)
    analyze()
    for name, url in pages.items():
        call = get_ok(qm, url)
        t = timings(call, runs=30)
        emit(f"{name}.p50_ms", p50(t), "ms")
        emit(f"{name}.p95_ms", p95(t), "ms")
        emit(f"{name}.queries", count_queries(call))
        emit(f"{name}.queries_small", small_q[name])
