"""Admin: users are deactivated, never deleted; trails and signatures are read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from qms.models import AuditEvent, Clause, Department, DigestLog, Job, Notification, Process, Signature, User
from qms.passwords import AdminSetPasswordForm, require_change


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


@admin.action(description="Reset two-factor authentication (the user enrols again)")
def reset_two_factor(modeladmin, request, queryset):
    from qms import mfa

    for user in queryset:
        mfa.reset(actor=request.user, user=user, reason="Reset by an administrator in the user list")
    modeladmin.message_user(request, f"Two-factor authentication reset for {queryset.count()} user(s).")


@admin.action(description="End all sessions of the selected users")
def end_sessions(modeladmin, request, queryset):
    from qms.sessions_view import end_all_sessions

    ended = sum(end_all_sessions(actor=request.user, user=user, reason="Ended by an administrator",
                                 keep=request.session.session_key) for user in queryset)
    modeladmin.message_user(request, f"{ended} session(s) ended.")


@admin.register(User)
class UserAdmin(NoDeleteMixin, BaseUserAdmin, SimpleHistoryAdmin):
    # Issue 17: a password the administrator sets must be changed at next login;
    # resetting 2FA and ending sessions are audited actions.
    change_password_form = AdminSetPasswordForm
    actions = [reset_two_factor, end_sessions]
    list_display = ("username", "full_name", "job_title", "department", "is_active", "last_login")
    list_filter = ("is_active", "groups", "department")
    search_fields = ("username", "full_name", "email")
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Organisation", {"fields": ("full_name", "job_title", "department")}),
        # The user's own choices (issue 20); an administrator may set them for someone who cannot.
        ("Language and time zone", {"fields": ("language", "time_zone")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("Organisation", {"fields": ("full_name", "email", "job_title", "department")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.has_usable_password():
            require_change(user=obj, actor=request.user, reason="Account created with a password set by an administrator")


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
