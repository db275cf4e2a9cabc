"""Internal audits and corrective action (ISO 9001 9.2, 10.2; ISO 19011).

AuditProgramme (a period) → ProgrammeItem (a process or clause with a frequency)
→ Audit (planned → prepared → in progress → reported → closed) → ChecklistItem,
Finding, AuditReport. AuditQuestion is the question library per clause that
checklists are generated from. Each NC finding opens a Capa (nonconformity and
corrective action) with actions and an effectiveness check.

States and their allowed moves sit beside each model; audits/services.py holds
the one service per transition and is the only code that sets `status`.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.history import HistoricalRecords
from qms.models import Clause, Department, Process


class AuditProgramme(models.Model):
    """ISO 19011 5: the audit programme for a period (usually a year)."""

    title = models.CharField(max_length=150)
    period_start = models.DateField()
    period_end = models.DateField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_programmes")
    objectives = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="audits_auditprogramme_period_order"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("audits:programme-detail", args=[self.pk])


class ProgrammeItem(models.Model):
    """What the programme covers (a process, a department or a clause) and how often."""

    class Risk(models.TextChoices):
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")

    programme = models.ForeignKey(AuditProgramme, on_delete=models.CASCADE, related_name="items")
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    clause = models.ForeignKey(Clause, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    frequency_months = models.PositiveSmallIntegerField(default=12, help_text=_("Audit every N months (6 for high risk)"))
    risk = models.CharField(max_length=10, choices=Risk.choices, default=Risk.NORMAL)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(process__isnull=False) & Q(department__isnull=True) & Q(clause__isnull=True))
                | (Q(process__isnull=True) & Q(department__isnull=False) & Q(clause__isnull=True))
                | (Q(process__isnull=True) & Q(department__isnull=True) & Q(clause__isnull=False)),
                name="audits_programmeitem_one_subject",
            ),
            models.CheckConstraint(condition=Q(frequency_months__gte=1), name="audits_programmeitem_frequency_positive"),
            models.UniqueConstraint(fields=["programme", "process"], name="audits_programmeitem_unique_process"),
            models.UniqueConstraint(fields=["programme", "department"], name="audits_programmeitem_unique_department"),
            models.UniqueConstraint(fields=["programme", "clause"], name="audits_programmeitem_unique_clause"),
        ]

    def __str__(self):
        return str(self.process or self.department or self.clause)


class Audit(models.Model):
    class Type(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        SUPPLIER = "supplier", _("Supplier")
        CERTIFICATION = "certification", _("Certification / external")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PREPARED = "prepared", _("Prepared (plan issued)")
        IN_PROGRESS = "in_progress", _("In progress")
        REPORTED = "reported", _("Reported")
        CLOSED = "closed", _("Closed")

    number = models.CharField(max_length=30, unique=True)
    programme = models.ForeignKey(
        AuditProgramme, null=True, blank=True, on_delete=models.PROTECT, related_name="audits"
    )
    audit_type = models.CharField(_("type"), max_length=15, choices=Type.choices, default=Type.INTERNAL)
    title = models.CharField(max_length=200)
    objectives = models.TextField()
    scope = models.TextField(help_text=_("Processes, locations, activities and period covered"))
    criteria_clauses = models.ManyToManyField(Clause, blank=True, related_name="audits", verbose_name=_("criteria: clauses"))
    criteria_documents = models.ManyToManyField(
        "documents.Document", blank=True, related_name="audits", verbose_name=_("criteria: documents audited against")
    )
    processes = models.ManyToManyField(Process, blank=True, related_name="audits")
    departments = models.ManyToManyField(Department, blank=True, related_name="audits")
    site = models.CharField(max_length=150, blank=True)
    methods = models.TextField(blank=True, help_text=_("Interviews, observation, record sampling; remote means if any"))
    is_remote = models.BooleanField(_("remote audit"), default=False)
    planned_start = models.DateTimeField(db_index=True)
    planned_end = models.DateTimeField()
    lead_auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_audits")
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="audit_teams")
    auditees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="audited_in")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-planned_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")), name="audits_audit_dates_order"
            ),
            models.CheckConstraint(condition=~Q(scope=""), name="audits_audit_scope_required"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("audits:audit-detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.REPORTED, self.Status.CLOSED)


class AuditQuestionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def under(self, clauses):
        """Questions of these clauses and of their sub-clauses: criteria 7.1.5
        cover 7.1.5.1 and 7.1.5.2 too."""
        cond = Q(pk__in=[])
        for clause in clauses:
            cond |= Q(clause=clause) | Q(clause__sort_key__startswith=f"{clause.sort_key}.")
        return self.filter(cond)


class AuditQuestion(models.Model):
    """The question library (ISO 19011 6.3.4, work documents): questions per
    clause, with the evidence to look for, that checklists are built from.
    A checklist copies the wording, so editing a question never changes a past
    audit; a question once used is deactivated, never deleted."""

    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="audit_questions")
    text = models.CharField(_("question"), max_length=500)
    guidance = models.TextField(_("evidence to look for"), blank=True)
    position = models.PositiveIntegerField(default=0, help_text=_("Order within the clause (lower first)"))
    is_active = models.BooleanField(_("active"), default=True, db_index=True,
                                    help_text=_("Inactive questions are kept but no longer put on checklists"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Empty for the questions the system ships with"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = AuditQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["clause__sort_key", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="audits_auditquestion_text_required"),
            models.UniqueConstraint(fields=["clause", "text"], name="audits_auditquestion_unique_text"),
        ]

    def __str__(self):
        return f"{self.clause.number}: {self.text[:80]}"

    def get_absolute_url(self):
        return reverse("audits:question-edit", args=[self.pk])

    def is_under(self, clause) -> bool:
        return self.clause_id == clause.pk or self.clause.sort_key.startswith(f"{clause.sort_key}.")


class ChecklistItem(models.Model):
    class Answer(models.TextChoices):
        OPEN = "", _("Not answered")
        CONFORMING = "conforming", _("Conforming")
        NONCONFORMING = "nonconforming", _("Nonconforming")
        OBSERVATION = "observation", _("Observation")
        NA = "na", _("Not applicable")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="checklist")
    position = models.PositiveIntegerField(default=0)
    clause = models.ForeignKey(Clause, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    # Copied from the library question when the item is made from one: the
    # checklist is part of the audit record and must not move with the library.
    guidance = models.TextField(_("evidence to look for"), blank=True)
    library_question = models.ForeignKey(
        AuditQuestion, null=True, blank=True, on_delete=models.PROTECT, related_name="checklist_items",
    )
    answer = models.CharField(max_length=15, choices=Answer.choices, blank=True)
    notes = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "position", "id"]

    def __str__(self):
        return self.question[:80]


class Finding(models.Model):
    class Type(models.TextChoices):
        MAJOR_NC = "major_nc", _("Major nonconformity")
        MINOR_NC = "minor_nc", _("Minor nonconformity")
        OBSERVATION = "observation", _("Observation")
        OFI = "ofi", _("Opportunity for improvement")
        GOOD_PRACTICE = "good_practice", _("Good practice")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    NC_TYPES = (Type.MAJOR_NC, Type.MINOR_NC)

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="findings")
    seq = models.PositiveIntegerField()
    finding_type = models.CharField(_("type"), max_length=15, choices=Type.choices)
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="findings")
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.PROTECT, related_name="findings")
    checklist_item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    statement = models.TextField(help_text=_("What was found, against which requirement"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_findings")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "seq"]
        constraints = [models.UniqueConstraint(fields=["audit", "seq"], name="audits_finding_unique_seq")]
        indexes = [models.Index(fields=["process", "finding_type"], name="audits_finding_process_idx")]

    def __str__(self):
        return f"{self.audit.number}-F{self.seq:02d}"

    def get_absolute_url(self):
        return reverse("audits:finding-detail", args=[self.pk])

    @property
    def is_nc(self) -> bool:
        return self.finding_type in self.NC_TYPES


class AuditReport(models.Model):
    """ISO 19011 6.5.1. Objectives, scope, team, criteria and findings come from
    the audit itself; the rest is written here. Issued = locked and signed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    REQUIRED = ("client", "dates_places", "conclusions", "criteria_met", "diverging_opinions", "sampling_note")

    audit = models.OneToOneField(Audit, on_delete=models.PROTECT, related_name="report")
    client = models.CharField(max_length=200, blank=True, help_text=_("Who asked for the audit"))
    dates_places = models.TextField(_("dates and places"), blank=True)
    summary = models.TextField(blank=True)
    conclusions = models.TextField(blank=True)
    criteria_met = models.TextField(_("degree to which criteria were met"), blank=True)
    diverging_opinions = models.TextField(_("unresolved diverging opinions"), blank=True, help_text=_("Write “None” if none"))
    sampling_note = models.TextField(
        blank=True, help_text=_("Audits sample: say what was sampled and that uncertainty remains")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    def __str__(self):
        return f"Report {self.audit.number}"

    def missing_parts(self) -> list[str]:
        missing = [str(self._meta.get_field(f).verbose_name) for f in self.REQUIRED if not getattr(self, f).strip()]
        if not self.audit.objectives.strip():
            missing.insert(0, "objectives")
        if not self.audit.scope.strip():
            missing.insert(0, "scope")
        return missing

    def signature_content(self) -> dict:
        data = {f: getattr(self, f) for f in self.REQUIRED + ("summary",)}
        data["audit"] = self.audit.number
        data["objectives"] = self.audit.objectives
        data["scope"] = self.audit.scope
        data["findings"] = [
            [f.seq, f.finding_type, f.clause_id, f.statement] for f in self.audit.findings.order_by("seq")
        ]
        return data


class ReportDistribution(models.Model):
    """Who received the issued report, and when (ISO 19011 6.5.2)."""

    report = models.ForeignKey(AuditReport, on_delete=models.PROTECT, related_name="distribution")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=60)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self):
        return f"{self.report} → {self.recipient}"


