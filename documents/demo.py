"""Demo documents with 18 months of history: a quality manual, policies, a
dozen SOPs and work instructions, forms and external standards, released at
go-live (see qms.demo.go_live), read and acknowledged (mostly on time, some
late), reviewed on time, late or not yet (overdue now), revised after the
internal audit, one withdrawn, and some in review or draft today.

Everything goes through the services under the demo's moving clock, so the
signatures, audit events, history rows, acknowledgements and effective dates
carry the dates they happened on, and the as-of view shows the register as it
stood. Controlled PDFs are not rendered during seeding (`renditions.deferred`):
with a worker, it renders those of the effective revisions when it starts;
without one, each is made on first print. Idempotent: a document whose title
exists is skipped.

Form numbers (records engineer: link record types to these):
FRM-QA-001 Nonconformity report, FRM-QA-002 Internal audit checklist,
FRM-QA-003 Calibration record, FRM-PRD-001 Final inspection record,
FRM-HR-001 Training record.
"""

from __future__ import annotations

import logging
import random
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from documents import renditions, services
from documents.models import Acknowledgement, Document, DocumentType, Revision
from documents.services import StepSpec
from qms.demo import DEMO_PASSWORD, DemoClock, go_live, moving_clock
from qms.models import Clause, Department, Process
from qms.permissions import Role

YEARLY = ("reviewed", "reviewed_late", "overdue")  # stories told with a 12-month review interval
# The internal audit of document control, this many days after go-live (audits/demo.py
# schedules it on the same day); the "superseded" documents are revised after it.
AUDIT_DAY = 270

log = logging.getLogger(__name__)


def _md(title: str, purpose: str, steps: list[str], records: str = "") -> str:
    body = [f"# {title}", "", "## 1 Purpose", purpose, "", "## 2 Scope",
            "This applies to all sites and employees of the company unless stated otherwise.", "",
            "## 3 Responsibilities", "| Role | Responsibility |", "|---|---|",
            "| Process owner | Keeps this document current and trains the team |",
            "| Quality Manager | Checks that the process is followed and effective |", "",
            "## 4 Procedure"]
    body += [f"{i}. {s}" for i, s in enumerate(steps, 1)]
    if records:
        body += ["", "## 5 Records", records]
    return "\n".join(body) + "\n"


