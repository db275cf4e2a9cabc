from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Import an existing QMS"
    default_auto_field = "django.db.models.BigAutoField"

    urls = (("intake/", "intake.urls"),)

    def ready(self):
        from django.utils.translation import gettext_noop

        from intake import (  # noqa: F401
            events,  # the sentences of its audit-event verbs (qms.audit.register_verbs)
            jobs,  # the import job (qms.jobs)
            rules,  # who may import (qms.rules)
        )
        from qms import nav

        nav.entry("Resources", gettext_noop("Import an existing QMS"), "intake:index", rule="intake.import", prefix="/intake/",
                  order=90)
