from django.apps import AppConfig


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = "QMS core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from qms import (  # noqa: F401 - signals, job kinds, audit-verb sentences, the core rules  # noqa: F401 - issue 17: job kind and rule, verbs, session rows
            access_review,
            auth_events,
            events,
            exports,
            identity_events,
            permissions,
            sessions_view,
            textract,  # the text_extraction job kind (issue 19.4)
        )
        from qms.dashboard import data_changed
        from qms.widgets import register_core

        register_core()  # the searchable selects' people, groups and clauses (qms/widgets.py)

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(data_changed, dispatch_uid=f"qms-dashboard-{signal!r}")

        # The searchable PDFs made by OCR are stored files with a hash too (qms.integrity).
        from qms import integrity

        integrity.stores_files("qms.TextExtraction", "searchable_pdf", "searchable_sha256")
