"""People and resources benchmark (ISO 9001 7.1.5, 7.2, 8.4): `make bench ONLY=people`.

Parts, each a function `part(emit)` in PARTS, run on one fresh database:

- training: the training matrix at 2,000 people × 300 competences, first page,
  as the quality manager sees it. Prints training.matrix.p95_ms (target < 200)
  and the page's query count at a small size and at full size,
  training.matrix.queries_small / training.matrix.queries (equal). The column
  counts run over everyone filtered and are cached until the data changes:
  training.matrix.cold_p95_ms is the page right after a change.
- suppliers, equipment: to be added by their apps (see PARTS below).

Rows are inserted with bulk_create (no per-row history: a seeding shortcut for
the benchmark only), then ANALYZE, as PostgreSQL plans badly without statistics.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from bench.common import analyze, client_for, count_queries, fresh_database, get_ok, p50, p95, timings
from qms.models import Department, Signature, User
from qms.permissions import Role

PEOPLE = 2_000
COMPETENCES = 300
ROLES = 60
SMALL_PEOPLE = 40
SMALL_COMPETENCES = 30
MATRIX_URLS = ["/training/matrix/", "/training/matrix/?department={dept}", "/training/matrix/?role={role}",
               "/training/matrix/?page=20", "/training/matrix/?cols=5"]


# ------------------------------------------------------------------ training (7.2, 7.3)
def _documents(qm, dept, n, rng):
    """`n` effective SOPs, a third of them with a later significant revision (bulk, bench only)."""
    from documents.models import Document, DocumentType, Revision

    sop = DocumentType.objects.get(code="SOP")
    now, today = timezone.now(), timezone.localdate()
    start = Document.objects.count()
    docs = Document.objects.bulk_create([
        Document(number=f"SOP-B-{start + i:04d}", title=f"Bench procedure {start + i}", doc_type=sop, owner=qm,
                 department=dept) for i in range(n)])
    revs = []
    for d in docs:
        revised = rng.random() < 0.33
        revs.append(Revision(document=d, seq=1, label="00", created_by=qm, significance="significant",
                             status=Revision.Status.SUPERSEDED if revised else Revision.Status.EFFECTIVE,
                             effective_date=today - timedelta(days=800), effective_at=now - timedelta(days=800)))
        if revised:
            revs.append(Revision(document=d, seq=2, label="01", created_by=qm, status=Revision.Status.EFFECTIVE,
                                 significance=rng.choice(["significant", "editorial"]),
                                 effective_date=today - timedelta(days=20), effective_at=now - timedelta(days=20)))
    Revision.objects.bulk_create(revs, batch_size=2000)
    effective = {r.document_id: r for r in Revision.objects.filter(document__in=docs, status=Revision.Status.EFFECTIVE)}
    for d in docs:
        d.effective_revision = d.latest_revision = effective[d.pk]
    Document.objects.bulk_update(docs, ["effective_revision", "latest_revision"], batch_size=2000)
    return docs


def _seed_training(qm, trainer, *, people: int, competences: int, roles: int, rng: random.Random, tag: str):
    from documents.models import Acknowledgement, Revision
    from training.models import Assignment, Competence, JobRole, Person, Requirement, TrainingRecord

    depts = [Department.objects.get_or_create(code=f"{tag}{i}", defaults={"name": f"Bench dept {tag}{i}"})[0]
             for i in range(8)]
    n_read = competences // 3
    docs = _documents(qm, depts[0], n_read + competences // 6, rng)
    kinds = [Competence.Kind.COURSE, Competence.Kind.ON_THE_JOB, Competence.Kind.CERTIFICATE]
    comps = Competence.objects.bulk_create([
        Competence(code=f"{tag}C{i:03d}", name=f"Competence {tag}{i}",
                   kind=Competence.Kind.READ if i < n_read else rng.choice(kinds),
                   validity_months=None if i < n_read else rng.choice([None, 12, 24, 36]))
        for i in range(competences)])
    through = Competence.documents.through
    links = [through(competence_id=c.pk, document_id=docs[i].pk) for i, c in enumerate(comps[:n_read])]
    links += [through(competence_id=c.pk, document_id=docs[n_read + j].pk)
              for j, c in enumerate(comps[n_read:n_read + competences // 6])]
    through.objects.bulk_create(links)
    job_roles = JobRole.objects.bulk_create([JobRole(code=f"{tag}R{i:02d}", name=f"Role {tag}{i}") for i in range(roles)])
    per_role = max(3, min(25, competences // 4))
    reqs = {r.pk: rng.sample(comps, per_role) for r in job_roles}
    Requirement.objects.bulk_create([Requirement(role=r, competence=c) for r in job_roles for c in reqs[r.pk]])
    users = User.objects.bulk_create([
        User(username=f"{tag}p{i}", full_name=f"Bench Person {tag}{i}", password="!") for i in range(people * 3 // 4)])
    staff = Group.objects.get(name=Role.STAFF)
    User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=staff.pk) for u in users])
    persons = Person.objects.bulk_create([
        Person(name=f"Bench Person {tag}{i:04d}", department=rng.choice(depts), user=users[i] if i < len(users) else None)
        for i in range(people)])
    today = timezone.localdate()
    assignments, pairs = [], set()
    for p in persons:
        for r in rng.sample(job_roles, rng.choice([1, 1, 2, 3])):
            assignments.append(Assignment(person=p, role=r, assigned_on=today))
            pairs.update((p.pk, c.pk) for c in reqs[r.pk])
    Assignment.objects.bulk_create(assignments, batch_size=5000)
    by_pk = {c.pk: c for c in comps}
    person_user = {p.pk: p.user_id for p in persons}
    doc_of = {ln.competence_id: ln.document_id for ln in links}
    revs = {}
    for rev in Revision.objects.filter(document__in=docs).only("pk", "document_id", "seq"):
        revs.setdefault(rev.document_id, []).append(rev)
    ct = ContentType.objects.get_for_model(TrainingRecord)
    records, acks, now = [], [], timezone.now()
    for pid, cid in pairs:
        c = by_pk[cid]
        roll = rng.random()
        if c.kind == Competence.Kind.READ:
            uid = person_user[pid]
            if uid and roll < 0.9:
                for rev in sorted(revs[doc_of[cid]], key=lambda r: r.seq)[: 1 if roll < 0.3 else 2]:
                    acks.append(Acknowledgement(revision=rev, user_id=uid, assigned_at=now, due_date=today,
                                                acknowledged_at=now - timedelta(days=rng.randint(1, 700))))
        elif roll < 0.85:
            records.append(TrainingRecord(person_id=pid, competence=c, trained_on=today - timedelta(days=rng.randint(1, 1300)),
                                          trainer=trainer, method="classroom", result="competent",
                                          effectiveness_method="Supervisor check", created_by=qm, signed_at=now))
    Acknowledgement.objects.bulk_create(acks, batch_size=5000, ignore_conflicts=True)
    TrainingRecord.objects.bulk_create(records, batch_size=5000)
    sigs = Signature.objects.bulk_create([
        Signature(signer=trainer, printed_name=trainer.full_name, signed_at=now, meaning=Signature.Meaning.VERIFIED,
                  content_type=ct, object_id=r.pk, content_hash="0" * 64) for r in records], batch_size=5000)
    for r, s in zip(records, sigs, strict=True):
        r.trainer_signature, r.status = s, TrainingRecord.Status.SIGNED
    TrainingRecord.objects.bulk_update(records, ["trainer_signature", "status"], batch_size=5000)
    return depts, job_roles


def training(emit):
    rng = random.Random(7272)
    qm = User.objects.create_user(username="qm", password="bench-password-1", full_name="Quality Manager")
    qm.groups.set(Group.objects.filter(name=Role.QUALITY_MANAGER))
    trainer = User.objects.create_user(username="trainer", password="bench-password-1", full_name="Tara Trainer")
    trainer.groups.set(Group.objects.filter(name__in=[Role.STAFF]))
    client = client_for(qm)

    _seed_training(qm, trainer, people=SMALL_PEOPLE, competences=SMALL_COMPETENCES, roles=5, rng=rng, tag="S")
    analyze()
    get_ok(client, "/training/matrix/")()
    emit("training.matrix.queries_small", count_queries(get_ok(client, "/training/matrix/")))

    depts, roles = _seed_training(qm, trainer, people=PEOPLE - SMALL_PEOPLE, competences=COMPETENCES - SMALL_COMPETENCES,
                                  roles=ROLES, rng=rng, tag="B")
    analyze()
    get_ok(client, "/training/matrix/")()
    emit("training.matrix.queries", count_queries(get_ok(client, "/training/matrix/")))
    from django.core.cache import cache

    def cold():
        cache.clear()  # the column counts recomputed, as after any change to the data
        get_ok(client, "/training/matrix/")()

    emit("training.matrix.cold_p95_ms", p95(timings(cold, runs=8, warmup=1)), "ms")
    first = timings(get_ok(client, "/training/matrix/"), runs=20, warmup=3)
    emit("training.matrix.p50_ms", p50(first), "ms")
    emit("training.matrix.p95_ms", p95(first), "ms")
    samples = []
    for url in MATRIX_URLS:
        samples += timings(get_ok(client, url.format(dept=depts[1].pk, role=roles[3].pk)), runs=8, warmup=1)
    emit("training.matrix.filtered_p95_ms", p95(samples), "ms")


# ------------------------------------------------------------------ the parts of this group
# Suppliers (8.4) and equipment (7.1.5): add `def suppliers(emit)` / `def equipment(emit)` above,
# printing suppliers.list.p95_ms / equipment.list.p95_ms and their queries_small / queries,
# and list them here. Each part seeds its own rows; the database is fresh once per run.
PARTS = [training]


def run(emit):
    fresh_database()
    for part in PARTS:
        part(emit)
