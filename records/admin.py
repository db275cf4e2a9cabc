"""Admin: records are never deleted (void or dispose through the app); amendments
and evidence are read-only here, and changes go through the services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from qms.admin import NoDeleteMixin, ReadOnlyAdmin
from records.models import Amendment, Evidence, FormVersion, Record, RecordType


@admin.register(RecordType)
class RecordTypeAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("code", "name", "retention_years", "verification_required", "is_active")
    readonly_fields = ("code",)

    def has_add_permission(self, request):
        return False  # created in the app, which makes the first form version

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FormVersion)
class FormVersionAdmin(ReadOnlyAdmin):
    list_display = ("record_type", "version", "created_by", "created_at")


@admin.register(Record)
class RecordAdmin(ReadOnlyAdmin):
    list_display = ("number", "record_type", "status", "created_by", "created_at", "verified_at", "retain_until")
    list_filter = ("status", "record_type")
    search_fields = ("number",)
    exclude = ("search_text",)


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    list_display = ("record", "seq", "amended_by", "amended_at")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("record", "original_name", "size", "sha256", "uploaded_at", "superseded_at")
