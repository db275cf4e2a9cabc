"""Planning the management system: the context of the organisation (ISO 9001
4.1 issues, 4.2 interested parties), risks and opportunities (6.1) and quality
objectives with their KPIs and measurements (6.2, 9.1.1, 9.1.3).

Every entry is versioned (simple-history) and links to clauses (the external
auditor's scope) and, where it has one, a process. planning/services.py is the
only code that writes; numbers are derived from the primary key (never reused).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qms.history import HistoricalRecords
from qms.models import Clause, Department, Process

# ------------------------------------------------------------------ the risk scale (configurable)
DEFAULT_BANDS = [
    {"name": "Low", "max": 4, "colour": "success"},
    {"name": "Medium", "max": 12, "colour": "warning"},
    {"name": "High", "max": 25, "colour": "danger"},
]
BAND_COLOURS = ("success", "info", "warning", "danger", "dark", "secondary")
MAX_LEVELS = 10


@dataclass(frozen=True)
class Band:
    name: str
    low: int  # lowest score in the band (inclusive)
    high: int  # highest score (inclusive)
    colour: str
    rank: int  # 0 = the lowest band


class RiskScale(models.Model):
    """The one likelihood × impact scale of the register and its rating bands.

    A band covers the scores up to its `max`; the last band ends at the highest
    score (likelihood levels × impact levels). One row (pk=1)."""

    likelihood_levels = models.PositiveSmallIntegerField(default=5)
    impact_levels = models.PositiveSmallIntegerField(default=5)
    bands = models.JSONField(default=list, help_text=_("[{name, max, colour}], lowest band first"))
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(likelihood_levels__gte=2, likelihood_levels__lte=MAX_LEVELS),
                                   name="planning_riskscale_likelihood_levels"),
            models.CheckConstraint(condition=Q(impact_levels__gte=2, impact_levels__lte=MAX_LEVELS),
                                   name="planning_riskscale_impact_levels"),
        ]

    def __str__(self):
        return f"Risk scale {self.likelihood_levels} × {self.impact_levels}"

    @classmethod
    def default(cls) -> RiskScale:
        """The 5 × 5 scale used until the quality manager saves one (never saved itself)."""
        return cls(pk=1, likelihood_levels=5, impact_levels=5, bands=DEFAULT_BANDS)

    @classmethod
    def current(cls) -> RiskScale:
        return cls.objects.filter(pk=1).first() or cls.default()

    @property
    def max_score(self) -> int:
        return self.likelihood_levels * self.impact_levels

    def band_list(self) -> list[Band]:
        out, low = [], 1
        bands = self.bands or DEFAULT_BANDS
        for i, b in enumerate(bands):
            high = self.max_score if i == len(bands) - 1 else int(b["max"])
            out.append(Band(str(b["name"]), low, high, str(b.get("colour") or "secondary"), i))
            low = high + 1
        return out

    def band_for(self, score: int | None) -> Band | None:
        if score is None:
            return None
        for band in self.band_list():
            if band.low <= score <= band.high:
                return band
        return None

    def band_named(self, name: str) -> Band | None:
        return next((b for b in self.band_list() if b.name.lower() == (name or "").lower()), None)


def bands_problem(bands: list[dict], max_score: int) -> str | None:
    """Why `bands` cannot rate scores 1..max_score, or None."""
    if not bands:
        return gettext("Give at least one rating band.")
    if len(bands) > 6:
        return gettext("At most six rating bands.")
    names, previous = set(), 0
    for i, b in enumerate(bands):
        name = str(b.get("name", "")).strip()
        if not name:
            return gettext("Every band needs a name.")
        if name.lower() in names:
            return gettext("Two bands are named “%(name)s”.") % {"name": name}
        names.add(name.lower())
        top = b.get("max")
        last = i == len(bands) - 1
        if not last:
            if not isinstance(top, int) or top <= previous:
                return gettext("Band “%(name)s” must end above %(previous)s.") % {"name": name, "previous": previous}
            if top >= max_score:
                return (gettext("Band “%(name)s” ends at %(top)s, but the highest score is %(max)s: leave room for the bands above it.")
                        % {"name": name, "top": top, "max": max_score})
            previous = top
        if b.get("colour", "secondary") not in BAND_COLOURS:
            return gettext("Band “%(name)s” has an unknown colour.") % {"name": name}
    return None


# ------------------------------------------------------------------ context (4.1, 4.2)
class Reviewed(models.Model):
    """A register entry reviewed on a schedule (4.1, 4.2: monitor and review)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    review_months = models.PositiveSmallIntegerField(_("review every (months)"), default=12,
                                                     validators=[MinValueValidator(1)])
    last_reviewed_on = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    clauses = models.ManyToManyField(Clause, blank=True, related_name="+")

    class Meta:
        abstract = True

    @property
    def review_overdue(self) -> bool:
        return self.status == self.Status.ACTIVE and self.next_review_on < timezone.localdate()


