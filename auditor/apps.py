from django.apps import AppConfig


class AuditorConfig(AppConfig):
    """The certification auditor's view: scoped, expiring external access, access
    log, evidence requests, readiness map, point-in-time views, evidence packs."""

    name = "auditor"
    verbose_name = "Certification auditor access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from auditor import dashboard, events, jobs  # noqa: F401 - dashboard sections, audit-verb labels, job kinds
