"""The evidence pack job, built through /auditor/packs/ from real data: the
revisions in force in the period, the records with their evidence, the audit
report, findings and CAPA tables; every manifest hash equals its file's hash,
the Job's SHA-256 is the stored ZIP's, the verifier passes the intact pack and
names the one file whose byte changed; an external auditor's pack keeps to
their scope."""

import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from auditor.packs import verify_pack
from audits import services as audit_services
from qms.models import Clause, Job
from tests.audits.factories import REPORT_VALUES, make_audit, make_process
from tests.celery_utils import real_worker, wait_for_job
from tests.documents.factories import make_effective, new_revision
from tests.records.factories import make_record, make_type
from tests.records.factories import pdf_upload as record_upload


def _clause(number):
    return Clause.objects.get(number=number)


@pytest.fixture
def world(author, approver, staff, auditor, quality_manager, password):
    today = timezone.localdate()
    gauge = make_effective(author, approver, title="Gauge calibration", clauses=[_clause("7.1.5.1")])
    rev1 = gauge.effective_revision
    rev2 = new_revision(author, approver, gauge)  # supersedes rev 1 today: both were in force in the period
    rev3 = new_revision(author, approver, gauge, content="# Purpose\nNext year", effective_date=today + timedelta(days=60))
    hiring = make_effective(author, approver, title="Hiring", clauses=[_clause("7.2")])
    cal = make_type("CAL", verification_required=False)
    cal.clauses.set([_clause("7.1.5.1")])
    trn = make_type("TRN", verification_required=False)
    trn.clauses.set([_clause("7.2")])
    rec_in = make_record(staff, cal, evidence=[record_upload("cert.pdf", size=3000)])
    rec_out = make_record(staff, trn, evidence=[record_upload("training.pdf")])
    process = make_process(code="MET", name="Metrology", dept_code="MET", owner=approver)
    audit = make_audit(quality_manager, auditor, process, state="in_progress", clauses=("7.1.5",),
                       start=timezone.now() - timedelta(days=2))
    finding = audit_services.finding_raise(
        actor=auditor, audit=audit, finding_type="minor_nc", clause=_clause("7.1.5.1"),
        statement="Gauge G-17 overdue for calibration", owner=staff,
        evidence=audit_services.EvidenceSpec(record=rec_in),
    )
    audit_services.report_save(actor=auditor, audit=audit, values=REPORT_VALUES)
    audit_services.report_issue(actor=auditor, audit=audit, password=password)
    return {"today": today, "gauge": gauge, "rev1": rev1, "rev2": rev2, "rev3": rev3, "hiring": hiring,
            "rec_in": rec_in, "rec_out": rec_out, "audit": audit, "finding": finding}


def _build(client, django_capture_on_commit_callbacks, *, clauses, start, end):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/auditor/packs/", {"clauses": clauses, "start": start.isoformat(), "end": end.isoformat()})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.filter(kind="evidence_pack").latest("created_at")
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == Job.Status.READY, job.error
    with default_storage.open(job.file.name, "rb") as fh:
        return job, fh.read()


