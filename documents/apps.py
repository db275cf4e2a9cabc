from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # dashboard: the app's home-page sections; manual, renditions: the PDF
        # and quality-manual job kinds; admin_pdf: their admin (issue 4); views:
        # the register PDF job kind (a worker loads no URLs, so import it here);
        # events: the labels of its audit-event verbs.
        from documents import admin_pdf, dashboard, events, manual, renditions, views  # noqa: F401
