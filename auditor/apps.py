from django.apps import AppConfig


class AuditorConfig(AppConfig):
    """The certification auditor's view: scoped, expiring external access, access
    log, evidence requests, readiness map, point-in-time views, evidence packs."""

    name = "auditor"
    verbose_name = "Certification auditor access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from auditor import dashboard, jobs  # noqa: F401 - registers dashboard sections and job kinds
        from auditor.scope import PROVIDER
        from qms import scope

        scope.register(PROVIDER)  # an external auditor sees only their grant, in every app
