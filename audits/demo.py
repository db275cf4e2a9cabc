"""Demo audits and CAPA with 18 months of history: a programme per year since
go-live (qms.demo.go_live), audits of past cycles carried out, reported and
closed, their nonconformities corrected and closed after an effectiveness
check on its planned date; this year's audits with CAPAs still running;
upcoming audits; and CAPAs from other sources in the remaining states.

Everything goes through the services at its own time on the demo's moving
clock, led by two internal auditors from different departments so no one
audits their own area. Idempotent: nothing is added once a demo programme
of one of these years exists.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audits import services
from audits.models import AuditProgramme, AuditQuestion
from qms.demo import DEMO_PASSWORD, DemoClock, go_live, moving_clock
from qms.models import Clause, Process

# The audit of document control, this many days after go-live (documents/demo.py
# revises the procedures it commented on two weeks later).
AUDIT_DAY = 270

# Audits of past cycles: days after go-live, process, lead auditor, criteria,
# findings (type, clause, statement, owner). Every NC's CAPA is closed.
PAST = [
    (75, "PRD", "auditor", ["8.5.1", "7.1.5", "8.6"], [
        ("minor_nc", "8.5.1", "First-off inspection not recorded for two orders on line 1", "approver"),
        ("ofi", "8.6", "Release stamps could be replaced by the signature in the QMS", "approver"),
    ]),
    (110, "PUR", "auditor2", ["8.4.1", "8.4.2"], [
        ("minor_nc", "8.4.1", "Two critical suppliers not re-evaluated in the last 12 months", "auditor"),
        ("observation", "8.4.2", "Purchase orders do not always quote the drawing revision", "auditor"),
    ]),
    (150, "HR", "auditor", ["7.2", "7.3"], [
        ("good_practice", "7.2", "Competence matrix is complete and current for every role", "qm"),
        ("ofi", "7.3", "New starters could get the quality policy on their first day", "qm"),
    ]),
    (190, "CAL", "auditor2", ["7.1.5", "7.1.5.2"], [
        ("major_nc", "7.1.5.2", "Micrometer CAL-MIC-01 used for three weeks past its calibration date", "staff"),
    ]),
    (230, "MGT", "auditor2", ["5.2", "6.2", "9.3"], [
        ("observation", "6.2", "Two quality objectives have no owner named", "qm"),
    ]),
    (AUDIT_DAY, "DOC", "auditor", ["7.5", "7.5.2", "7.5.3"], [
        ("observation", "7.5.3", "Quality manual and SOP-QA-001 still mention the paper register", "qm"),
        ("observation", "7.5.2", "Calibration WI does not say which gauge blocks to use", "qm"),
        ("minor_nc", "7.5.3", "Three training records kept only on paper, not in the QMS", "qm"),
    ]),
    (300, "DES", "auditor", ["8.3.4", "8.3.5"], [
        ("minor_nc", "8.3.4", "Design review of HX-300 held without the production representative", "author"),
    ]),
    (330, "SAL", "auditor2", ["8.2.2", "8.2.3"], [
        ("good_practice", "8.2.3", "Every order sampled had its contract review before confirmation", "staff"),
    ]),
]


def _at(d: date, hour: int) -> datetime:
    return datetime.combine(d, time(hour, 0), tzinfo=timezone.get_current_timezone())


def _audit(qm, lead, process, day: date, *, programme, clauses, auditees, title=None):
    data = services.AuditInput(
        audit_type="internal", title=title or f"Internal audit: {process.name}", objectives=programme.objectives,
        scope=f"{process.name}: activities, records and interfaces since the last audit",
        criteria_clauses=list(Clause.objects.filter(number__in=clauses)), criteria_documents=[],
        processes=[process], departments=[], site="Main plant", methods="Interviews, observation, record sampling",
        is_remote=False, planned_start=_at(day, 9), planned_end=_at(day, 15), lead_auditor=lead, team=[],
        auditees=auditees, programme=programme,
    )
    return services.audit_schedule(actor=qm, data=data)


def _notes(name: str, text: str) -> services.EvidenceSpec:
    return services.EvidenceSpec(upload=SimpleUploadedFile(name, text.encode(), content_type="text/plain"),
                                 note="Auditor's notes")


class _Audits:
    """The audit programme's past, told in time order through the services."""

    def __init__(self, users, clock: DemoClock):
        self.users, self.clock = users, clock
        self.qm = users["qm"]
        self.programmes: dict[int, AuditProgramme] = {}

    def programme(self, year: int, start: date, created: date) -> AuditProgramme:
        self.clock.at(created, 10)
        prog = services.programme_create(
            actor=self.qm, title=f"Internal audit programme {year}", period_start=max(start, date(year, 1, 1)),
            period_end=date(year, 12, 31),
            objectives="Verify that every QMS process conforms to ISO 9001 and our procedures and is effective "
                       "(ISO 9001 9.2); high-risk processes twice a year.",
        )
        for code, p in sorted({p.code: p for p in Process.objects.all()}.items()):
            services.programme_item_add(actor=self.qm, programme=prog, process=p,
                                        frequency_months=6 if code in ("PRD", "PUR") else 12,
                                        risk="high" if code in ("PRD", "PUR") else "normal")
        services.programme_item_add(actor=self.qm, programme=prog, clause=Clause.objects.get(number="9.3"),
                                    frequency_months=12)
        self.programmes[year] = prog
        return prog

    def schedule(self, day: date, process_code: str, lead: str, clauses, *, auditees=None):
        process = Process.objects.get(code=process_code)
        auditees = auditees or [process.owner or self.users["staff"]]
        if day.year not in self.programmes:  # an audit early next year, planned in December
            self.programme(day.year, day.replace(month=1, day=1), timezone.localdate())
        self.clock.at(day - timedelta(days=21), 10)
        return _audit(self.qm, self.users[lead], process, day, programme=self.programmes[day.year],
                      clauses=clauses, auditees=auditees)

    def carry_out(self, audit, day: date, findings, *, issue=True):
        """Plan a week before, audit on the day, report three days later (as far as asked)."""
        lead = audit.lead_auditor
        self.clock.at(day - timedelta(days=7), 11)
        services.audit_issue_plan(actor=self.qm, audit=audit)
        self.clock.at(day, 9)
        services.audit_start(actor=lead, audit=audit)
        services.checklist_generate(actor=lead, audit=audit)
        for i, item in enumerate(audit.checklist.all()):
            self.clock.at(_at(day, 10) + timedelta(minutes=12 * i))
            services.checklist_answer(actor=lead, item=item, answer="conforming", notes="Sampled five records")
        out = []
        self.clock.at(day, 14)
        for ftype, number, statement, owner in findings:
            out.append(services.finding_raise(
                actor=lead, audit=audit, finding_type=ftype, clause=Clause.objects.get(number=number),
                statement=statement, owner=self.users[owner] if isinstance(owner, str) else owner,
                evidence=_notes(f"{audit.number}-{len(out) + 1}.txt", statement) if ftype.endswith("_nc") else None,
            ))
        if issue:
            self.clock.at(day + timedelta(days=3), 15)
            services.report_save(actor=lead, audit=audit, values={
                "client": "Top management", "dates_places": f"Main plant, {audit.planned_start:%Y-%m-%d}",
                "conclusions": "The process is implemented and largely effective.",
                "criteria_met": "Criteria met except where nonconformities are raised.",
                "diverging_opinions": "None", "sampling_note": "Records of the last three months were sampled; "
                "audits sample, so nonconformities may remain undetected.",
            })
            services.report_issue(actor=lead, audit=audit, password=DEMO_PASSWORD, comment="Issued")
        return out

    def close_others(self, audit, findings, day: date):
        self.clock.at(day, 10)
        for finding in findings:
            if not finding.is_nc:
                services.finding_close(actor=audit.lead_auditor, finding=finding, comment="Noted by the auditee")

    def close_audit(self, audit, day: date):
        self.clock.at(day, 16)
        services.audit_close(actor=self.qm, audit=audit)

    # -- a CAPA, step by step at its own dates (days after the NC was raised)
    def correct(self, capa, day: date):
        owner = capa.owner
        self.clock.at(day + timedelta(days=1), 10)
        services.capa_record_correction(actor=owner, capa=capa, containment="Affected items checked and segregated",
                                        containment_date=self.clock_today(), correction="Affected records corrected",
                                        correction_date=self.clock_today())
        self.clock.at(day + timedelta(days=6), 14)
        services.capa_analyse(actor=owner, capa=capa, ca_needed=True, justification="Could recur on every shift",
                              whys=["The step was skipped", "The instruction does not show it",
                                    "The instruction was not updated after the last change"],
                              root_cause="A change did not trigger a review of the instruction")

    def implement(self, capa, day: date, implementer):
        self.correct(capa, day)
        self.clock.at(day + timedelta(days=7), 9)
        action = services.capa_action_add(actor=capa.owner, capa=capa,
                                          description="Update the instruction and brief the team",
                                          owner=implementer, due_date=day + timedelta(days=30))
        services.capa_start_actions(actor=capa.owner, capa=capa)
        return action

    def to_verifying(self, capa, day: date, implementer, *, check_after: int = 45):
        action = self.implement(capa, day, implementer)
        done = day + timedelta(days=24)
        self.clock.at(done, 15)
        services.capa_action_complete(actor=implementer, action=action, note="Instruction revised and team briefed")
        self.clock.at(done, 16)
        due = done + timedelta(days=check_after)
        services.capa_submit_verification(actor=capa.owner, capa=capa, method="Sample 20 jobs after the change",
                                          due=due)
        return due

    def close_capa(self, capa, day: date, implementer):
        """Corrected, acted on, checked on its planned date, closed two days later."""
        due = self.to_verifying(capa, day, implementer)
        self.clock.at(due, 11)
        services.capa_verify(actor=self.qm, capa=capa, result="effective", notes="No recurrence in the jobs sampled")
        self.clock.at(due + timedelta(days=2), 10)
        services.capa_close(actor=self.qm, capa=capa, password=DEMO_PASSWORD, comment="Verified and closed")

    def clock_today(self) -> date:
        return timezone.localdate()


