"""Customer feedback and complaints (ISO 9001 8.2.1, 9.1.2), customer
satisfaction surveys (9.1.2) and management reviews (9.3).

A complaint is logged, acknowledged, answered and closed; it can raise a CAPA
(audits.services.capa_raise(source="complaint", origin=complaint)) and closes
only when that CAPA is closed. A management review compiles its input pack
(9.3.2) from live data when it is created, keeps it as it was compiled, and
records its outputs (9.3.3) as decisions that can become tracked actions; the
chair signs the minutes and the review is then locked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.history import HistoricalRecords
from qms.models import Clause, Process

# A complaint should be answered within this many days of receipt (on-time measure, dashboard).
RESPONSE_DUE_DAYS = 10
# A complaint should be acknowledged within this many days of receipt.
ACK_DUE_DAYS = 2


class Complaint(models.Model):
    """One piece of customer feedback: a complaint, or a compliment or suggestion."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        COMPLIMENT = "compliment", _("Compliment")
        SUGGESTION = "suggestion", _("Suggestion")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Telephone")
        WEB = "web", _("Web form")
        VISIT = "visit", _("Visit or meeting")
        SURVEY = "survey", _("Survey comment")
        LETTER = "letter", _("Letter")
        OTHER = "other", _("Other")

    class Category(models.TextChoices):
        PRODUCT = "product", _("Product quality")
        DELIVERY = "delivery", _("Delivery and lead time")
        DOCUMENTATION = "documentation", _("Documentation and labelling")
        SERVICE = "service", _("Service and support")
        COMMERCIAL = "commercial", _("Price and invoicing")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESPONDED = "responded", _("Responded")
        CLOSED = "closed", _("Closed")

    number = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.COMPLAINT)
    customer = models.CharField(max_length=200)
    contact = models.CharField(_("customer contact"), max_length=200, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_on = models.DateField(_("received"), db_index=True)
    reference = models.CharField(_("product or order reference"), max_length=120, blank=True)
    description = models.TextField()
    category = models.CharField(max_length=15, choices=Category.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_complaints")
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints")
    # The clause the log answers to (8.2.1 / 9.1.2): what an external auditor's grant is matched against.
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="+")
    acknowledged_on = models.DateField(_("acknowledged"), null=True, blank=True)
    responded_on = models.DateField(_("responded"), null=True, blank=True)
    response = models.TextField(_("response to the customer"), blank=True)
    resolution = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name=_("customer feedback")
        verbose_name_plural=_("customer feedback")
        indexes = [models.Index(fields=["-received_on", "-id"], name="reviews_complaint_recv_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(acknowledged_on__isnull=True) | Q(acknowledged_on__gte=F("received_on")),
                                   name="reviews_complaint_ack_after_receipt"),
            models.CheckConstraint(condition=Q(responded_on__isnull=True) | Q(responded_on__gte=F("received_on")),
                                   name="reviews_complaint_response_after_receipt"),
            models.CheckConstraint(condition=~Q(customer=""), name="reviews_complaint_customer_required"),
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(resolution=""),
                                   name="reviews_complaint_closed_has_resolution"),
        ]

    def __str__(self):
        return f"{self.number} {self.customer}"

    def get_absolute_url(self):
        return reverse("reviews:complaint-detail", args=[self.number])

    @property
    def response_due(self):
        return self.received_on + timezone.timedelta(days=RESPONSE_DUE_DAYS)

    @property
    def response_days(self) -> int | None:
        return (self.responded_on - self.received_on).days if self.responded_on else None


class SatisfactionSurvey(models.Model):
    """The result of a customer satisfaction survey for one period (9.1.2)."""

    title = models.CharField(max_length=200, help_text=_("e.g. Annual customer survey 2026, key accounts"))
    method = models.CharField(max_length=200, blank=True, help_text=_("How it was asked: questionnaire, interviews…"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"), db_index=True)
    score = models.DecimalField(max_digits=6, decimal_places=2, help_text=_("The overall score on the scale below"))
    scale_max = models.PositiveSmallIntegerField(_("scale maximum"), default=100,
                                                help_text=_("The best possible score: 5, 10 or 100 (%)"))
    respondents = models.PositiveIntegerField()
    comments = models.TextField(blank=True)
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name=_("satisfaction survey")
        verbose_name_plural=_("satisfaction surveys")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="reviews_survey_period_order"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=F("scale_max")),
                                   name="reviews_survey_score_on_scale"),
            models.CheckConstraint(condition=Q(scale_max__gt=0), name="reviews_survey_scale_positive"),
            models.CheckConstraint(condition=Q(respondents__gt=0), name="reviews_survey_has_respondents"),
        ]

    def __str__(self):
        return f"{self.title} ({self.period_start:%Y-%m-%d} – {self.period_end:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("reviews:survey-detail", args=[self.pk])

    @property
    def percent(self):
        from decimal import Decimal

        return (Decimal(self.score) * 100 / Decimal(self.scale_max)).quantize(Decimal("0.1"))


