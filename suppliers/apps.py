from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "suppliers"
    default_auto_field = "django.db.models.BigAutoField"

    urls = (("suppliers/", "suppliers.urls"),)

    def ready(self):
        from qms import integrity
        from suppliers import (  # noqa: F401 - each registers with the core when imported
            dashboard,  # my tasks and the digest (qms.dashboard)
            events,  # the sentences of its audit-event verbs (qms.audit.register_verbs)
            jobs,  # the approved supplier list PDF (qms.jobs)
            lifecycles,  # states, moves and badge colours (qms.lifecycle)
            rules,  # who may do what (qms.rules)
        )
        from suppliers.hooks import register_all

        register_all()  # scope links, registers, evidence, review input, reference kind, menu
        integrity.stores_files("suppliers.Certificate", "file", "sha256", filters={"file__gt": ""})
