from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "equipment"
    default_auto_field = "django.db.models.BigAutoField"

    urls = (("equipment/", "equipment.urls"),)

    def ready(self):
        from equipment import (  # noqa: F401 - each registers with the core when imported
            dashboard,  # my tasks and the digest (qms.dashboard)
            events,  # the sentences of its audit-event verbs (qms.audit.register_verbs)
            lifecycles,  # states, moves and badge colours (qms.lifecycle)
            rules,  # who may do what (qms.rules)
        )
        from equipment.hooks import register_all
        from qms import integrity

        register_all()  # scope links, registers, evidence, review input, reference kind, menu
        integrity.stores_files("equipment.Calibration", "file", "sha256", filters={"file__gt": ""})
