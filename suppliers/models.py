"""External providers (ISO 9001 8.4): the supplier register, contacts,
certificates held, evaluations against weighted criteria, and on-time delivery
entered per month. Performance is computed from the QMS (CAPAs raised from the
supplier, incoming-inspection records naming it) in suppliers/selectors.py.

States and their moves live in suppliers/lifecycles.py; suppliers/services.py
is the only code that writes.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qms.history import HistoricalRecords
from qms.models import Clause

# Criterion scores run 1 (poor) to SCALE_MAX (excellent); the weighted total is 0–100.
SCALE_MIN, SCALE_MAX = 1, 5
# Re-evaluation interval by criticality (months): the more a supplier can hurt
# conformity, the more often it is looked at again (8.4.1: risk-based control).
INTERVAL_MONTHS = {"critical": 12, "major": 24, "minor": 36}
# A re-evaluation shows in my tasks this many days before it is due.
DUE_SOON_DAYS = 30


class Supplier(models.Model):
    class Criticality(models.TextChoices):
        CRITICAL = "critical", pgettext_lazy("supplier criticality", "Critical")
        MAJOR = "major", pgettext_lazy("supplier criticality", "Major")
        MINOR = "minor", pgettext_lazy("supplier criticality", "Minor")

    class Status(models.TextChoices):
        PROSPECTIVE = "prospective", _("Prospective")
        APPROVED = "approved", _("Approved")
        CONDITIONAL = "conditional", _("Conditionally approved")
        SUSPENDED = "suspended", _("Suspended")
        DISQUALIFIED = "disqualified", _("Disqualified")

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    supplies = models.CharField(_("what they supply"), max_length=300)
    criticality = models.CharField(max_length=10, choices=Criticality.choices, default=Criticality.MAJOR)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.PROSPECTIVE, db_index=True)
    scope_of_approval = models.TextField(blank=True, help_text=_("Products, services or processes it is approved for"))
    website = models.URLField(blank=True)
    address = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", help_text=_("Who looks after this supplier"))
    # The clause its records evidence (the scope hook narrows an external auditor's view by it).
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="+")
    next_evaluation_due = models.DateField(null=True, blank=True, db_index=True)
    last_score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="suppliers_supplier_name_idx"),
            models.Index(fields=["status", "name"], name="suppliers_supplier_status_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("suppliers:detail", args=[self.code])

    @property
    def interval_months(self) -> int:
        return INTERVAL_MONTHS[self.criticality]

    @property
    def evaluation_overdue(self) -> bool:
        return bool(self.next_evaluation_due and self.next_evaluation_due < timezone.localdate())

    def signature_content(self) -> dict:
        """What an approval or disqualification signature covers."""
        return {
            "code": self.code, "name": self.name, "supplies": self.supplies, "criticality": self.criticality,
            "scope_of_approval": self.scope_of_approval,
            "last_score": str(self.last_score) if self.last_score is not None else None,
        }


class Contact(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["supplier", "name", "id"]

    def __str__(self):
        return self.name


class Certificate(models.Model):
    """A certificate the supplier holds (ISO 9001, IATF 16949, ...), with its file as evidence."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="certificates")
    standard = models.CharField(max_length=100, help_text=_("e.g. ISO 9001:2015"))
    number = models.CharField(_("certificate number"), max_length=100, blank=True)
    issuer = models.CharField(_("issued by"), max_length=150, blank=True)
    valid_until = models.DateField()
    file = models.CharField(max_length=255, blank=True, help_text=_("Storage name (random)"))
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["supplier", "-valid_until", "id"]

    def __str__(self):
        return f"{self.standard} ({self.supplier.code})"

    @property
    def expired(self) -> bool:
        return self.valid_until < timezone.localdate()


class SupplierAudit(models.Model):
    """A supplier audit (an audit of type "supplier" in the audits app) linked to the supplier it audited."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="audit_links")
    audit = models.ForeignKey("audits.Audit", on_delete=models.PROTECT, related_name="+")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["supplier", "-linked_at"]
        constraints = [models.UniqueConstraint(fields=["supplier", "audit"], name="suppliers_supplieraudit_unique")]

    def __str__(self):
        return f"{self.supplier.code} ← {self.audit_id}"


class Criterion(models.Model):
    """One evaluation criterion and its weight (configurable by the quality manager)."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(help_text=_("Relative weight (1–100)"))
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1) & Q(weight__lte=100),
                                   name="suppliers_criterion_weight_range"),
        ]

    def __str__(self):
        return self.name


class Evaluation(models.Model):
    """An initial or periodic evaluation: a score per criterion, a weighted
    total (0–100), a decision, signed by the evaluator. Never edited."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial")
        PERIODIC = "periodic", _("Periodic")

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve / keep approved")
        CONDITIONAL = "conditional", _("Approve with conditions")
        REJECT = "reject", _("Do not use")

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="evaluations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    evaluated_on = models.DateField()
    score = models.DecimalField(max_digits=5, decimal_places=1)
    decision = models.CharField(max_length=12, choices=Decision.choices)
    comment = models.TextField(blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-evaluated_on", "-id"]
        indexes = [models.Index(fields=["supplier", "-evaluated_on"], name="suppliers_eval_supplier_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="suppliers_evaluation_score_range"),
        ]

    def __str__(self):
        with translation.override(None):  # the trail stores it (object_repr): untranslated
            kind = str(self.get_kind_display()).lower()
        return f"{self.supplier.code} {kind} evaluation {self.evaluated_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("suppliers:evaluation-detail", args=[self.pk])

    def signature_content(self) -> dict:
        return {
            "supplier": self.supplier.code, "kind": self.kind, "evaluated_on": self.evaluated_on.isoformat(),
            "score": str(self.score), "decision": self.decision, "comment": self.comment,
            "lines": [[line.criterion_name, line.weight, line.score] for line in self.lines.all()],
        }


class EvaluationLine(models.Model):
    """A criterion's score in one evaluation; name and weight kept as they were."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="lines")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    criterion_name = models.CharField(max_length=100)
    weight = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["evaluation", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=SCALE_MIN) & Q(score__lte=SCALE_MAX),
                                   name="suppliers_evaluationline_score_scale"),
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="suppliers_evaluationline_unique"),
        ]

    def __str__(self):
        return f"{self.criterion_name}: {self.score}"


def weighted_score(lines: list[tuple[int, int]]) -> Decimal:
    """(weight, score) pairs → 0–100: each score mapped onto 0–100 and weighted."""
    total_weight = sum(w for w, _ in lines)
    if not total_weight:
        return Decimal("0.0")
    value = sum(Decimal(w) * (Decimal(s - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)) for w, s in lines)
    return (value * 100 / total_weight).quantize(Decimal("0.1"))


class Delivery(models.Model):
    """Deliveries received from the supplier in one month and how many were on time."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="deliveries")
    month = models.DateField(help_text=_("First day of the month"))
    delivered = models.PositiveIntegerField()
    on_time = models.PositiveIntegerField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["supplier", "-month"]
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "month"], name="suppliers_delivery_unique_month"),
            models.CheckConstraint(condition=Q(on_time__lte=models.F("delivered")),
                                   name="suppliers_delivery_on_time_le_delivered"),
            models.CheckConstraint(condition=Q(delivered__gte=1), name="suppliers_delivery_some"),
        ]

    def __str__(self):
        return f"{self.supplier.code} {self.month:%Y-%m}"

    @property
    def percent(self) -> Decimal:
        return (Decimal(self.on_time) * 100 / Decimal(self.delivered)).quantize(Decimal("0.1"))
