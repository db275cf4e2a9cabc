"""Admin: read-only views of regulated rows (their state changes only through
audits/services.py); the programme is editable but never deleted."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from audits.models import (
    Audit,
    AuditProgramme,
    AuditQuestion,
    AuditReport,
    Capa,
    CapaAction,
    Evidence,
    Finding,
    ProgrammeItem,
)
from qms.admin import NoDeleteMixin, ReadOnlyAdmin


class ProgrammeItemInline(admin.TabularInline):
    model = ProgrammeItem
    extra = 0


@admin.register(AuditProgramme)
class AuditProgrammeAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("title", "period_start", "period_end", "owner")
    inlines = [ProgrammeItemInline]


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("number", "title", "audit_type", "status", "planned_start", "lead_auditor")
    list_filter = ("status", "audit_type")
    search_fields = ("number", "title")


@admin.register(AuditQuestion)
class AuditQuestionAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Edited in the application (audits:question-list), where each change is an event."""

    list_display = ("clause", "text", "position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("text", "clause__number")


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("__str__", "finding_type", "clause", "status", "owner")
    list_filter = ("finding_type", "status")


@admin.register(AuditReport)
class AuditReportAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("audit", "status", "issued_at", "issued_by")


@admin.register(Capa)
class CapaAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("number", "title", "source", "severity", "status", "owner", "due_date")
    list_filter = ("status", "source", "severity")
    search_fields = ("number", "title")


@admin.register(CapaAction)
class CapaActionAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("capa", "description", "owner", "due_date", "status")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("kind", "__str__", "sha256", "added_by", "added_at")
