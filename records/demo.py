"""Demo quality records: the seven seeded record types and a few hundred
plausible records over the last six years (some drafts, some amended, some
voided, some past retention, some waiting for verification). Idempotent.

Records are inserted with their historical dates (a service would stamp
"now"); their audit events and signatures carry the same dates.
"""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from qms.audit import attribute
from qms.models import AuditEvent, Clause, Signature
from qms.signatures import content_hash
from records import services
from records.catalogue import SEED_TYPES
from records.models import Amendment, Evidence, FormVersion, Record, RecordType

DEMO_RECORDS = 320
DEMO_REASON = "demo data (seeded with historical dates)"


def seed_record_types(actor=None) -> dict[str, RecordType]:
    """The seven seeded types with form version 1 (skips types that exist)."""
    out = {}
    clauses = {c.number: c for c in Clause.objects.all()}
    for spec in SEED_TYPES:
        rt = RecordType.objects.filter(code=spec["code"]).first()
        if rt is None:
            rt = RecordType.objects.create(
                code=spec["code"], name=spec["name"], description=spec["description"],
                retention_years=spec["retention_years"], verification_required=spec["verification_required"],
                form_document=_form_document(spec["form_keyword"]),
            )
            rt.clauses.set([clauses[n] for n in spec["clauses"] if n in clauses])
            FormVersion.objects.create(record_type=rt, version=1, fields=spec["fields"], created_by=actor,
                                       note="Seeded form")
        out[rt.code] = rt
    return out


def _form_document(keyword):
    try:
        from documents.models import Document
    except ImportError:  # pragma: no cover - documents app absent
        return None
    return Document.objects.filter(doc_type__code="FRM", title__icontains=keyword).order_by("number").first()


SUPPLIERS = ["Nordic Steel AB", "Precision Castings Ltd", "Polymer Works GmbH", "FastFix Fasteners", "CleanPack Oy",
             "Baltic Bearings", "Atlas Electronics", "Delta Coatings", "Reliable Logistics", "Kappa Springs"]
CUSTOMERS = ["Volta Motors", "Harbour Marine", "GreenAgri Machines", "Medisys Devices", "Skyline Elevators",
             "Fjord Pumps", "Orion Robotics", "Urban Rail Systems"]
PARTS = ["HX-200 housing", "PV-17 valve body", "SH-42 shaft", "BR-9 bracket", "GE-310 gear", "FL-5 flange",
         "CV-88 cover", "PN-12 pin"]
INSTRUMENTS = [("CAL-MIC-01", "Outside micrometer 0–25 mm"), ("CAL-CAL-03", "Digital caliper 150 mm"),
               ("CAL-HG-02", "Height gauge 300 mm"), ("CAL-TW-05", "Torque wrench 20–100 Nm"),
               ("CAL-PG-07", "Pressure gauge 0–16 bar"), ("CAL-CMM-01", "Coordinate measuring machine"),
               ("CAL-TH-04", "Thermometer −50–200 °C"), ("CAL-SC-06", "Weighing scale 30 kg")]
COURSES = ["ISO 9001 awareness", "Internal auditor course", "Forklift safety", "SPC basics", "Measuring instruments",
           "Welding procedure WPS-12", "Customer complaint handling", "5S workplace organisation",
           "Document control in the QMS", "Root cause analysis (5 why)"]
COMPLAINTS = ["Parts delivered with scratches on the visible face", "Wrong quantity in the shipment",
              "Thread damaged on two pieces", "Late delivery against confirmed date", "Missing certificate of conformity",
              "Corrosion found on arrival", "Dimension out of tolerance at incoming inspection",
              "Labels unreadable after transport"]
NC_TEXT = ["Bore diameter above upper tolerance", "Surface roughness out of specification", "Burr on edge",
           "Wrong material certificate", "Paint thickness below minimum", "Weld porosity found at visual check",
           "Missing chamfer", "Hardness below specification"]


