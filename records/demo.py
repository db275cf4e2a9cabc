"""Demo quality records: the seven seeded record types and a few hundred
plausible records, most made since the QMS went live (qms.demo.go_live) and a
quarter brought over from the company's earlier registers (up to six years
old, so some are past retention). Some are drafts, some amended, some voided,
most verified within the week asked, some late, some still waiting. Idempotent.

Every record goes through the services at its own time on the demo's moving
clock, so its history rows, audit events and signatures carry that time.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from qms.demo import DEMO_PASSWORD, go_live, moving_clock
from qms.models import Clause
from records import services
from records.catalogue import SEED_TYPES
from records.models import VERIFICATION_DUE_DAYS, FormVersion, Record, RecordType

DEMO_RECORDS = 320


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


def _file(number: str, what: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{number}-{what}.txt", f"{number} {what}\nDemo evidence file.\n".encode(),
                              content_type="text/plain")


def _plan(rng, now, live_days: int):
    """(when, type code) for every demo record, oldest first: most since go-live,
    a quarter older (the registers the company brought with it), a few this month."""
    weights = {"TRN": 60, "CAL": 60, "INS": 80, "CMP": 30, "SUP": 40, "MRV": 10, "NCR": 40}
    plan = []
    for code, n in weights.items():
        for _ in range(n * DEMO_RECORDS // 320):
            r = rng.random()
            days = (rng.randint(0, 21) if r < 0.08 else rng.randint(0, live_days) if r < 0.75
                    else rng.randint(live_days, 6 * 365))
            plan.append((now - timedelta(days=days, hours=rng.randint(1, 23)), code))
    return sorted(plan)


def seed(*, users, stdout):
    """Records through the services, each at its own time on the demo clock."""
    rng = random.Random(9001)
    today = timezone.localdate()
    with moving_clock() as clock, transaction.atomic():
        now = clock.real_now
        live_days = (today - go_live(today)).days
        plan = _plan(rng, now, live_days)
        clock.at(plan[0][0] - timedelta(days=7))
        types = seed_record_types(users.get("qm"))
        if Record.objects.filter(record_type__in=types.values()).count() >= DEMO_RECORDS // 2:
            stdout.write("records: demo records already present")
            return
        counts = {"drafts": 0, "amended": 0, "void": 0, "late": 0}
        for when, code in plan:
            _seed_one(clock, rng, users, types[code], when, now, counts)
        if (sample := Record.objects.past_retention(today).filter(record_type=types["SUP"]).first()):
            clock.at(now - timedelta(days=40))
            services.record_set_legal_hold(actor=users["qm"], record=sample, hold=True,
                                           reason="Supplier dispute: keep until settled (legal)")
        past = Record.objects.past_retention(today).count()
    stdout.write(f"records: {len(plan)} demo records ({counts['drafts']} drafts, {counts['amended']} amended, "
                 f"{counts['void']} void, {counts['late']} verified late, {past} past retention)")


SUBMITTERS = ("staff", "approver", "author", "auditor", "qm")
AMEND = {"TRN": "effectiveness", "CAL": "standard", "INS": "lot", "CMP": "severity", "SUP": "comments",
         "MRV": "actions", "NCR": "lot"}


def _seed_one(clock, rng, users, rt, when, now, counts):
    code = rt.code
    submitter = users[rng.choice(SUBMITTERS)]
    age = (now - when).days
    clock.at(when)
    files = {}
    if code in ("CAL", "INS", "MRV") and rng.random() < 0.5:
        key = {"CAL": "certificate", "INS": "report", "MRV": "signed_minutes"}[code]
        files[key] = _file(f"{code}-{when:%Y%m%d}", "certificate" if code == "CAL" else "report")
    record = services.record_create(actor=submitter, record_type=rt, values=_values(code, rng, users, when),
                                    field_files=files)
    if age < 20 and rng.random() < 0.4:
        counts["drafts"] += 1
        return
    submitted = clock.at(when + timedelta(hours=1))
    record = services.record_submit(actor=submitter, record=record)
    if rng.random() < 0.04:
        counts["void"] += 1
        clock.at(submitted + timedelta(days=2))
        services.record_void(actor=users["qm"], record=record, reason=rng.choice([
            "Entered twice by mistake", "Recorded against the wrong lot",
            "Test run on a sample that was not part of the order"]))
        return
    ready = submitted
    if rng.random() < 0.08 and age > 10:
        counts["amended"] += 1
        field = AMEND[code]
        old = record.values.get(field)
        new = {"TRN": "Effective", "CMP": "High"}.get(code, f"{old or ''} (corrected)".strip())
        if new == old:
            new = {"TRN": "Partly effective", "CMP": "Critical"}[code]
        ready = clock.at(submitted + timedelta(days=rng.randint(1, 9)))
        services.record_amend(actor=submitter, record=record, values={**record.values, field: new}, reason=rng.choice([
            "Typing error found during review", "Value copied from the wrong sheet",
            "Effectiveness evaluated after follow-up"]))
    # Old records were verified long ago, most within the week asked, some late;
    # a few recent ones still wait (some of them overdue, more than 7 days).
    if rt.verification_required and (age > 40 or (age > 12 and rng.random() < 0.6) or rng.random() < 0.2):
        late = rng.random() < 0.12
        delay = timedelta(days=rng.randint(8, 30) if late else rng.randint(0, 6), hours=rng.randint(1, 8))
        verified = ready + delay
        if verified >= now:
            return
        counts["late"] += (verified - submitted).days > VERIFICATION_DUE_DAYS
        verifier = users["approver"] if submitter != users["approver"] else users["qm"]
        clock.at(verified)
        services.record_verify(actor=verifier, record=record, password=DEMO_PASSWORD, comment="")
