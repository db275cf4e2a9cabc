"""Admin: read-only views; changes go through the app's services (history, events)."""

from django.contrib import admin

from equipment.models import Calibration, Instrument
from qms.admin import ReadOnlyAdmin


@admin.register(Instrument)
class InstrumentAdmin(ReadOnlyAdmin):
    list_display = ("code", "description", "status", "next_due")
    search_fields = ("code", "description")


admin.site.register(Calibration, ReadOnlyAdmin)