def _values(code, rng, users, when):
    d = (when - timedelta(days=rng.randint(0, 3))).date()
    people = [u for u in users.values() if u.username not in ("admin", "external")]
    if code == "TRN":
        return {"trainee": rng.choice(people).pk, "course": rng.choice(COURSES), "training_date": d.isoformat(),
                "trainer": rng.choice(["Quinn Marsh", "External: TÜV Academy", "Alex Turner", "Supplier trainer"]),
                "hours": str(rng.choice([1, 2, 4, 8, 16, 24])), "method": rng.choice(["Classroom", "On the job", "E-learning", "External course"]),
                "effectiveness": rng.choice(["Effective"] * 4 + ["Partly effective", "Pending evaluation"]),
                "notes": rng.choice(["", "Practical test passed.", "Re-training planned in 12 months."])}
    if code == "CAL":
        inst = rng.choice(INSTRUMENTS)
        dev = round(rng.uniform(-3, 3), 2)
        return {"instrument_id": inst[0], "instrument": inst[1], "calibration_date": d.isoformat(),
                "next_due": (d + timedelta(days=365)).isoformat(), "deviation": str(dev),
                "result": "Pass" if abs(dev) < 2.5 else "Adjusted and passed",
                "standard": rng.choice(["Gauge block set GB-1 (DAkkS)", "Reference weights M1", "Master ring 20 mm"]),
                "calibrated_by": rng.choice(["In-house QA lab", "Kalibrierdienst Nord", "MetroCal AB"])}
    if code == "INS":
        sample = rng.choice([5, 8, 13, 20, 32, 50])
        defects = rng.choice([0] * 8 + [1, 2])
        return {"part_number": rng.choice(PARTS), "lot": f"L{when:%y%m}-{rng.randint(100, 999)}",
                "inspection_type": rng.choice(["Incoming", "In-process", "Final"]), "sample_size": str(sample),
                "defects": str(defects), "characteristics": rng.sample(["Dimensions", "Visual", "Function", "Labelling", "Packaging"], 3),
                "result": "Accept" if defects == 0 else rng.choice(["Reject", "Conditional release"]),
                "released_by": users["approver"].pk}
    if code == "CMP":
        return {"customer": rng.choice(CUSTOMERS), "received": d.isoformat(),
                "channel": rng.choice(["E-mail", "Phone", "Web form", "Sales representative"]),
                "product": rng.choice(PARTS), "description": rng.choice(COMPLAINTS),
                "severity": rng.choice(["Low", "Medium", "Medium", "High", "Critical"]),
                "justified": rng.random() < 0.6, "nc_raised": rng.random() < 0.4,
                "response_date": (d + timedelta(days=rng.randint(1, 10))).isoformat()}
    if code == "SUP":
        q = rng.randint(70, 100)
        return {"supplier": rng.choice(SUPPLIERS), "evaluation_date": d.isoformat(), "scope": rng.choice(["Raw material", "Machined parts", "Surface treatment", "Transport", "Packaging"]),
                "criteria": ["Quality", "Delivery", "Service"], "quality_score": str(q), "delivery_score": str(rng.randint(75, 100)),
                "status": "Approved" if q >= 80 else "Approved with conditions", "evaluator": users["auditor"].pk,
                "comments": rng.choice(["", "ISO 9001 certificate valid until next year.", "Improvement plan requested for delivery."])}
    if code == "MRV":
        return {"meeting_date": d.isoformat(), "attendees": "Quinn Marsh (QM)\nPriya Shah (Production)\nAlex Turner (Engineering)\nManaging Director",
                "inputs": ["Status of previous actions", "Customer satisfaction", "Quality objectives", "Audit results", "Risks and opportunities"],
                "decisions": "Quality objectives for next period confirmed. Invest in a second CMM. Supplier scorecard to be published quarterly.",
                "actions": "Budget request for CMM – MD – next quarter\nSupplier scorecard – QM – monthly",
                "next_review": (d + timedelta(days=182)).isoformat()}
    return {"product": rng.choice(PARTS), "lot": f"L{when:%y%m}-{rng.randint(100, 999)}", "quantity": str(rng.randint(1, 400)),
            "detected_at": rng.choice(["Incoming", "In-process", "Final inspection", "Customer"]),
            "description": rng.choice(NC_TEXT), "disposition": rng.choice(["Rework", "Scrap", "Use as is (concession)", "Return to supplier"]),
            "decided_by": users["qm"].pk, "containment": True}


def _event(actor, verb, record, when, frm="", to="", comment=""):
    from django.contrib.contenttypes.models import ContentType

    AuditEvent.objects.create(
        created_at=when, actor=actor, actor_name=actor.display_name, verb=verb,
        content_type=ContentType.objects.get_for_model(Record), object_id=str(record.pk), object_repr=record.number,
        from_state=frm, to_state=to, comment=comment,
    )