def _implementer(users, capa):
    """Someone other than the CAPA owner and the quality manager (who checks it)."""
    for name in ("author", "staff", "approver"):
        if users[name].pk != capa.owner_id:
            return users[name]


def seed(*, users, stdout) -> None:
    today = timezone.localdate()
    start = go_live(today)
    years = list(range(start.year, today.year + 1))
    if AuditProgramme.objects.filter(title__in=[f"Internal audit programme {y}" for y in years]).exists():
        stdout.write("audits: demo audits already present")
        return
    with moving_clock() as clock:
        story = _Audits(users, clock)
        for year in years:
            story.programme(year, start, max(start + timedelta(days=5), date(year - 1, 12, 10)))
        closed = _past_cycles(story, users, start, today)
        _this_year(story, users, today)
        _other_capas(story, users, today)
    stdout.write(f"audits: programmes {years[0]}–{years[-1]}, {closed} past audits closed with their CAPAs, "
                 f"this year's audits and CAPAs in every state; {AuditQuestion.objects.active().count()} "
                 "questions in the library.")


def _past_cycles(story: _Audits, users, start: date, today: date) -> int:
    done = 0
    for offset, code, lead, clauses, findings in PAST:
        day = start + timedelta(days=offset)
        if day > today - timedelta(days=150):
            break  # a short history: only what had time to close
        audit = story.schedule(day, code, lead, clauses)
        raised = story.carry_out(audit, day, findings)
        story.close_others(audit, raised, day + timedelta(days=4))
        story.close_audit(audit, day + timedelta(days=7))
        for finding in raised:
            if finding.is_nc:
                capa = finding.capa
                story.close_capa(capa, day, _implementer(users, capa))
        done += 1
    return done


