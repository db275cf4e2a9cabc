"""Demo documents: a quality manual, policies, a dozen SOPs and work instructions,
forms, external standards; some in review, some superseded, one obsolete, some
overdue for periodic review. Everything goes through the services (signatures,
audit events, acknowledgements). Idempotent: a document whose title exists is skipped.

Form numbers (records engineer: link record types to these):
FRM-QA-001 Nonconformity report, FRM-QA-002 Internal audit checklist,
FRM-QA-003 Calibration record, FRM-PRD-001 Final inspection record,
FRM-HR-001 Training record.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from documents import services
from documents.models import Document, DocumentType, Revision
from documents.services import StepSpec
from qms.audit import attribute
from qms.demo import DEMO_PASSWORD
from qms.models import Clause, Department, Process
from qms.permissions import Role


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


# type, dept, title, clauses, process, state, extra
# state: effective | superseded (two revisions) | in_review | draft | obsolete | overdue | pending_new
DOCS = [
    ("QM", "QA", "Quality manual", ["4.1", "4.3", "4.4", "5.2"], "MGT", "superseded",
     _md("Quality manual", "Describes the scope of the QMS, the processes and how they interact.",
         ["The QMS covers the design, manufacture and service of precision housings.",
          "Clause 8.3 applies; no requirement of ISO 9001 is excluded.",
          "The process map in annex A shows the sequence and interaction of processes.",
          "Documented information is controlled per SOP-QA-001."])),
    ("POL", "QA", "Quality policy", ["5.2"], "MGT", "effective",
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
    ("SOP", "PUR", "Supplier evaluation and purchasing", ["8.4"], "PUR", "effective",
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
    ("SOP", "HR", "Competence and training", ["7.2", "7.3"], "HR", "effective",
     _md("Competence and training", "How competence is defined, provided and recorded.",
         ["Each role has a competence profile.", "Training needs are reviewed yearly.",
          "Training is recorded on FRM-HR-001."])),
    ("SOP", "QA", "Legacy paper document control", ["7.5"], "DOC", "obsolete",
     _md("Legacy paper document control", "Paper-based control of documents (replaced by the QMS).",
         ["Masters were kept in the QA office.", "Copies were stamped CONTROLLED."])),
    ("WI", "PRD", "Use of torque wrenches", ["7.1.5", "8.5.1"], "PRD", "effective",
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

EXTERNAL = [
    ("ISO 9001:2015 Quality management systems — Requirements", "ISO", "ISO 9001:2015 (5th edition)", "2015-09-15"),
    ("ISO 2768-1 General tolerances", "ISO", "ISO 2768-1:1989", "1989-11-15"),
]


def _approve(users, revision, *, significance=Revision.Significance.SIGNIFICANT):
    services.revision_submit(actor=revision.created_by, revision=revision,
                             steps=[StepSpec(kind="approve", users=[users["approver"]])])
    services.revision_decide(actor=users["approver"], revision=revision, password=DEMO_PASSWORD,
                             outcome="approved", comment="Approved for use", significance=significance)


def _backdate(document: Document, actor, *, months: int) -> None:
    """Demo only: pretend the document took effect `months` ago, so some reviews are overdue."""
    document.refresh_from_db()
    rev = document.effective_revision
    rev.effective_date = timezone.localdate() - timedelta(days=30 * months)
    attribute(rev, actor, "Demo data: legacy effective date")
    rev.save()
    document.next_review_date = services.add_months(rev.effective_date, document.interval_months)
    attribute(document, actor, "Demo data: legacy review date")
    document.save()


def seed(*, users, stdout) -> None:
    if not DocumentType.objects.exists():
        stdout.write("documents: no document types (run migrate); skipped")
        return
    if not users["approver"].check_password(DEMO_PASSWORD):
        stdout.write("documents: demo users have changed passwords; demo documents skipped")
        return
    staff_group = Group.objects.filter(name=Role.STAFF).first()
    created = 0
    for code, dept, title, clause_numbers, process, state, content in DOCS:
        if Document.objects.filter(title=title).exists():
            continue
        with transaction.atomic():
            _seed_one(users, code, dept, title, clause_numbers, process, state, content, staff_group)
        created += 1
    for title, issuer, edition, date in EXTERNAL:
        if Document.objects.filter(title=title).exists():
            continue
        with transaction.atomic():
            doc = services.document_create(
                actor=users["qm"], doc_type=DocumentType.objects.get(code="EXT"),
                department=Department.objects.get(code="QA"), title=title, issuer=issuer,
                external_reference=edition, external_date=date,
                clauses=Clause.objects.filter(number__in=["4.1", "7.5.3"]),
                content=f"# {title}\n\nPurchased copy held by the Quality Manager. Issuer: {issuer}, edition {edition}.",
            )
            _approve(users, doc.latest_revision)
        created += 1
    stdout.write(f"documents: {created} demo documents created")


def _seed_one(users, code, dept, title, clause_numbers, process, state, content, staff_group):
    author = users["qm"] if code in ("QM", "POL") else users["author"]
    doc = services.document_create(
        actor=author, doc_type=DocumentType.objects.get(code=code), department=Department.objects.get(code=dept),
        title=title, owner=author, process=Process.objects.filter(code=process).first(),
        clauses=Clause.objects.filter(number__in=clause_numbers), content=content,
        distribution_groups=[staff_group] if staff_group and code in ("SOP", "WI", "POL", "QM") else [],
    )
    rev = doc.latest_revision
    if state == "draft":
        return
    if state == "in_review":
        services.revision_submit(actor=author, revision=rev, steps=[
            StepSpec(kind="review", users=[users["qm"]] if author != users["qm"] else [users["auditor"]]),
            StepSpec(kind="approve", users=[users["approver"]]),
        ])
        return
    _approve(users, rev)
    if state in ("superseded", "pending_new"):
        _backdate(doc, author, months=14)
        doc.refresh_from_db()
        new = services.revision_create_new(actor=author, document=doc, change_summary="Updated after internal audit",
                                           change_reason="Internal audit 2026-03, observation 4")
        services.revision_update_draft(actor=author, revision=new,
                                       content=content + "\n> Clarified after the internal audit of March.\n")
        if state == "superseded":
            _approve(users, new)
        else:
            services.revision_submit(actor=author, revision=new,
                                     steps=[StepSpec(kind="approve", users=[users["approver"]])])
    elif state == "overdue":
        _backdate(doc, author, months=30)
    elif state == "obsolete":
        services.document_make_obsolete(actor=users["qm"], document=doc, reason="Replaced by SOP-QA-001 in the QMS")
    doc.refresh_from_db()
    if doc.effective_revision_id and code in ("POL", "QM") and users.get("staff"):
        services.acknowledge(actor=users["staff"], document=doc, password=DEMO_PASSWORD, comment="")
