"""Records benchmark: the register with 100,000 records, a submission with a
1 MB evidence file, and full-text search over field values.

Prints: records.register.p50_ms, records.register.p95_ms,
records.register.queries_at_1000, records.register.queries_at_100000,
records.submit.median_ms, records.search.p95_ms.

Records are inserted with bulk_create (no per-row history: a seeding shortcut
for the benchmark only), then ANALYZE, as PostgreSQL plans badly without
statistics.
"""

from __future__ import annotations

import random
import tempfile
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone

from bench.common import analyze, client_for, count_queries, fresh_database, get_ok, p50, p95, timings
from qms.models import User
from qms.permissions import Role
from records.demo import _values, seed_record_types
from records.forms import display_value
from records.models import Record

TOTAL = 100_000
SMALL = 1_000
BATCH = 5_000
REGISTER_URLS = [
    "/records/",
    "/records/?type=CAL",
    "/records/?status=submitted&verified=no",
    "/records/?clause=8.4.1&since=2024-01-01&until=2024-12-31",
    "/records/?page=40",
]
SEARCH_TERMS = ["micrometer", "Nordic Steel", "granite", "Volta Motors", "porosity", "HX-200 housing",
                "Corrosion arrival", "Internal auditor course", "L2401", "Kappa Springs"]


def _users():
    users = {}
    for username, roles in [("qm", [Role.QUALITY_MANAGER]), ("staff", [Role.STAFF]),
                            ("approver", [Role.APPROVER, Role.STAFF]), ("author", [Role.AUTHOR, Role.STAFF]),
                            ("auditor", [Role.AUDITOR, Role.STAFF])]:
        user = User.objects.create_user(username=username, password="bench-password-1", full_name=username.title())
        user.groups.set(Group.objects.filter(name__in=roles))
        users[username] = user
    return users


def _seed(users, types, *, upto: int, rng: random.Random, seqs: dict):
    """bulk_create records until there are `upto` of them."""
    now = timezone.now()
    versions = {code: rt.form_versions.get() for code, rt in types.items()}
    names = {u.pk: u for u in users.values()}
    codes = list(types)
    submitters = list(users.values())
    have = Record.objects.count()
    while have < upto:
        batch = []
        for _ in range(min(BATCH, upto - have)):
            code = rng.choice(codes)
            rt, fv = types[code], versions[code]
            when = now - timedelta(days=rng.randint(0, 6 * 365), minutes=rng.randint(0, 1440))
            seqs[(code, when.year)] = seqs.get((code, when.year), 0) + 1
            number = rt.numbering_pattern.format(code=code, year=when.year, seq=seqs[(code, when.year)])
            values = _values(code, rng, users, when)
            text = "\n".join([number] + [display_value(d, values.get(d["key"]), names) for d in fv.fields
                                         if values.get(d["key"]) not in (None, "", []) and d["type"] != "checkbox"])
            draft = rng.random() < 0.03
            submitter = rng.choice(submitters)
            submitted_at = None if draft else when + timedelta(hours=1)
            verified = rt.verification_required and not draft and rng.random() < 0.9
            batch.append(Record(
                number=number, record_type=rt, form_version=fv, values=values, search_text=text,
                status="draft" if draft else "submitted", created_by=submitter, created_at=when,
                submitted_at=submitted_at, submitted_by=None if draft else submitter,
                verified_at=submitted_at + timedelta(days=1) if verified else None,
                verified_by=(users["qm"] if submitter != users["qm"] else users["approver"]) if verified else None,
                retain_until=rt.retain_until_from(when.date()) if not draft else None,
            ))
        Record.objects.bulk_create(batch)
        have += len(batch)
    analyze()
    _vacuum()


def _vacuum():
    """What autovacuum does soon after a bulk load in production: set the
    visibility map so counts can use index-only scans."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM (ANALYZE) records_record")


def run(emit):
    fresh_database()
    rng = random.Random(9001)
    users = _users()
    types = seed_record_types(users["qm"])
    seqs: dict = {}
    qm = client_for(users["qm"])

    _seed(users, types, upto=SMALL, rng=rng, seqs=seqs)
    get_ok(qm, "/records/")()  # warm caches
    emit("records.register.queries_at_1000", count_queries(get_ok(qm, "/records/")))

    _seed(users, types, upto=TOTAL, rng=rng, seqs=seqs)
    get_ok(qm, "/records/")()
    emit("records.register.queries_at_100000", count_queries(get_ok(qm, "/records/")))
    samples = []
    for url in REGISTER_URLS:
        samples += timings(get_ok(qm, url), runs=12, warmup=2)
    emit("records.register.p50_ms", p50(samples), "ms")
    emit("records.register.p95_ms", p95(samples), "ms")

    search = []
    for term in SEARCH_TERMS:
        search += timings(get_ok(qm, f"/records/?q={term.replace(' ', '+')}"), runs=5, warmup=1)
    emit("records.search.p95_ms", p95(search), "ms")

    staff = client_for(users["staff"])
    payload = b"%PDF-1.4\n" + bytes(rng.getrandbits(8) for _ in range(1024 * 1024 - 9))
    form = {"instrument_id": "MIC-01", "calibration_date": "2026-03-02", "next_due": "2027-03-02",
            "deviation": "1.25", "result": "Pass", "action": "submit"}

    def submit():
        upload = SimpleUploadedFile("certificate.pdf", payload, content_type="application/pdf")
        response = staff.post("/records/new/CAL/", {**form, "certificate": upload})
        assert response.status_code == 302, response.status_code

    with tempfile.TemporaryDirectory(prefix="qms-bench-media-") as media, override_settings(MEDIA_ROOT=media):
        emit("records.submit.median_ms", p50(timings(submit, runs=20, warmup=2)), "ms")