def _this_year(story: _Audits, users, today: date) -> None:
    qm, staff, author, approver = (users[k] for k in ("qm", "staff", "author", "approver"))
    # Production again (high risk, every six months): closed, with every kind of finding.
    day1 = today - timedelta(days=120)
    a1 = story.schedule(day1, "PRD", "auditor", ["8.5.1", "7.1.5", "8.7"], auditees=[approver, staff])
    f1 = story.carry_out(a1, day1, [
        ("minor_nc", "8.5.1", "Set-up sheet for press 4 not signed on two shifts", staff),
        ("major_nc", "7.1.5", "Torque wrench TW-07 used past its calibration date", approver),
        ("observation", "8.7", "Quarantine area labels are faded", approver),
        ("ofi", "8.5.1", "Visual aids at the press would cut set-up time", approver),
        ("good_practice", "8.5.1", "Shift handover board is complete and used", approver),
    ])
    story.close_others(a1, f1, day1 + timedelta(days=4))
    story.close_audit(a1, day1 + timedelta(days=7))
    story.close_capa(f1[0].capa, day1, author)
    story.implement(f1[1].capa, day1, staff)  # its action is overdue now

    # The question library: the quality manager rewords a shipped 8.5.1 question for the presses (audit 1's
    # checklist keeps the wording it copied) and adds one of our own for the calibration audit below.
    setup = AuditQuestion.objects.active().filter(clause__number="8.5.1").order_by("position", "id").first()
    services.question_update(
        actor=qm, question=setup, clause=setup.clause, position=setup.position,
        text="At the press: are the set-up sheet and the drawing of the job at hand, at the current revision, "
             "and is the set-up sheet signed by the setter?",
        guidance="Set-up sheet and drawing at the press match the document register; the setter's signature "
                 "and time on the sheet (see finding 1 of the last production audit).")
    services.question_create(
        actor=qm, clause=Clause.objects.get(number="7.1.5.2"),
        text="Is torque wrench TW-07 back in calibration since the last production audit? Show its new "
             "certificate and the assessment of the joints tightened while it was overdue.",
        guidance="A certificate dated after the finding, traceable to a national standard; a documented "
                 "assessment of affected product and what was done with it.")

    # Sales: reported, one NC verified effective (not closed yet), one waiting for its check.
    day2 = today - timedelta(days=60)
    a2 = story.schedule(day2, "SAL", "auditor", ["8.2.3", "8.2.4"], auditees=[staff])
    f2 = story.carry_out(a2, day2, [
        ("minor_nc", "8.2.3", "Two orders confirmed without a documented review of delivery date", staff),
        ("minor_nc", "8.2.4", "Changed order quantity not passed to production", staff),
    ])
    due = story.to_verifying(f2[0].capa, day2, author, check_after=20)
    story.clock.at(due, 11)
    services.capa_verify(actor=qm, capa=f2[0].capa, result="effective", notes="No unreviewed orders in 30 days")
    story.to_verifying(f2[1].capa, day2, author, check_after=60)

    # Upcoming: one planned, one prepared (plan issued today).
    story.schedule(today + timedelta(days=7), "DES", "auditor", ["8.3.4", "8.3.5"], auditees=[author])
    a4 = story.schedule(today + timedelta(days=14), "CAL", "auditor2", ["7.1.5"], auditees=[staff])
    story.clock.at(today, 8)
    services.audit_issue_plan(actor=qm, audit=a4)
    services.checklist_generate(actor=users["auditor2"], audit=a4)  # from the library, our TW-07 question included


