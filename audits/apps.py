from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audits and CAPA"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from audits import (
            dashboard,  # noqa: F401 - registers the app's dashboard sections
            events,  # noqa: F401 - the labels of its audit-event verbs (qms.audit.register_verbs)
            jobs,  # noqa: F401 - registers the audit plan and report PDF job handlers
        )
