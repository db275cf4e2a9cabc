from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from records import dashboard  # noqa: F401 - registers the app's dashboard sections
