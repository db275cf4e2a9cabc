from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from records import dashboard, pdf  # noqa: F401 - registers dashboard sections and the record_pdf job
