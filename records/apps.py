from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from records import dashboard, events, pdf  # noqa: F401 - dashboard sections, audit-verb labels, the record_pdf job