# type, dept, title, clauses, process, story, content. The story (see `_seed_one`):
# effective        released at go-live, nothing since
# reviewed         yearly review interval; reviewed on time, no change
# reviewed_late    yearly review interval; reviewed weeks after it was due
# overdue          yearly review interval; the review is overdue now
# superseded       revised after the internal audit nine months after go-live
# recent           revised last month; two people have not read it yet (overdue)
# pending_new      a new revision waits for the approver's signature
# in_review        a first issue written this month, waiting for its review
# draft            a first issue being written
# obsolete         the paper procedure, withdrawn once the QMS was in use
DOCS = [
    ("QM", "QA", "Quality manual", ["4.1", "4.3", "4.4", "5.2"], "MGT", "superseded",
     _md("Quality manual", "Describes the scope of the QMS, the processes and how they interact.",
         ["The QMS covers the design, manufacture and service of precision housings.",
          "Clause 8.3 applies; no requirement of ISO 9001 is excluded.",
          "The process map in annex A shows the sequence and interaction of processes.",
          "Documented information is controlled per SOP-QA-001."])),
    ("POL", "QA", "Quality policy", ["5.2"], "MGT", "reviewed",
     "# Quality policy\n\nWe deliver precision parts **right first time, on time**.\n\n"
     "- We meet customer and legal requirements.\n- We set and review measurable quality objectives.\n"
     "- We improve our processes continually.\n- Every employee may stop a process that risks quality.\n"),
    ("POL", "HR", "Health, safety and environment policy", ["5.2", "7.1.4"], "MGT", "overdue",
     "# Health, safety and environment policy\n\nWe prevent injuries, ill health and pollution, and comply with "
     "applicable legislation.\n"),
    ("SOP", "QA", "Control of documented information", ["7.5", "7.5.2", "7.5.3"], "DOC", "superseded",
     _md("Control of documented information", "How documents are created, approved, distributed and withdrawn.",
         ["Authors draft documents in the QMS; the number comes from the type's pattern.",
          "Reviewers and approvers sign electronically; an author never approves their own revision.",
          "Approved revisions become effective on their effective date; staff see only effective revisions.",
          "Everyone on the distribution acknowledges significant changes within 14 days.",
          "Documents are reviewed at least every 24 months."],
         "Signatures, acknowledgements and the audit trail are kept in the QMS.")),
    ("SOP", "QA", "Control of records", ["7.5.3"], "DOC", "effective",
     _md("Control of records", "How quality records are identified, stored, protected and disposed of.",
         ["Records are made on controlled forms (FRM-…).", "Submitted records are locked; corrections keep the old value.",
          "Retention periods follow the record type; disposition is approved."])),
    ("SOP", "QA", "Internal audit", ["9.2"], "IA", "effective",
     _md("Internal audit", "Plans and performs internal audits per ISO 19011.",
         ["The QM prepares a yearly audit programme based on risk and previous results.",
          "Auditors never audit their own work.", "Findings are graded major, minor, observation or OFI.",
          "Nonconformities are handled per SOP-QA-004."], "Audit reports and checklists (FRM-QA-002).")),
    ("SOP", "QA", "Nonconformity and corrective action", ["8.7", "10.2"], "CAPA", "pending_new",
     _md("Nonconformity and corrective action", "How nonconformities are contained, analysed and corrected.",
         ["Contain the nonconforming output and tag it red.", "Record it on FRM-QA-001.",
          "Find the root cause with 5-why.", "Plan actions with owners and due dates.",
          "Verify effectiveness after 90 days."])),
    ("SOP", "QA", "Management review", ["9.3"], "MGT", "overdue",
     _md("Management review", "Top management reviews the QMS twice a year.",
         ["The QM collects the inputs listed in ISO 9001 9.3.2.", "Top management decides on the outputs of 9.3.3.",
          "Minutes are kept as a record."])),
    ("SOP", "PUR", "Supplier evaluation and purchasing", ["8.4"], "PUR", "reviewed_late",
     _md("Supplier evaluation and purchasing", "How suppliers are selected, evaluated and monitored.",
         ["New suppliers fill in the supplier questionnaire.", "Critical suppliers are audited before approval.",
          "Supplier performance is rated every quarter on quality and delivery."])),
    ("SOP", "PRD", "Production planning and release", ["8.5.1", "8.6"], "PRD", "effective",
     _md("Production planning and release", "How production is planned, controlled and released.",
         ["Orders are planned weekly.", "First-off parts are inspected before series production.",
          "Final inspection is recorded on FRM-PRD-001 before release."])),
    ("SOP", "ENG", "Design and development control", ["8.3"], "DES", "draft",
     _md("Design and development control", "Stages, reviews, verification and validation of designs.",
         ["Design input review.", "Design review at each stage gate.", "Verification against inputs.",
          "Validation with the customer."])),
    ("SOP", "SAL", "Contract review", ["8.2"], "SAL", "in_review",
     _md("Contract review", "Requirements are reviewed before we commit to supply.",
         ["Sales checks drawings, quantities and dates.", "Engineering confirms feasibility.",
          "Changes to orders are reviewed again."])),
    ("SOP", "HR", "Competence and training", ["7.2", "7.3"], "HR", "reviewed",
     _md("Competence and training", "How competence is defined, provided and recorded.",
         ["Each role has a competence profile.", "Training needs are reviewed yearly.",
          "Training is recorded on FRM-HR-001."])),
    ("SOP", "QA", "Legacy paper document control", ["7.5"], "DOC", "obsolete",
     _md("Legacy paper document control", "Paper-based control of documents (replaced by the QMS).",
         ["Masters were kept in the QA office.", "Copies were stamped CONTROLLED."])),
    ("WI", "PRD", "Use of torque wrenches", ["7.1.5", "8.5.1"], "PRD", "recent",
     _md("Use of torque wrenches", "Tightening of housing screws to the specified torque.",
         ["Check the calibration label before use.", "Set the torque from the drawing.",
          "Tighten in a cross pattern.", "Mark tightened screws with a paint dot."])),
    ("WI", "PRD", "Final inspection of housings", ["8.6"], "PRD", "overdue",
     _md("Final inspection of housings", "Final inspection before release.",
         ["Check dimensions A–F with the micrometer.", "Visually check the surface.",
          "Record the results on FRM-PRD-001."])),
    ("WI", "QA", "Calibration of micrometers", ["7.1.5"], "CAL", "superseded",
     _md("Calibration of micrometers", "Calibrate micrometers against traceable gauge blocks.",
         ["Clean the anvils.", "Check zero.", "Measure gauge blocks of 5, 10, 25 mm.",
          "Record the deviations on FRM-QA-003."])),
    ("FRM", "QA", "Nonconformity report", ["8.7", "10.2"], "CAPA", "effective",
     "# Nonconformity report\n\n| Field | Entry |\n|---|---|\n| Part / process | |\n| Description | |\n"
     "| Containment | |\n| Disposition | |\n"),
    ("FRM", "QA", "Internal audit checklist", ["9.2"], "IA", "effective",
     "# Internal audit checklist\n\n| Clause | Question | Evidence | Finding |\n|---|---|---|---|\n"),
    ("FRM", "QA", "Calibration record", ["7.1.5"], "CAL", "effective",
     "# Calibration record\n\n| Instrument | Reference | Deviation | Result |\n|---|---|---|---|\n"),
    ("FRM", "PRD", "Final inspection record", ["8.6"], "PRD", "effective",
     "# Final inspection record\n\n| Order | Dimension | Measured | OK |\n|---|---|---|---|\n"),
    ("FRM", "HR", "Training record", ["7.2"], "HR", "effective",
     "# Training record\n\n| Employee | Training | Date | Trainer |\n|---|---|---|---|\n"),
]