def _other_capas(story: _Audits, users, today: date) -> None:
    """CAPAs from other sources, in the remaining states."""
    qm, staff, author, approver = (users[k] for k in ("qm", "staff", "author", "approver"))
    procs = {p.code: p for p in Process.objects.all()}
    story.clock.at(today - timedelta(days=5), 9)
    services.capa_raise(actor=staff, source="process", title="Scrap rate above target on line 2",
                        description="Scrap 4.1 % last month against a 2 % target", severity="minor", owner=approver,
                        process=procs["PRD"], clause=Clause.objects.get(number="8.7"))
    day = today - timedelta(days=20)
    story.clock.at(day, 9)
    supplier = services.capa_raise(actor=qm, source="supplier", title="Supplier delivered wrong alloy",
                                   description="Lot 2291 was 6061 instead of 6082", severity="major", owner=staff,
                                   process=procs["PUR"], clause=Clause.objects.get(number="8.4.2"))
    story.correct(supplier, day)
    day = today - timedelta(days=100)
    story.clock.at(day, 9)
    reopened = services.capa_raise(actor=qm, source="process", title="Training records missing signatures",
                                   description="Three training records unsigned", severity="minor", owner=staff,
                                   process=procs["HR"], clause=Clause.objects.get(number="7.2"))
    due = story.to_verifying(reopened, day, author)
    story.clock.at(due, 11)
    services.capa_verify(actor=qm, capa=reopened, result="not_effective", notes="Two new unsigned records found")
