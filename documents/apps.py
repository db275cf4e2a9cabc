from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # dashboard: the app's home-page sections; manual, renditions, jobs: the
        # PDF, quality-manual and register PDF job kinds (a worker loads no URLs,
        # so they register here); admin_pdf: their admin (issue 4).
        from documents import admin_pdf, dashboard, jobs, manual, renditions  # noqa: F401