# title, issuer, edition, date, story (external documents are reviewed yearly, the type's interval)
EXTERNAL = [
    ("ISO 9001:2015 Quality management systems — Requirements", "ISO", "ISO 9001:2015 (5th edition)", "2015-09-15",
     "reviewed"),
    ("ISO 2768-1 General tolerances", "ISO", "ISO 2768-1:1989", "1989-11-15", "reviewed_late"),
]


class _Story:
    """One document's past, told in time order through the services."""

    def __init__(self, users, clock: DemoClock, today: date, start: date, staff_group):
        self.users, self.clock, self.today, self.start = users, clock, today, start
        self.staff_group = staff_group

    # -- steps
    def route(self, author, revision, day: date, rng, *, review=True, reviewed=True, approved=True):
        """Submit on `day` (a review step, then the approver); the review is signed
        the next day and the approval the day after, as far as asked."""
        reviewer = self.users["auditor"] if author == self.users["qm"] else self.users["qm"]
        steps = ([StepSpec(kind="review", users=[reviewer])] if review else []) + [
            StepSpec(kind="approve", users=[self.users["approver"]])]
        self.clock.at(day, 10, rng.randint(0, 59))
        services.revision_submit(actor=author, revision=revision, steps=steps)
        if review and reviewed:
            self.clock.at(day + timedelta(days=1), 11, rng.randint(0, 59))
            services.revision_decide(actor=reviewer, revision=revision, password=DEMO_PASSWORD, outcome="reviewed",
                                     comment="Checked against the process; fine")
        elif review:
            return
        if approved:
            self.clock.at(day + timedelta(days=2), 14, rng.randint(0, 59))
            services.revision_decide(actor=self.users["approver"], revision=revision, password=DEMO_PASSWORD,
                                     outcome="approved", comment="Approved for use",
                                     significance=Revision.Significance.SIGNIFICANT)

    def acknowledge(self, document: Document, rng, *, until: datetime, leave_open=()):
        """Everyone on the distribution reads the revision in force: most within
        the 14 days asked, about one in seven weeks later; none after `until`."""
        document.refresh_from_db()
        open_acks = Acknowledgement.objects.filter(
            revision_id=document.effective_revision_id, acknowledged_at__isnull=True, cancelled_at__isnull=True,
        ).select_related("user").order_by("user__username")
        plan = []
        for ack in open_acks:
            if ack.user.username in leave_open:
                continue
            days = rng.randint(16, 40) if rng.random() < 0.15 else rng.randint(0, 11)
            when = ack.assigned_at + timedelta(days=days, hours=rng.randint(1, 6))
            if when < until:
                plan.append((when, ack.user))
        for when, user in sorted(plan, key=lambda p: p[0]):
            self.clock.at(when)
            services.acknowledge(actor=user, document=document, password=DEMO_PASSWORD, comment="")

    def periodic_review(self, document: Document, when: date):
        document.refresh_from_db()
        self.clock.at(when, 15)
        services.document_periodic_review(
            actor=document.owner, document=document, password=DEMO_PASSWORD, outcome="no_change",
            comment="Reviewed: still adequate and matches how we work",
        )

    def revise(self, author, document: Document, day: date, content: str, *, summary: str, reason: str, rng,
               approved=True, reject=False):
        document.refresh_from_db()
        self.clock.at(day, 9, rng.randint(0, 59))
        new = services.revision_create_new(actor=author, document=document, change_summary=summary,
                                           change_reason=reason)
        services.revision_update_draft(actor=author, revision=new, content=content)
        if reject:  # the first round goes back to the author with comments
            self.route(author, new, day, rng, review=False, approved=False)
            self.clock.at(day + timedelta(days=1), 16)
            services.revision_decide(actor=self.users["approver"], revision=new, password=DEMO_PASSWORD,
                                     outcome="rejected", comment="Step 4 still names the paper register; fix it")
            self.clock.at(day + timedelta(days=3), 10)
            services.revision_update_draft(actor=author, revision=new, content=content.replace(
                "\n> ", "\n> The paper register is no longer used. "))
            day += timedelta(days=3)
        self.route(author, new, day, rng, approved=approved)
        return new