@transaction.atomic
def seed(*, users, stdout):
    types = seed_record_types(users.get("qm"))
    if Record.objects.filter(record_type__in=types.values()).count() >= DEMO_RECORDS // 2:
        stdout.write("records: demo records already present")
        return
    rng = random.Random(9001)
    now = timezone.now()
    weights = {"TRN": 60, "CAL": 60, "INS": 80, "CMP": 30, "SUP": 40, "MRV": 10, "NCR": 40}
    submitters = [users["staff"], users["approver"], users["author"], users["auditor"], users["qm"]]
    versions = {code: rt.form_versions.order_by("-version").first() for code, rt in types.items()}
    seq: dict[tuple[str, int], int] = {}
    counts = {"drafts": 0, "amended": 0, "void": 0, "past": 0}
    plan = sorted(
        (now - timedelta(days=rng.randint(0, 21) if rng.random() < 0.08 else rng.randint(0, 6 * 365),
                         hours=rng.randint(0, 23)), code)
        for code, n in weights.items() for _ in range(n)
    )
    for when, code in plan:
        rt, fv = types[code], versions[code]
        submitter = rng.choice(submitters)
        key = (code, when.year)
        seq[key] = seq.get(key, 0) + 1
        number = rt.numbering_pattern.format(code=code, year=when.year, seq=seq[key])
        if Record.objects.filter(number=number).exists():
            continue
        age = (now - when).days
        is_draft = age < 20 and rng.random() < 0.4
        record = Record(number=number, record_type=rt, form_version=fv, created_by=submitter, created_at=when,
                        values=_values(code, rng, users, when))
        if not is_draft:
            record.status = Record.Status.SUBMITTED
            record.submitted_at = when + timedelta(hours=1)
            record.submitted_by = submitter
            record.retain_until = rt.retain_until_from(record.submitted_at.date())
        record.search_text = services.search_text(record)
        attribute(record, submitter, DEMO_REASON)
        record.save()
        _event(submitter, "record.created", record, when, to="draft")
        if is_draft:
            counts["drafts"] += 1
            continue
        _event(submitter, "record.submitted", record, record.submitted_at, "draft", "submitted")
        if code in ("CAL", "INS", "MRV") and rng.random() < 0.5:
            name = f"{number}-certificate.txt" if code == "CAL" else f"{number}-report.txt"
            body = f"{rt.name} {number}\nDemo evidence file.\n".encode()
            stored = default_storage.save(f"records/{record.pk}/demo-{record.pk}.txt", ContentFile(body))
            Evidence.objects.create(
                record=record, field_key={"CAL": "certificate", "INS": "report", "MRV": "signed_minutes"}[code],
                file=stored, original_name=name, size=len(body), sha256=hashlib.sha256(body).hexdigest(),
                content_type="text/plain", uploaded_by=submitter, uploaded_at=when,
            )
        if rng.random() < 0.08 and age > 10:
            counts["amended"] += 1
            field = {"TRN": "effectiveness", "CAL": "standard", "INS": "lot", "CMP": "severity", "SUP": "comments",
                     "MRV": "actions", "NCR": "lot"}[code]
            old = record.values.get(field)
            new = {"TRN": "Effective", "CMP": "High"}.get(code, f"{old or ''} (corrected)".strip())
            amended_at = record.submitted_at + timedelta(days=rng.randint(1, 9))
            reason = rng.choice(["Typing error found during review", "Value copied from the wrong sheet",
                                 "Effectiveness evaluated after follow-up"])
            Amendment.objects.create(record=record, seq=1, reason=reason, old_values={field: old},
                                     new_values={field: new}, amended_by=submitter, amended_at=amended_at)
            record.values = {**record.values, field: new}
            record.amendment_count = 1
            record.search_text = services.search_text(record)
            services._db_path("amend")
            record.save()
            services._db_path("")
            _event(submitter, "record.amended", record, amended_at, to="amended v1", comment=reason)
        # Old records were verified long ago; a few recent ones wait (some overdue, > 7 days).
        if rt.verification_required and (age > 40 or (age > 12 and rng.random() < 0.6) or rng.random() < 0.2):
            verifier = users["approver"] if submitter != users["approver"] else users["qm"]
            record.verified_by, record.verified_at = verifier, record.submitted_at + timedelta(days=rng.randint(0, 6))
            record.save()
            Signature.objects.create(
                signer=verifier, printed_name=verifier.display_name, signed_at=record.verified_at, meaning="verified",
                content_type_id=_ct_id(), object_id=record.pk, content_hash=content_hash(record.signature_content()),
            )
            _event(verifier, "record.verified", record, record.verified_at, "unverified", "verified")
        if rng.random() < 0.04:
            counts["void"] += 1
            record.status, record.voided_by = Record.Status.VOID, users["qm"]
            record.voided_at = record.submitted_at + timedelta(days=2)
            record.void_reason = rng.choice(["Entered twice by mistake", "Recorded against the wrong lot",
                                             "Test run on a sample that was not part of the order"])
            record.save()
            _event(users["qm"], "record.voided", record, record.voided_at, "submitted", "void", record.void_reason)
        if record.is_past_retention:
            counts["past"] += 1
    if (sample := Record.objects.filter(record_type=types["SUP"], retain_until__lt=now.date()).first()):
        sample.legal_hold, sample.legal_hold_reason = True, "Supplier dispute: keep until settled (legal)"
        sample.save()
    stdout.write(f"records: {len(plan)} demo records ({counts['drafts']} drafts, {counts['amended']} amended, "
                 f"{counts['void']} void, {counts['past']} past retention)")


def _ct_id():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Record, for_concrete_model=False).pk