def _tamper(src: bytes, member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == member:
                data = data[:10] + bytes([data[10] ^ 0xFF]) + data[11:]
            zout.writestr(item, data)
    return out.getvalue()


@pytest.mark.django_db
def test_pack_for_a_clause_and_period_holds_the_evidence_and_verifies(
    client_for, quality_manager, world, django_capture_on_commit_callbacks
):
    today = world["today"]
    job, data = _build(client_for(quality_manager), django_capture_on_commit_callbacks,
                       clauses=["7.1.5"], start=today - timedelta(days=30), end=today)
    assert job.sha256 == hashlib.sha256(data).hexdigest() and job.size == len(data)
    assert job.filename.endswith(".zip") and job.progress == 100

    zf = zipfile.ZipFile(io.BytesIO(data))
    names = set(zf.namelist())
    number = world["gauge"].number
    assert {f"documents/{number}-rev-{world['rev1'].label}.pdf", f"documents/{number}-rev-{world['rev2'].label}.pdf"} <= names
    assert not any(world["rev3"].label and n == f"documents/{number}-rev-{world['rev3'].label}.pdf" for n in names)
    assert not any(world["hiring"].number in n for n in names)
    rec_in, rec_out = world["rec_in"], world["rec_out"]
    assert {f"records/{rec_in.number}/{rec_in.number}.pdf", f"records/{rec_in.number}/cert.pdf"} <= names
    assert not any(rec_out.number in n for n in names)
    assert f"audits/{world['audit'].number}-report.pdf" in names
    assert {"tables/findings.csv", "tables/findings.json", "tables/capas.csv", "tables/capas.json",
            "manifest.csv", "manifest.json", "README.txt"} <= names
    for member in names - {"manifest.csv", "manifest.json", "manifest.sig", "README.txt"}:
        if member.endswith(".pdf"):
            assert zf.read(member).startswith(b"%PDF"), member
    # The evidence file is the uploaded one, byte for byte.
    evidence = rec_in.evidence.get()
    assert hashlib.sha256(zf.read(f"records/{rec_in.number}/cert.pdf")).hexdigest() == evidence.sha256

    # Tables with human labels.
    findings = json.loads(zf.read("tables/findings.json"))
    assert findings == [{**findings[0], "Audit": world["audit"].number, "Type": world["finding"].get_finding_type_display(),
                         "Statement": "Gauge G-17 overdue for calibration", "CAPA": world["finding"].capa.number}]
    capas = zf.read("tables/capas.csv").decode("utf-8-sig")
    assert world["finding"].capa.number in capas and "Minor" in capas and "Open" in capas

    # Every manifest hash is the hash of the file in the ZIP, in both manifests.
    manifest = json.loads(zf.read("manifest.json"))
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.csv", "manifest.json", "manifest.sig", "README.txt"}
    for f in manifest["files"]:
        content = zf.read(f["path"])
        assert hashlib.sha256(content).hexdigest() == f["sha256"] and len(content) == f["size"]
    csv_lines = zf.read("manifest.csv").decode().splitlines()[1:]
    assert sorted(line.split(",")[1] for line in csv_lines) == sorted(f["sha256"] for f in manifest["files"])
    assert "7.1.5" in zf.read("README.txt").decode()

    # The verifier passes the intact pack and names exactly the changed file;
    # the server's seal of the build names it.
    assert verify_pack(io.BytesIO(data)).ok
    from auditor.models import PackSeal
    from auditor.packs import verify_evidence_pack

    seal = PackSeal.objects.get()
    assert seal.files == len(manifest["files"]) and manifest["pack"] == seal.pack_id
    assert verify_evidence_pack(io.BytesIO(data)).seal == seal
    target = f"records/{rec_in.number}/cert.pdf"
    result = verify_pack(io.BytesIO(_tamper(data, target)))
    assert not result.ok and result.changed == [target] and not result.missing and not result.extra


@pytest.mark.django_db
def test_pack_page_lists_previous_packs_and_links_the_verifier(client_for, quality_manager, world,
                                                               django_capture_on_commit_callbacks):
    c = client_for(quality_manager)
    today = world["today"]
    job, _ = _build(c, django_capture_on_commit_callbacks, clauses=["7.1.5"], start=today - timedelta(days=3), end=today)
    page = c.get("/auditor/packs/").content.decode()
    assert job.get_absolute_url() in page and job.sha256 in page and "/auditor/packs/verify/" in page
    download = c.get(f"/jobs/{job.public_id}/download/")
    assert download.status_code == 200


@pytest.mark.django_db
def test_external_auditor_pack_excludes_what_is_outside_their_scope(client_for, external_auditor, world,
                                                                   django_capture_on_commit_callbacks):
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([_clause("7.1.5")])
    today = world["today"]
    # Asking for everything still gives only the grant's clauses.
    job, data = _build(client_for(external_auditor), django_capture_on_commit_callbacks,
                       clauses=[], start=today - timedelta(days=30), end=today)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert f"records/{world['rec_in'].number}/cert.pdf" in names
    assert not any(world["rec_out"].number in n for n in names)
    assert not any(world["hiring"].number in n for n in names)
    assert job.requested_by == external_auditor and verify_pack(io.BytesIO(data)).ok
    # A clause outside the grant cannot be chosen.
    response = client_for(external_auditor).post("/auditor/packs/", {"clauses": ["7.2"], "start": "2026-01-01",
                                                                     "end": "2026-01-31"})
    assert response.status_code == 200 and "7.2 is not one of the available choices" in response.content.decode()
    assert Job.objects.filter(kind="evidence_pack").count() == 1


@pytest.mark.django_db
def test_pack_is_refused_when_the_auditors_access_was_revoked_before_it_ran(external_auditor, quality_manager):
    from auditor import services as auditor_services
    from auditor.pack_builder import PackScope, request_pack
    from qms import jobs

    today = timezone.localdate()
    job = request_pack(actor=external_auditor, scope=PackScope((), today - timedelta(days=1), today))
    auditor_services.revoke_access(actor=quality_manager, access=external_auditor.auditor_access, reason="Audit over")
    assert jobs.execute(job.pk) == Job.Status.FAILED
    job.refresh_from_db()
    assert "access is closed" in job.error and not job.file
    # The refusal is kept as a stored text (qms.stored_text): the auditor reads it in their language.
    from django.utils import translation

    from qms import stored_text

    with translation.override("de"):
        assert stored_text.display(job, "error").startswith("Ihr Auditorenzugang")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload, error",
    [
        ({"clauses": ["7.1.5"], "start": "2026-03-31", "end": "2026-03-01"}, "must end on or after its start"),
        ({"clauses": ["99.9"], "start": "2026-03-01", "end": "2026-03-31"}, "99.9"),
        ({"clauses": ["7.1.5"], "start": "not a date", "end": "2026-03-31"}, "valid date"),
    ],
)
def test_bad_input_is_a_form_error_and_no_job_is_created(client_for, quality_manager, payload, error):
    response = client_for(quality_manager).post("/auditor/packs/", payload)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Job.objects.filter(kind="evidence_pack").exists()