def seed(*, users, stdout) -> None:
    if not DocumentType.objects.exists():
        stdout.write("documents: no document types (run migrate); skipped")
        return
    if not users["approver"].check_password(DEMO_PASSWORD):
        stdout.write("documents: demo users have changed passwords; demo documents skipped")
        return
    staff_group = Group.objects.filter(name=Role.STAFF).first()
    today = timezone.localdate()
    start = go_live(today)
    created = 0
    with moving_clock() as clock, renditions.deferred():
        story = _Story(users, clock, today, start, staff_group)
        for i, (code, dept, title, clause_numbers, process, state, content) in enumerate(DOCS):
            if Document.objects.filter(title=title).exists():
                continue
            with transaction.atomic():
                _seed_one(story, i, code, dept, title, clause_numbers, process, state, content)
            created += 1
        for i, (title, issuer, edition, date_, state) in enumerate(EXTERNAL):
            if Document.objects.filter(title=title).exists():
                continue
            with transaction.atomic():
                _seed_external(story, i, title, issuer, edition, date_, state)
            created += 1
    if not created:
        stdout.write("documents: demo documents already present")
        return
    _warm_renditions()
    stdout.write(f"documents: {created} demo documents created, with {_months(start, today)} months of history")


def _warm_renditions() -> None:
    """With a worker (a broker is set), have it render the controlled PDFs of
    the effective revisions once it starts, so the first quality manual build
    reuses them. Without one they are made on first print: rendering them here,
    in-process, would add a second per document to `make run`."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from documents.tasks import warm_renditions

    try:
        warm_renditions.delay()
    except Exception as exc:  # noqa: BLE001 - kombu raises several types when the broker is away
        log.warning("demo: controlled PDFs not queued for rendering (%s); they are made on first print", exc)


def _months(start: date, today: date) -> int:
    return (today.year - start.year) * 12 + today.month - start.month


def _seed_external(story: _Story, i, title, issuer, edition, date_, state):
    users, clock = story.users, story.clock
    rng = random.Random(title)
    day = story.start + timedelta(days=1 + i)
    clock.at(day, 9)
    doc = services.document_create(
        actor=users["qm"], doc_type=DocumentType.objects.get(code="EXT"),
        department=Department.objects.get(code="QA"), title=title, issuer=issuer,
        external_reference=edition, external_date=date.fromisoformat(date_) if isinstance(date_, str) else date_,
        clauses=Clause.objects.filter(number__in=["4.1", "7.5.3"]),
        content=f"# {title}\n\nPurchased copy held by the Quality Manager. Issuer: {issuer}, edition {edition}.",
    )
    story.route(users["qm"], doc.latest_revision, day, rng)
    _review_story(story, doc, state, rng)


def _review_story(story: _Story, doc: Document, state: str, rng) -> None:
    """A yearly review: on time (a few days early), late (weeks after it was due), or not yet."""
    doc.refresh_from_db()
    due = doc.next_review_date
    if state == "reviewed":
        story.periodic_review(doc, due - timedelta(days=rng.randint(3, 20)))
    elif state == "reviewed_late":
        story.periodic_review(doc, min(due + timedelta(days=rng.randint(20, 45)), story.today - timedelta(days=1)))


def _seed_one(story: _Story, i, code, dept, title, clause_numbers, process, state, content):
    users, clock, today, start = story.users, story.clock, story.today, story.start
    rng = random.Random(title)  # the same story whatever else is seeded
    author = users["qm"] if code in ("QM", "POL") else users["author"]
    created = {"draft": today - timedelta(days=12), "in_review": today - timedelta(days=21)}.get(
        state, start + timedelta(days=3 + 2 * i))
    clock.at(created, 9, rng.randint(0, 59))
    doc = services.document_create(
        actor=author, doc_type=DocumentType.objects.get(code=code), department=Department.objects.get(code=dept),
        title=title, owner=author, process=Process.objects.filter(code=process).first(),
        clauses=Clause.objects.filter(number__in=clause_numbers), content=content,
        review_interval_months=12 if state in YEARLY else None,
        distribution_groups=[story.staff_group] if story.staff_group and code in ("SOP", "WI", "POL", "QM") else [],
    )
    rev = doc.latest_revision
    if state in ("draft", "in_review"):
        clock.at(created + timedelta(days=9), 16)
        services.revision_update_draft(actor=author, revision=rev, content=content + "\n*Draft for comment.*\n")
        if state == "in_review":
            story.route(author, rev, today - timedelta(days=4), rng, reviewed=False)
        return
    story.route(author, rev, created, rng)
    now = clock.real_now
    if state == "superseded":
        revised = start + timedelta(days=AUDIT_DAY + 14 + i)
        story.acknowledge(doc, rng, until=_morning(revised))
        story.revise(author, doc, revised, content + "\n> Clarified after the internal audit.\n",
                     summary="Updated after internal audit",
                     reason=f"Internal audit of {start + timedelta(days=AUDIT_DAY):%B %Y}: observation on this procedure",
                     rng=rng, reject=title == "Control of documented information")
        story.acknowledge(doc, rng, until=now)
    elif state == "recent":
        revised = today - timedelta(days=32)
        story.acknowledge(doc, rng, until=_morning(revised))
        story.revise(author, doc, revised, content + "\n5. New wrenches click at the set torque: stop at the click.\n",
                     summary="Click-type wrenches", reason="New click-type torque wrenches bought", rng=rng)
        # Read by most; the operator and one auditor are late (the QM's dashboard shows them).
        story.acknowledge(doc, rng, until=now, leave_open={"staff", "auditor2"})
    elif state == "pending_new":
        revised = today - timedelta(days=8)
        story.acknowledge(doc, rng, until=_morning(revised))
        story.revise(author, doc, revised, content + "\n> Effectiveness is verified after 60 days, not 90.\n",
                     summary="Shorter effectiveness check", reason="Management review decision", rng=rng,
                     approved=False)
    elif state == "obsolete":
        story.acknowledge(doc, rng, until=_morning(start + timedelta(days=75)))
        clock.at(start + timedelta(days=75), 11)
        services.document_make_obsolete(actor=users["qm"], document=doc,
                                        reason="Replaced by SOP-QA-001 in the QMS")
    else:  # effective, reviewed, reviewed_late, overdue
        story.acknowledge(doc, rng, until=now)
        _review_story(story, doc, state, rng)


def _morning(d: date) -> datetime:
    return datetime.combine(d, datetime.min.time(), tzinfo=timezone.get_current_timezone()) + timedelta(hours=8)
