from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    default_auto_field = "django.db.models.BigAutoField"

    urls = (("training/", "training.urls"),)

    def ready(self):
        from training import (  # noqa: F401
            dashboard,  # my tasks and the digest: qualifications expiring within 30 days
            events,  # the sentences of its audit-event verbs (qms.audit.register_verbs)
            hooks,
            jobs,  # the training matrix PDF job (a worker loads no URLs)  # readers, panels, qualifications, scope, registers, evidence, review inputs, menu
            lifecycles,  # states, moves and badge colours (qms.lifecycle)
            rules,  # the app's rules (qms.rules)
        )
