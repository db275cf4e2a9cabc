from django.apps import AppConfig


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = "QMS core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from qms import auth_events, events, exports, permissions  # noqa: F401 - signals, job kinds, audit-verb sentences, the core rules
