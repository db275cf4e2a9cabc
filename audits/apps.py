from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from audits import dashboard  # noqa: F401 - registers the app's dashboard sections
