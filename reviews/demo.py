"""Demo customer feedback, satisfaction surveys and management reviews since
go-live (qms.demo.go_live): 20 pieces of feedback, most answered and closed,
three complaints that raised a CAPA (still running, so those complaints stay
open); a satisfaction survey every quarter; last year's management review,
signed by its chair with two actions still open; and the coming review with
its input pack compiled from today's data. Idempotent.

Everything goes through the services at its own time on the moving clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from qms.demo import DEMO_PASSWORD, go_live, moving_clock
from qms.models import Process
from reviews import services
from reviews.models import Complaint, ManagementReview

# days after go-live, kind, customer, channel, reference, category, severity, owner, description, capa
FEEDBACK = [
    (20, "complaint", "Volta Motors", "email", "PO-21877 / HX-200", "product", "high", "approver",
     "Two HX-200 housings with porosity at the flange face found at incoming inspection.", False),
    (41, "complaint", "Harbour Marine", "phone", "SO-1142", "delivery", "medium", "staff",
     "Shipment arrived four days after the confirmed date.", False),
    (63, "compliment", "Medisys Devices", "email", "PV-17 first article", "product", "low", "approver",
     "First article report was complete and clear; approved without questions.", False),
    (88, "complaint", "Skyline Elevators", "web", "PO-22310 / SH-42", "product", "critical", "approver",
     "SH-42 shafts out of tolerance on the bearing seat (Ø 25 h6): 12 of 200 rejected.", True),
    (110, "suggestion", "Fjord Pumps", "visit", "", "documentation", "low", "qm",
     "Would like the certificate of conformity attached to the delivery note as a PDF.", False),
    (135, "complaint", "Orion Robotics", "email", "SO-1307", "documentation", "medium", "staff",
     "Delivery note quoted the wrong drawing revision (C instead of D).", False),
    (160, "complaint", "Urban Rail Systems", "letter", "Invoice 2025-0931", "commercial", "low", "qm",
     "Invoiced freight although the order was ex works.", False),
    (184, "complaint", "GreenAgri Machines", "phone", "PO-23001 / GE-310", "product", "high", "approver",
     "Gear teeth burrs on GE-310; customer reworked 40 parts.", True),
    (205, "compliment", "Volta Motors", "visit", "Supplier review", "service", "low", "qm",
     "Quick containment on the HX-200 porosity case was appreciated.", False),
    (228, "complaint", "Harbour Marine", "email", "SO-1420", "delivery", "medium", "staff",
     "Parts packed without corrosion protection; light rust on arrival.", False),
    (250, "complaint", "Medisys Devices", "email", "PO-23388 / FL-5", "documentation", "high", "qm",
     "Material certificate missing for heat number 7731.", False),
    (276, "suggestion", "Skyline Elevators", "survey", "", "service", "low", "qm",
     "Offer a customer portal to follow order status.", False),
    (300, "complaint", "Fjord Pumps", "phone", "SO-1511", "delivery", "low", "staff",
     "Partial delivery not announced in advance.", False),
    (330, "complaint", "Orion Robotics", "web", "PO-24012 / BR-9", "product", "medium", "approver",
     "BR-9 brackets with wrong hole pattern (mirror image).", False),
    (362, "complaint", "Volta Motors", "email", "PO-24190 / HX-200", "product", "high", "approver",
     "Porosity again on HX-200 housings, new casting batch.", True),
    (390, "compliment", "Urban Rail Systems", "email", "Audit visit", "service", "low", "qm",
     "Customer audit passed with no findings.", False),
    (420, "complaint", "GreenAgri Machines", "email", "Invoice 2026-0412", "commercial", "low", "qm",
     "Price on invoice differs from the order confirmation.", False),
    (455, "complaint", "Harbour Marine", "phone", "SO-1733", "delivery", "medium", "staff",
     "Delivery one week late; customer line stopped for half a day.", False),
    (490, "complaint", "Skyline Elevators", "email", "PO-25007 / SH-42", "product", "medium", "approver",
     "Surface roughness on SH-42 above Ra 0.8 on five parts.", False),
    (515, "suggestion", "Medisys Devices", "visit", "", "documentation", "low", "qm",
     "Add the lot number as a barcode on the labels.", False),
]

# Quarterly surveys: score out of 5 and respondents, oldest first.
SURVEYS = [(Decimal("3.9"), 18), (Decimal("4.0"), 22), (Decimal("3.8"), 25), (Decimal("4.1"), 21),
           (Decimal("4.2"), 27), (Decimal("4.3"), 24)]


def seed(*, users, stdout) -> None:
    if Complaint.objects.exists() or ManagementReview.objects.exists():
        return  # quiet: the demo's "already present" lines are the three core apps'
    today = timezone.localdate()
    start = go_live(today)
    processes = {p.code: p for p in Process.objects.all()}
    with moving_clock() as clock:
        capas = _feedback(users, clock, start, today, processes)
        surveys = _surveys(users, clock, start, today)
        past = _past_review(users, clock, start, today)
        clock.at(clock.real_now)
        upcoming = _upcoming_review(users, past, today)
    stdout.write(f"reviews: {len(FEEDBACK)} customer feedback entries ({capas} with CAPA), {surveys} satisfaction "
                 f"surveys, {past.number} signed and {upcoming.number} with its compiled pack.")


def _feedback(users, clock, start: date, today: date, processes) -> int:
    capas = 0
    qm = users["qm"]
    for offset, kind, customer, channel, ref, category, severity, owner, text, capa in FEEDBACK:
        received = start + timedelta(days=offset)
        if received > today - timedelta(days=3):
            continue
        owner = users[owner]
        clock.at(received, 10)
        process = processes.get("PRD" if category == "product" else "SAL")
        c = services.complaint_log(actor=qm, kind=kind, customer=customer, channel=channel, received_on=received,
                                   reference=ref, description=text, category=category, severity=severity,
                                   owner=owner, process=process)
        recent = (today - received).days < 20
        clock.at(received + timedelta(days=1), 9)
        if recent and offset % 2:
            continue  # the latest feedback is still waiting for an answer
        services.complaint_acknowledge(actor=owner, complaint=c, on=received + timedelta(days=1))
        if recent:
            continue
        if capa:
            clock.at(received + timedelta(days=2), 11)
            services.complaint_raise_capa(actor=owner, complaint=c, title=f"Customer complaint {c.number}: {customer}",
                                          description=text, severity="major" if severity == "critical" else "minor",
                                          owner=users["approver"])
            capas += 1
        answer_days = 3 + offset % 9 + (8 if category == "delivery" and offset % 3 == 0 else 0)
        clock.at(received + timedelta(days=answer_days), 14)
        services.complaint_respond(actor=owner, complaint=c, on=received + timedelta(days=answer_days),
                                   response="Thanked the customer; " + ("corrective action opened, 8D report to follow."
                                                                        if capa else "explained the cause and the fix."))
        if capa or kind != "complaint" and offset % 4 == 0:
            continue  # closes when its CAPA is closed / left for the owner
        clock.at(received + timedelta(days=answer_days + 5), 15)
        services.complaint_close(actor=owner, complaint=c,
                                 resolution="Customer accepted the answer." if kind == "complaint" else "Noted.")
    return capas


def _quarter_ends(start: date, today: date) -> list[date]:
    out, year, q = [], start.year, (start.month - 1) // 3 + 1
    while True:
        month = q * 3
        end = (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if end >= today - timedelta(days=7):
            return out
        if end > start:
            out.append(end)
        q += 1
        if q == 5:
            year, q = year + 1, 1


def _surveys(users, clock, start: date, today: date) -> int:
    ends = _quarter_ends(start, today)[-len(SURVEYS):]
    if not ends:
        return 0
    for end, (score, respondents) in zip(ends, SURVEYS[-len(ends):], strict=True):
        clock.at(end + timedelta(days=6), 11)
        services.survey_enter(actor=users["qm"], title=f"Quarterly customer survey {end.year} Q{(end.month - 1) // 3 + 1}",
                              method="E-mail questionnaire to key accounts, 12 questions",
                              period_start=end.replace(day=1) - timedelta(days=62), period_end=end, score=score,
                              scale_max=5, respondents=respondents,
                              comments="Delivery reliability scored lowest; technical support highest.")
    return len(ends)


def _past_review(users, clock, start: date, today: date) -> ManagementReview:
    qm = users["qm"]
    meeting = today - timedelta(days=350)
    clock.at(meeting - timedelta(days=14), 9)
    review = services.review_plan(actor=qm, title="Annual management review", meeting_date=meeting, chair=qm,
                                  period_start=start, period_end=meeting - timedelta(days=1),
                                  attendees=[users["approver"], users["author"], users["auditor"]])
    clock.at(meeting, 15)
    for kind, text, action, owner, due_days in (
        ("improvement", "Reduce late deliveries: the top complaint category.",
         "Introduce a weekly delivery-risk review with Sales and Production.", "approver", 60),
        ("qms_change", "Bring the calibration register into the QMS.",
         "Move the calibration plan from the spreadsheet into QMS records.", "qm", 120),
        ("resources", "A second trained internal auditor for Engineering.",
         "Train one engineer as internal auditor (ISO 19011 course).", "author", 200),
        ("improvement", "Customer satisfaction target stays at 80 %.", "", None, None),
    ):
        services.decision_add(actor=qm, review=review, kind=kind, text=text, action_description=action,
                              action_owner=users[owner] if owner else None,
                              action_due_date=meeting + timedelta(days=due_days) if due_days else None)
    services.review_update(actor=qm, review=review, conclusions=(
        "The QMS is suitable and adequate. Effectiveness is limited by delivery performance; "
        "the actions above address it."))
    clock.at(meeting + timedelta(days=3), 10)
    review = services.minutes_approve(actor=qm, review=review, password=DEMO_PASSWORD, comment="Minutes approved")
    first = review.decisions.order_by("seq").first()
    clock.at(meeting + timedelta(days=45), 16)
    services.action_complete(actor=users["approver"], decision=first,
                             note="Weekly delivery-risk meeting running since week 12.")
    return review


def _upcoming_review(users, past: ManagementReview, today: date) -> ManagementReview:
    qm = users["qm"]
    return services.review_plan(actor=qm, title="Annual management review", meeting_date=today + timedelta(days=14),
                                chair=qm, period_start=past.meeting_date, period_end=today,
                                attendees=[users["approver"], users["author"], users["auditor"]])
