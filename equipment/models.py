"""Monitoring and measuring equipment (ISO 9001 7.1.5): the instrument register
and its calibrations.

Calibrations are a dedicated model, not a generic record type: the next due
date, the status and the out-of-tolerance CAPA all follow from a calibration,
so one table is the one source of truth. `Instrument.next_due` and
`last_calibrated_on` are copies of the latest calibration's dates, written only
by equipment/services.py `calibration_record` in the same transaction, so the
register sorts and filters on an indexed column at 20,000 instruments.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.history import HistoricalRecords
from qms.models import Clause

# An instrument's id appears in links (/equipment/<code>/) and on records.
CODE_CHARS = re.compile(r"^[A-Za-z0-9._-]{1,30}$")
DUE_SOON_DAYS = 30
MAX_INTERVAL_MONTHS = 120


class Instrument(models.Model):
    class Status(models.TextChoices):
        IN_USE = "in_use", _("In use")
        OUT_FOR_CALIBRATION = "out_for_calibration", _("Out for calibration")
        OUT_OF_SERVICE = "out_of_service", _("Out of service")
        RETIRED = "retired", _("Retired")

    code = models.CharField(_("id"), max_length=30, unique=True, help_text=_("The id on the instrument's label"))
    description = models.CharField(max_length=200)
    location = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    measurement_range = models.CharField(max_length=100, blank=True, help_text=_("e.g. 0–25 mm, resolution 0.001 mm"))
    calibration_interval_months = models.PositiveSmallIntegerField("calibration interval (months)")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_USE, db_index=True)
    last_calibrated_on = models.DateField(null=True, blank=True)
    next_due = models.DateField(_("next calibration due"), null=True, blank=True, db_index=True)
    # The clause its records evidence (the scope hook narrows an external auditor's view by it).
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["status", "next_due"], name="equipment_instr_status_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(calibration_interval_months__gte=1) & Q(calibration_interval_months__lte=MAX_INTERVAL_MONTHS),
                name="equipment_instrument_interval_range"),
        ]

    def __str__(self):
        return f"{self.code} {self.description}"

    def get_absolute_url(self):
        return reverse("equipment:detail", args=[self.code])

    @property
    def overdue(self) -> bool:
        return self.status != self.Status.RETIRED and (self.next_due is None or self.next_due < timezone.localdate())

    @property
    def due_soon(self) -> bool:
        today = timezone.localdate()
        return (not self.overdue and self.status != self.Status.RETIRED
                and self.next_due <= today + timezone.timedelta(days=DUE_SOON_DAYS))


class Calibration(models.Model):
    """One calibration or verification: when, by whom, the result, the due date
    it sets and the certificate. Never edited or deleted."""

    class Result(models.TextChoices):
        PASS = "pass", _("Pass")
        ADJUSTED = "adjusted", _("Adjusted (in tolerance after adjustment)")
        OUT_OF_TOLERANCE = "out_of_tolerance", _("Out of tolerance")

    GOOD = (Result.PASS, Result.ADJUSTED)

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="calibrations")
    calibrated_on = models.DateField("calibration date")
    due_on = models.DateField("next due")
    result = models.CharField(max_length=20, choices=Result.choices)
    performed_by = models.CharField(max_length=150, help_text=_("Laboratory or person"))
    certificate_number = models.CharField(max_length=100, blank=True)
    notes = models.TextField(_("as found / as left, notes"), blank=True)
    file = models.CharField(max_length=255, blank=True, help_text=_("Storage name (random)"))
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument", "-calibrated_on", "-id"]
        indexes = [models.Index(fields=["instrument", "-calibrated_on"], name="equipment_cal_instr_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gt=models.F("calibrated_on")),
                                   name="equipment_calibration_due_after_date"),
        ]

    def __str__(self):
        return f"{self.instrument.code} calibration {self.calibrated_on:%Y-%m-%d}"

    @property
    def good(self) -> bool:
        return self.result in self.GOOD
