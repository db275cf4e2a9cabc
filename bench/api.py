"""API benchmark: the document and record lists through the REST API at
10,000 documents and 100,000 records, with a personal access token, and a
record submission with one file.

Prints: api.documents.p95_ms, api.documents.queries_small, api.documents.queries,
api.records.p95_ms, api.records.queries_small, api.records.queries,
api.record_submit.median_ms (targets: lists < 60 ms, submission < 150 ms;
query counts equal at both sizes). Seeds with the documents and records
groups' helpers (bulk inserts, then ANALYZE).
"""

from __future__ import annotations

import os
import random
import tempfile
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from bench import documents as doc_bench
from bench import records as rec_bench
from bench.common import analyze, count_queries, fresh_database, p50, p95, timings

DOCS_SMALL, DOCS = 100, int(os.environ.get("BENCH_DOCUMENTS_TOTAL", "10000"))
RECS_SMALL, RECS = 1_000, int(os.environ.get("BENCH_RECORDS_TOTAL", "100000"))
DOC_URLS = ["/api/v1/documents/", "/api/v1/documents/?status=effective", "/api/v1/documents/?ordering=-title",
            "/api/v1/documents/?type=SOP&department=QA"]
REC_URLS = ["/api/v1/records/", "/api/v1/records/?type=CAL", "/api/v1/records/?status=submitted&verified=no",
            "/api/v1/records/?ordering=created_at"]


def _pdf() -> bytes:
    """A small valid PDF (uploads are checked to be readable)."""
    from io import BytesIO

    from pypdf import PdfWriter

    writer, out = PdfWriter(), BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


def _token_client(user) -> Client:
    from api import services

    plaintext = services.token_create(actor=user, name="bench", expires_at=timezone.now() + timedelta(days=30)).plaintext
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _get(client, url):
    def call():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response

    return call


def run(emit) -> None:
    from documents.models import DocumentType
    from qms.models import Department

    fresh_database()
    doc_bench._ensure_reference_data()
    rng = random.Random(16)
    users = rec_bench._users()
    depts = [Department.objects.get_or_create(code=c, defaults={"name": c})[0] for c in ("QA", "PRD", "ENG", "PUR")]
    doc_type = DocumentType.objects.get(code="SOP")
    owners = list(users.values())
    qm = _token_client(users["qm"])

    doc_bench._seed(0, DOCS_SMALL, users=owners, depts=depts, doc_type=doc_type, rng=rng)
    analyze()
    _get(qm, DOC_URLS[0])()
    emit("api.documents.queries_small", count_queries(_get(qm, DOC_URLS[0])), "queries")
    doc_bench._seed(DOCS_SMALL, DOCS, users=owners, depts=depts, doc_type=doc_type, rng=rng)
    analyze()
    doc_bench._vacuum()
    _get(qm, DOC_URLS[0])()  # as at the small size: the token's last-used write (once per TOUCH_EVERY) is not counted
    emit("api.documents.queries", count_queries(_get(qm, DOC_URLS[0])), "queries")
    samples = [t for url in DOC_URLS for t in timings(_get(qm, url), runs=15, warmup=2)]
    emit("api.documents.p95_ms", p95(samples), "ms")

    types = rec_bench.seed_record_types(users["qm"])
    seqs: dict = {}
    rec_bench._seed(users, types, upto=RECS_SMALL, rng=rng, seqs=seqs)
    analyze()
    _get(qm, REC_URLS[0])()
    emit("api.records.queries_small", count_queries(_get(qm, REC_URLS[0])), "queries")
    rec_bench._seed(users, types, upto=RECS, rng=rng, seqs=seqs)
    analyze()
    rec_bench._vacuum()
    _get(qm, REC_URLS[0])()
    emit("api.records.queries", count_queries(_get(qm, REC_URLS[0])), "queries")
    samples = [t for url in REC_URLS for t in timings(_get(qm, url), runs=15, warmup=2)]
    emit("api.records.p95_ms", p95(samples), "ms")

    staff = _token_client(users["staff"])
    payload = _pdf()
    form = {"record_type": "CAL", "submit": "true", "instrument_id": "MIC-01", "calibration_date": "2026-03-02",
            "next_due": "2027-03-02", "deviation": "1.25", "result": "Pass"}

    def submit():
        upload = SimpleUploadedFile("certificate.pdf", payload, content_type="application/pdf")
        response = staff.post("/api/v1/records/", {**form, "certificate": upload})
        assert response.status_code == 201, (response.status_code, response.content[:300])

    with tempfile.TemporaryDirectory(prefix="qms-bench-media-") as media, override_settings(MEDIA_ROOT=media):
        emit("api.record_submit.median_ms", p50(timings(submit, runs=20, warmup=2)), "ms")
