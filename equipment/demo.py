"""Demo measuring equipment: 40 instruments with their calibration history
since go-live (certificate numbers from the calibration lab), two overdue, a
few due within the month, one out for calibration, two retired, and one found
out of tolerance last week: out of service, with its nonconformity listing the
measurement records made with it since its last good calibration (the
inspection form gets a "Measured with" field). Idempotent.
"""

from __future__ import annotations

import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from equipment import services
from equipment.models import Calibration, Instrument
from qms.demo import go_live, moving_clock

KINDS = [  # prefix, description, range, interval months, location
    ("MIC", "Outside micrometer", "0–25 mm, 0.001 mm", 12, "Inspection room"),
    ("CAL", "Digital caliper", "0–150 mm, 0.01 mm", 12, "Machining cell"),
    ("HGT", "Height gauge", "0–300 mm, 0.01 mm", 24, "Inspection room"),
    ("TRQ", "Torque wrench", "20–100 N·m", 12, "Assembly line 1"),
    ("PGA", "Pressure gauge", "0–16 bar, class 1.0", 12, "Test bench"),
    ("THM", "Thermocouple thermometer", "-50–400 °C", 12, "Heat treatment"),
    ("SCL", "Weighing scale", "0–30 kg, 1 g", 12, "Goods receipt"),
    ("BOR", "Bore gauge", "18–35 mm, 0.001 mm", 12, "Inspection room"),
    ("THR", "Thread plug gauge set", "M3–M20", 24, "Machining cell"),
    ("RUG", "Surface roughness tester", "Ra 0.05–40 µm", 12, "Inspection room"),
]
LABS = ["Metro Calibration Lab", "In-house (QA lab)", "Nordic Metrology AB"]


def _measured_with_field(qm):
    """The inspection form's "Measured with" field (a new form version, once)."""
    from records import services as record_services
    from records.models import RecordType

    rt = RecordType.objects.filter(code="INS").first()
    if rt is None:
        return None
    current = record_services.current_form_version(rt)
    if any(d.get("ref_kind") == "instrument" for d in current.fields):
        return rt
    fields = list(current.fields) + [{"key": "measured_with", "label": "Measured with", "type": "reference",
                                      "ref_kind": "instrument", "required": False,
                                      "help": "The measuring instrument used (traceability, 7.1.5.2)"}]
    record_services.form_version_create(actor=qm, record_type=rt, fields=fields,
                                        note="Measuring instrument field (7.1.5.2 traceability)")
    return rt


def _calibrate(clock, rng, qm, inst, when, result="pass"):
    clock.at(when, 10)
    return services.calibration_record(
        actor=qm, instrument=inst, calibrated_on=when, result=result, performed_by=rng.choice(LABS),
        certificate_number=f"{when:%y}-{rng.randint(1000, 9999)}",
        notes="As found within tolerance." if result != "out_of_tolerance" else
        "As found: +0.006 mm at 25 mm (tolerance ±0.002 mm). Not adjustable on site.")


def seed(*, users, stdout):
    rng = random.Random(7150)
    today = timezone.localdate()
    qm = users["qm"]
    if Instrument.objects.count() >= 40:
        stdout.write("equipment: demo instruments exist, none added")
        return
    owners = [users[u] for u in ("qm", "approver", "staff", "author") if u in users]
    with moving_clock() as clock, transaction.atomic():
        now = clock.real_now
        live = go_live(today)
        plan = []
        for n in range(40):
            prefix, description, rng_text, interval, location = KINDS[n % len(KINDS)]
            plan.append((f"{prefix}-{n // len(KINDS) + 1:03}", description, rng_text, interval, location, n))
        oot_code = plan[0][0]  # MIC-001
        instruments = {}
        for code, description, rng_text, interval, location, n in plan:
            clock.at(live - timedelta(days=30))
            inst = services.instrument_create(actor=qm, code=code, description=description, owner=owners[n % len(owners)],
                                              calibration_interval_months=interval, location=location,
                                              measurement_range=rng_text)
            # The first calibration some weeks before go-live, then one per interval.
            when = live - timedelta(days=rng.randint(5, 60))
            if n in (7, 23):  # two left overdue: their last calibration is more than an interval ago
                stop = today - relativedelta(months=interval) - timedelta(days=rng.randint(5, 40))
            elif n in (3, 14, 31):  # due within the month
                stop = today - relativedelta(months=interval) + timedelta(days=rng.randint(5, 25))
            else:
                stop = today - timedelta(days=14)
            last = None
            while when <= stop:
                last = _calibrate(clock, rng, qm, inst, when, result="adjusted" if rng.random() < 0.1 else "pass")
                when = when + relativedelta(months=interval)
            if n in (3, 14, 31) and last is not None and last.calibrated_on != stop:
                when = stop
                _calibrate(clock, rng, qm, inst, when)
            instruments[code] = Instrument.objects.get(pk=inst.pk)
        rt = _measured_with_field(qm)
        measured = _records_measured(clock, rng, users, rt, instruments, oot_code, now) if rt else 0
        # Found out of tolerance last week: out of service, with the impact CAPA.
        _calibrate(clock, rng, qm, instruments[oot_code], today - timedelta(days=6), result="out_of_tolerance")
        clock.at(now - timedelta(days=3))
        services.instrument_set_status(actor=qm, instrument=Instrument.objects.get(code=plan[5][0]),
                                       to="out_for_calibration", reason="Sent to Metro Calibration Lab")
        for code in (plan[38][0], plan[39][0]):
            services.instrument_set_status(actor=qm, instrument=Instrument.objects.get(code=code), to="retired",
                                           reason="Worn beyond repair; replaced")
    overdue = Instrument.objects.filter(status__in=("in_use", "out_for_calibration", "out_of_service"),
                                        next_due__lt=today).count()
    stdout.write(f"equipment: {Instrument.objects.count()} instruments, {Calibration.objects.count()} calibrations, "
                 f"{overdue} overdue, 1 out of tolerance with its nonconformity ({measured} records to assess)")


def _records_measured(clock, rng, users, rt, instruments, oot_code, now):
    """Inspections that name their instrument: some made with the one about to be found out of tolerance."""
    from records import services as record_services

    fine = [i for i in instruments.values() if i.next_due and i.next_due > now.date() + timedelta(days=30)]
    made = 0
    for i in range(24):
        inst = instruments[oot_code] if i % 3 == 0 else rng.choice(fine)
        when = now - timedelta(days=rng.randint(8, 90), hours=rng.randint(0, 6))
        if inst.last_calibrated_on and when.date() < inst.last_calibrated_on:
            continue
        clock.at(when)
        record_services.record_create(actor=users["staff"], record_type=rt, submit=True, values={
            "part_number": rng.choice(["HX-200 housing", "SH-42 shaft", "GE-310 gear"]),
            "lot": f"M{now:%y}-{2000 + i}", "inspection_type": rng.choice(["In-process", "Final"]),
            "sample_size": str(rng.choice([3, 5, 8])), "defects": "0", "result": "Accept",
            "measured_with": inst.code})
        made += inst.code == oot_code
    return made