class ContextIssue(Reviewed):
    """An internal or external issue relevant to the QMS (4.1)."""

    class Origin(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        EXTERNAL = "external", _("External")

    class Category(models.TextChoices):
        POLITICAL = "political", _("Political")
        ECONOMIC = "economic", _("Economic")
        SOCIAL = "social", _("Social")
        TECHNOLOGICAL = "technological", _("Technological")
        LEGAL = "legal", _("Legal and regulatory")
        ENVIRONMENTAL = "environmental", _("Environmental")
        MARKET = "market", _("Market and competition")
        ORGANISATION = "organisation", _("Organisation and structure")
        PEOPLE = "people", _("People and competence")
        PROCESSES = "processes", _("Processes and infrastructure")
        FINANCE = "finance", _("Financial capacity")
        CULTURE = "culture", _("Culture and communication")

    origin = models.CharField(max_length=10, choices=Origin.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    effect = models.TextField(help_text=_("How it affects the QMS's intended results"))
    source = models.CharField(max_length=200, blank=True, help_text=_("Where it was identified (SWOT, survey, meeting…)"))
    history = HistoricalRecords(excluded_fields=["changed_at"])

    class Meta:
        ordering = ["id"]
        verbose_name=_("context issue")

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("planning:issue-detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"CTX-{self.pk:03d}" if self.pk else "CTX-new"


class InterestedParty(Reviewed):
    """An interested party relevant to the QMS, its relevant requirements and how they are monitored (4.2)."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        REGULATOR = "regulator", _("Regulator or authority")
        EMPLOYEE = "employee", _("Employees")
        OWNER = "owner", _("Owners and shareholders")
        SUPPLIER = "supplier", _("Supplier or partner")
        COMMUNITY = "community", _("Community and neighbours")
        CERTIFICATION = "certification", _("Certification body")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200)
    kind = models.CharField(_("type"), max_length=15, choices=Kind.choices)
    internal = models.BooleanField(default=False)
    requirements = models.TextField(_("relevant requirements"))
    monitoring = models.TextField(_("how it is monitored"))
    history = HistoricalRecords(excluded_fields=["changed_at"])

    class Meta:
        ordering = ["id"]
        verbose_name=_("interested party")
        verbose_name_plural=_("interested parties")

    def __str__(self):
        return f"{self.number} {self.name}"

    def get_absolute_url(self):
        return reverse("planning:party-detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"IP-{self.pk:03d}" if self.pk else "IP-new"


# ------------------------------------------------------------------ risks and opportunities (6.1)
class RiskQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("owner", "process").only(
            "title", "kind", "status", "likelihood", "impact", "score", "residual_score", "reassess_on",
            "treatment", "changed_at",
            "owner__username", "owner__full_name", "owner__first_name", "owner__last_name",
            "process__code", "process__name",
        )

    def open(self):
        return self.exclude(status=Risk.Status.CLOSED)


class Risk(models.Model):
    class Kind(models.TextChoices):
        RISK = "risk", _("Risk")
        OPPORTUNITY = "opportunity", _("Opportunity")

    class Treatment(models.TextChoices):
        ACCEPT = "accept", _("Accept")
        REDUCE = "reduce", _("Reduce")
        AVOID = "avoid", _("Avoid")
        TRANSFER = "transfer", _("Transfer")
        EXPLOIT = "exploit", _("Exploit (opportunity)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TREATING = "treating", _("Being treated")
        CLOSED = "closed", _("Closed")

    RISK_TREATMENTS = (Treatment.ACCEPT, Treatment.REDUCE, Treatment.AVOID, Treatment.TRANSFER)
    OPPORTUNITY_TREATMENTS = (Treatment.ACCEPT, Treatment.EXPLOIT)

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RISK, db_index=True)
    title = models.CharField(max_length=200)
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cause = models.TextField()
    effect = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    likelihood = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    impact = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    score = models.PositiveSmallIntegerField(db_index=True)
    treatment = models.CharField(max_length=10, choices=Treatment.choices, default=Treatment.REDUCE)
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    residual_score = models.PositiveSmallIntegerField(null=True, blank=True)
    reassess_on = models.DateField(_("re-assess on"), db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    closed_reason = models.TextField(blank=True)
    issues = models.ManyToManyField(ContextIssue, blank=True, related_name="risks", verbose_name=_("context issues"))
    parties = models.ManyToManyField(InterestedParty, blank=True, related_name="risks",
                                     verbose_name=_("interested parties"))
    clauses = models.ManyToManyField(Clause, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    history = HistoricalRecords(excluded_fields=["changed_at"])

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "id"]
        verbose_name=_("risk or opportunity")
        verbose_name_plural=_("risks and opportunities")
        constraints = [
            models.CheckConstraint(condition=Q(likelihood__gte=1, impact__gte=1), name="planning_risk_levels_positive"),
            models.CheckConstraint(condition=Q(score=models.F("likelihood") * models.F("impact")),
                                   name="planning_risk_score_product"),
            models.CheckConstraint(
                condition=(Q(residual_likelihood__isnull=True, residual_impact__isnull=True, residual_score__isnull=True)
                           | Q(residual_likelihood__gte=1, residual_impact__gte=1,
                               residual_score=models.F("residual_likelihood") * models.F("residual_impact"))),
                name="planning_risk_residual_complete"),
        ]
        indexes = [models.Index(fields=["likelihood", "impact"], name="planning_risk_cell")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("planning:risk-detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"{'OPP' if self.kind == self.Kind.OPPORTUNITY else 'RSK'}-{self.pk:04d}" if self.pk else "new"

    @property
    def reassessment_overdue(self) -> bool:
        return self.status != self.Status.CLOSED and self.reassess_on < timezone.localdate()


def parse_risk_number(text: str) -> int | None:
    text = (text or "").strip().upper()
    for prefix in ("RSK-", "OPP-"):
        if text.startswith(prefix) and text[len(prefix):].isdigit():
            return int(text[len(prefix):])
    return None


class RiskAssessment(models.Model):
    """One assessment of a risk: the points of its score trend (append-only)."""

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField()
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    residual_score = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["risk", "assessed_on", "id"]
        indexes = [models.Index(fields=["risk", "assessed_on"], name="planning_assess_risk_day")]

    def __str__(self):
        return f"{self.risk.number} assessed {self.assessed_on:%Y-%m-%d}: {self.score}"


class RiskAction(models.Model):
    """A treatment action with its owner and dates (6.1.2 a)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    due_date = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    completed_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text=_("What was done and whether it worked"))
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name=_("treatment action")
        constraints = [
            models.CheckConstraint(condition=Q(due_date__gte=models.F("start_date")),
                                   name="planning_riskaction_due_after_start"),
            models.CheckConstraint(condition=Q(status="done", completed_on__isnull=False) | ~Q(status="done"),
                                   name="planning_riskaction_done_dated"),
        ]

    def __str__(self):
        return f"{self.risk.number} action: {self.description[:60]}"

    def get_absolute_url(self):
        return self.risk.get_absolute_url() + f"#action-{self.pk}"

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()


# ------------------------------------------------------------------ objectives and KPIs (6.2, 9.1)
class Direction(models.TextChoices):
    AT_LEAST = "gte", _("≥ (at least)")
    AT_MOST = "lte", _("≤ (at most)")


def meets(value, target, direction) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target if direction == Direction.AT_LEAST else value <= target


class Objective(models.Model):
    """A quality objective with the plan of 6.2.2 a–e."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ACHIEVED = "achieved", _("Achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    statement = models.CharField(max_length=300)
    policy = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("quality policy"),
                               help_text=_("The policy document the objective supports"))
    policy_link = models.CharField(_("policy commitment"), max_length=300, blank=True,
                                   help_text=_("Which commitment of the policy it serves"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target = models.DecimalField(max_digits=14, decimal_places=4)
    unit = models.CharField(max_length=20)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.AT_LEAST)
    baseline = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    start_date = models.DateField()
    due_date = models.DateField()
    plan_what = models.TextField(_("what will be done (6.2.2 a)"))
    plan_resources = models.TextField(_("resources required (6.2.2 b)"))
    plan_who = models.CharField(_("who is responsible (6.2.2 c)"), max_length=200)
    plan_when = models.CharField(_("when it will be completed (6.2.2 d)"), max_length=200)
    plan_evaluation = models.TextField(_("how results are evaluated (6.2.2 e)"))
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    clauses = models.ManyToManyField(Clause, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    history = HistoricalRecords(excluded_fields=["changed_at"])

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(due_date__gte=models.F("start_date")),
                                   name="planning_objective_due_after_start"),
            models.CheckConstraint(condition=~Q(unit=""), name="planning_objective_unit_given"),
        ]

    def __str__(self):
        return f"{self.number} {self.statement}"

    def get_absolute_url(self):
        return reverse("planning:objective-detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"OBJ-{self.pk:03d}" if self.pk else "OBJ-new"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every six months")
    YEARLY = "yearly", _("Yearly")


FREQUENCY_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.HALF_YEARLY: 6, Frequency.YEARLY: 12}


def period_containing(day: date, frequency: str) -> tuple[date, date]:
    """The calendar period (month, quarter, half or year) of `frequency` that holds `day`."""
    months = FREQUENCY_MONTHS[frequency]
    first_month = ((day.month - 1) // months) * months + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + months - 1
    end = date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])
    return start, end


def periods_between(first: date, last: date, frequency: str) -> list[tuple[date, date]]:
    """Every period of `frequency` from the one holding `first` to the one holding `last`."""
    out = []
    start, end = period_containing(first, frequency)
    while start <= last:
        out.append((start, end))
        start, end = period_containing(end + timedelta(days=1), frequency)
    return out


def last_closed_period(frequency: str, today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    start, _end = period_containing(today, frequency)
    return period_containing(start - timedelta(days=1), frequency)


class KpiQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("objective", "owner").only(
            "name", "unit", "frequency", "target", "direction", "warning", "source", "measure", "start_date",
            "is_active", "objective__statement", "objective__direction",
            "owner__username", "owner__full_name", "owner__first_name", "owner__last_name",
        )


class Kpi(models.Model):
    """A key performance indicator of an objective: entered by people or computed by the QMS."""

    class Source(models.TextChoices):
        ENTERED = "entered", _("Entered (measurements)")
        COMPUTED = "computed", _("Computed by the QMS")

    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="kpis")
    name = models.CharField(max_length=200)
    definition = models.TextField(help_text=_("What is measured and how"))
    unit = models.CharField(max_length=20)
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.MONTHLY)
    target = models.DecimalField(max_digits=14, decimal_places=4)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.AT_LEAST)
    warning = models.DecimalField(_("alert threshold"), max_digits=14, decimal_places=4, null=True, blank=True,
                                  help_text=_("Between target and this value: on watch; beyond it: off target"))
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTERED)
    measure = models.CharField(max_length=60, blank=True, help_text=_("The computed measure (qms.measures)"))
    data_source = models.CharField(max_length=200, blank=True, help_text=_("Where entered values come from"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              help_text=_("Who records the measurements"))
    start_date = models.DateField(help_text=_("The first period measured"))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = KpiQuerySet.as_manager()

    class Meta:
        ordering = ["objective", "id"]
        verbose_name=_("KPI")
        constraints = [
            models.CheckConstraint(condition=~Q(unit=""), name="planning_kpi_unit_given"),
            models.CheckConstraint(condition=Q(source="entered", measure="") | (Q(source="computed") & ~Q(measure="")),
                                   name="planning_kpi_measure_iff_computed"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    def get_absolute_url(self):
        return reverse("planning:kpi-detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"KPI-{self.pk:03d}" if self.pk else "KPI-new"

    def rating(self, value) -> str | None:
        """on_target / watch / off_target for a value (None: no value)."""
        if value is None:
            return None
        if meets(value, self.target, self.direction):
            return "on_target"
        if self.warning is not None and meets(value, self.warning, self.direction):
            return "watch"
        return "off_target"


RATING_LABELS = {"on_target": (_("On target"), "success"), "watch": (_("Watch"), "warning"),
                 "off_target": (_("Off target"), "danger"), None: (_("No data"), "secondary")}


class Measurement(models.Model):
    """One value of a KPI for one period. Entered by a person (with comment and
    evidence) or computed by the QMS from its own data."""

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="measurements")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    comment = models.TextField(blank=True)
    computed = models.BooleanField(default=False)
    evidence = models.CharField(max_length=255, blank=True, help_text=_("Storage name (random)"))
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    evidence_type = models.CharField(max_length=120, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period_start"], name="planning_measurement_one_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="planning_measurement_period_order"),
        ]

    def __str__(self):
        return f"{self.kpi.number} {self.period_start:%Y-%m}: {self.value.normalize():f}"

    def get_absolute_url(self):
        return self.kpi.get_absolute_url()


ZERO = Decimal("0")
