from django.contrib import admin

from auditor.models import AccessLogEntry, AuditorAccess, EvidenceRequest
from qms.admin import ReadOnlyAdmin


@admin.register(AuditorAccess)
class AuditorAccessAdmin(ReadOnlyAdmin):
    """Grants are made and revoked in the application, with an audit trail."""

    list_display = ("user", "organisation", "valid_from", "valid_until", "revoked_at")


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "method", "path", "status_code", "ip_address")
    list_filter = ("user",)


@admin.register(EvidenceRequest)
class EvidenceRequestAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "requested_by", "assigned_to", "status", "created_at")