@pytest.mark.django_db
def test_pack_page_access(client, client_for, staff, author, quality_manager, auditor, external_auditor):
    assert client.get("/auditor/packs/").status_code == 302  # anonymous -> login
    for user in (staff, author):
        c = client_for(user)
        assert c.get("/auditor/packs/").status_code == 403
        assert c.post("/auditor/packs/", {"start": "2026-01-01", "end": "2026-12-31"}).status_code == 403
    for user in (quality_manager, auditor, external_auditor):
        assert client_for(user).get("/auditor/packs/").status_code == 200
    assert not Job.objects.filter(kind="evidence_pack").exists()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_on_redis_builds_a_pack(quality_manager, staff):
    from auditor.pack_builder import PackScope, request_pack
    from tests.audits.factories import restore_catalogue

    restore_catalogue()
    cal = make_type("CAL", verification_required=False)
    cal.clauses.set([_clause("7.1.5.1")])
    record = make_record(staff, cal, evidence=[record_upload("cert.pdf", size=5000)])
    today = timezone.localdate()
    with real_worker() as worker:
        job = request_pack(actor=quality_manager, scope=PackScope(("7.1.5",), today - timedelta(days=1), today))
        job = wait_for_job(job, worker, timeout=180)
    assert job.status == Job.Status.READY, job.error
    with default_storage.open(job.file.name, "rb") as fh:
        data = fh.read()
    assert hashlib.sha256(data).hexdigest() == job.sha256
    assert f"records/{record.number}/cert.pdf" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert verify_pack(io.BytesIO(data)).ok
