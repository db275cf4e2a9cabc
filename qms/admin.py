"""Admin: users are deactivated, never deleted; trails and signatures are read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from qms.models import AuditEvent, Clause, Department, DigestLog, Job, Notification, Process, Signature, User


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyAdmin(NoDeleteMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(NoDeleteMixin, BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "full_name", "job_title", "department", "is_active", "last_login")
    list_filter = ("is_active", "groups", "department")
    search_fields = ("username", "full_name", "email")
    fieldsets = BaseUserAdmin.fieldsets + (("Organisation", {"fields": ("full_name", "job_title", "department")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("Organisation", {"fields": ("full_name", "email", "job_title", "department")}),
    )


@admin.register(Department)
class DepartmentAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("code", "name", "manager")


@admin.register(Process)
class ProcessAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("code", "name", "department", "owner")


@admin.register(Clause)
class ClauseAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "documented_info")
    search_fields = ("number", "title")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor_name", "verb", "object_repr", "from_state", "to_state", "ip_address")
    list_filter = ("verb",)
    search_fields = ("actor_name", "object_repr", "comment")
    date_hierarchy = "created_at"


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ("signed_at", "printed_name", "meaning", "content_type", "object_id")
    list_filter = ("meaning",)


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "status", "requested_by", "attempts", "progress")
    list_filter = ("status", "kind")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "title", "read_at")


@admin.register(DigestLog)
class DigestLogAdmin(ReadOnlyAdmin):
    list_display = ("date", "user", "status", "item_count", "attempts", "sent_at")
    list_filter = ("status", "date")