class ManagementReview(models.Model):
    """A management review meeting (9.3): its input pack and its minutes."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        APPROVED = "approved", _("Minutes approved")

    number = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    meeting_date = models.DateField(db_index=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_reviews")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="attended_reviews")
    period_start = models.DateField(_("period covered from"))
    period_end = models.DateField(_("period covered to"))
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="+")
    # The input pack as compiled (qms.review_inputs), kept so the minutes refer to what was presented.
    pack = models.JSONField(default=list, blank=True)
    pack_compiled_at = models.DateTimeField(null=True, blank=True)
    # 9.3.3: the overall conclusion on the suitability, adequacy and effectiveness of the QMS.
    conclusions = models.TextField(_("conclusions on the QMS"), blank=True,
                                   help_text=_("Is the QMS still suitable, adequate and effective?"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(m2m_fields=[attendees], excluded_fields=["pack"])

    class Meta:
        ordering = ["-meeting_date", "-id"]
        verbose_name=_("management review")
        verbose_name_plural=_("management reviews")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")),
                                   name="reviews_managementreview_period_order"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("reviews:review-detail", args=[self.pk])

    @property
    def locked(self) -> bool:
        return self.status == self.Status.APPROVED

    def signature_content(self) -> dict:
        """What the chair's signature covers: the meeting, the conclusions and every decision and action."""
        return {
            "number": self.number,
            "title": self.title,
            "meeting_date": str(self.meeting_date),
            "chair": self.chair_id,
            "attendees": sorted(self.attendees.values_list("pk", flat=True)),
            "period": [str(self.period_start), str(self.period_end)],
            "conclusions": self.conclusions,
            "pack_compiled_at": str(self.pack_compiled_at),
            "decisions": [
                [d.kind, d.text, d.action_description, d.action_owner_id, str(d.action_due_date or "")]
                for d in self.decisions.order_by("seq")
            ],
        }

    def content_labels(self) -> dict:
        return {"decisions": "Decisions", "conclusions": "Conclusions", "attendees": "Attendees"}


class Decision(models.Model):
    """One output of a management review (9.3.3), optionally an action tracked to completion."""

    class Kind(models.TextChoices):
        IMPROVEMENT = "improvement", _("Opportunity for improvement")
        QMS_CHANGE = "qms_change", _("Change to the QMS")
        RESOURCES = "resources", _("Resource need")

    class ActionStatus(models.TextChoices):
        NONE = "", _("No action")
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    review = models.ForeignKey(ManagementReview, on_delete=models.PROTECT, related_name="decisions")
    seq = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField(_("decision"))
    action_description = models.TextField(_("action"), blank=True)
    action_owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="review_actions")
    action_due_date = models.DateField(_("action due"), null=True, blank=True)
    action_status = models.CharField(max_length=5, choices=ActionStatus.choices, default="", blank=True,
                                     db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    completion_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "seq"]
        verbose_name=_("review decision")
        verbose_name_plural=_("review decisions")
        constraints = [
            models.UniqueConstraint(fields=["review", "seq"], name="reviews_decision_unique_seq"),
            models.CheckConstraint(condition=~Q(text=""), name="reviews_decision_text_required"),
            # An action has an owner and a due date, or there is no action at all.
            models.CheckConstraint(
                condition=(Q(action_status="") & Q(action_owner__isnull=True) & Q(action_due_date__isnull=True))
                | (~Q(action_status="") & Q(action_owner__isnull=False) & Q(action_due_date__isnull=False)
                   & ~Q(action_description="")),
                name="reviews_decision_action_complete"),
        ]

    def __str__(self):
        return f"{self.review.number} decision {self.seq}"

    def get_absolute_url(self):
        return reverse("reviews:review-detail", args=[self.review_id]) + f"#decision-{self.seq}"

    @property
    def has_action(self) -> bool:
        return bool(self.action_status)

    @property
    def overdue(self) -> bool:
        return self.action_status == self.ActionStatus.OPEN and self.action_due_date < timezone.localdate()