class Capa(models.Model):
    """A nonconformity and its corrective action (ISO 9001 10.2)."""

    class Source(models.TextChoices):
        AUDIT_FINDING = "audit_finding", _("Audit finding")
        COMPLAINT = "complaint", _("Customer complaint")
        NC_OUTPUT = "nc_output", _("Nonconforming output")
        SUPPLIER = "supplier", _("Supplier")
        PROCESS = "process", _("Process")
        CERTIFICATION = "certification", _("Certification audit")
        RISK = "risk", _("Risk or opportunity")
        EQUIPMENT = "equipment", _("Measuring equipment")

    class Severity(models.TextChoices):
        MAJOR = "major", _("Major")
        MINOR = "minor", _("Minor")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANALYSED = "analysed", _("Analysed")
        IMPLEMENTING = "implementing", _("Actions in progress")
        VERIFYING = "verifying", _("Effectiveness check due")
        EFFECTIVE = "effective", _("Verified effective")
        CLOSED = "closed", _("Closed")

    class Result(models.TextChoices):
        NONE = "", _("—")
        EFFECTIVE = "effective", _("Effective")
        NOT_EFFECTIVE = "not_effective", _("Not effective")

    number = models.CharField(max_length=30, unique=True)
    source = models.CharField(max_length=15, choices=Source.choices)
    finding = models.OneToOneField(Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="capa")
    source_record = models.ForeignKey(
        "records.Record", null=True, blank=True, on_delete=models.PROTECT, related_name="capas",
        help_text=_("The complaint or nonconforming-output record"),
    )
    # What else raised it (a risk, a supplier, an instrument, a complaint, ...):
    # any app's object, linked without this app knowing the app (capa_raise(origin=)).
    origin_type = models.ForeignKey("contenttypes.ContentType", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    origin_id = models.PositiveBigIntegerField(null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    origin_label = models.CharField(max_length=200, blank=True, help_text=_("What raised it, as it was named then"))
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.PROTECT, related_name="capas")
    clause = models.ForeignKey(Clause, null=True, blank=True, on_delete=models.PROTECT, related_name="capas")
    title = models.CharField(max_length=200)
    description = models.TextField()
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MINOR)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_capas")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)
    due_date = models.DateField()
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN, db_index=True)
    containment = models.TextField(blank=True)
    containment_date = models.DateField(null=True, blank=True)
    correction = models.TextField(blank=True)
    correction_date = models.DateField(null=True, blank=True)
    ca_needed = models.BooleanField(_("corrective action needed"), null=True, blank=True)
    ca_justification = models.TextField(_("justification of the decision"), blank=True)
    whys = models.JSONField("5 whys", default=list, blank=True)
    root_cause = models.TextField(blank=True)
    effectiveness_method = models.TextField(blank=True)
    effectiveness_due = models.DateField(null=True, blank=True, db_index=True)
    effectiveness_result = models.CharField(max_length=15, choices=Result.choices, blank=True)
    effectiveness_notes = models.TextField(blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("CAPA")
        indexes = [models.Index(fields=["origin_type", "origin_id"], name="audits_capa_origin")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="audit_finding") | Q(finding__isnull=False), name="audits_capa_finding_source"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("capa:capa-detail", args=[self.pk])

    @property
    def origin_url(self) -> str:
        """The page of what raised it, if it still has one (the page checks who may see it)."""
        target = self.origin if self.origin_type_id else None
        return target.get_absolute_url() if target is not None and hasattr(target, "get_absolute_url") else ""

    def signature_content(self) -> dict:
        return {
            "number": self.number,
            "description": self.description,
            "containment": self.containment,
            "correction": self.correction,
            "root_cause": self.root_cause,
            "whys": self.whys,
            "effectiveness_result": self.effectiveness_result,
            "effectiveness_notes": self.effectiveness_notes,
        }

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.CLOSED and self.due_date < timezone.localdate()


class CapaAction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    capa = models.ForeignKey(Capa, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="capa_actions")
    due_date = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    completion_note = models.TextField(blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["capa", "due_date", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="audits_capaaction_owner_idx")]
        verbose_name = _("CAPA action")
        verbose_name_plural = _("CAPA actions")

    def __str__(self):
        return f"{self.capa.number}: {self.description[:60]}"


class Evidence(models.Model):
    """A link from a checklist answer, finding or CAPA action to what was seen:
    an exact document revision (never the document, which moves on), a record,
    or an uploaded file with its SHA-256."""

    class Kind(models.TextChoices):
        REVISION = "revision", _("Document revision")
        RECORD = "record", _("Record")
        FILE = "file", _("Uploaded file")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    checklist_item = models.ForeignKey(ChecklistItem, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    action = models.ForeignKey(CapaAction, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    revision = models.ForeignKey("documents.Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey("records.Record", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file = models.CharField(max_length=300, blank=True, help_text=_("Storage name (random)"))
    original_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type_header = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="revision") & Q(revision__isnull=False) & Q(record__isnull=True) & Q(file=""))
                | (Q(kind="record") & Q(record__isnull=False) & Q(revision__isnull=True) & Q(file=""))
                | (Q(kind="file") & ~Q(file="") & Q(revision__isnull=True) & Q(record__isnull=True)),
                name="audits_evidence_one_target",
            ),
            models.CheckConstraint(
                condition=Q(checklist_item__isnull=False) | Q(finding__isnull=False) | Q(action__isnull=False),
                name="audits_evidence_has_owner",
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.REVISION:
            return str(self.revision)
        if self.kind == self.Kind.RECORD:
            return str(self.record)
        return self.original_name


class CalendarToken(models.Model):
    """A secret per user for the iCalendar feed URLs: calendar clients
    (Outlook, Google) cannot log in, so the URL itself is the credential."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Calendar token of {self.user}"
