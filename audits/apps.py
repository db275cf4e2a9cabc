from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audits and CAPA"
    default_auto_field = "django.db.models.BigAutoField"

    urls = (("audits/", "audits.urls"), ("capa/", "audits.urls.capa"))

    def ready(self):
        from audits import (
            dashboard,  # noqa: F401 - registers the app's dashboard sections
            events,  # noqa: F401 - the labels of its audit-event verbs (qms.audit.register_verbs)
            jobs,  # noqa: F401 - registers the audit plan and report PDF job handlers
            lifecycles,  # noqa: F401 - declares the app's states, moves and badge colours (qms.lifecycle)
            measures,  # noqa: F401 - what it computes for KPIs (qms.measures)
            review_inputs,  # noqa: F401 - its parts of the management review input pack (qms.review_inputs)
            rules,  # noqa: F401 - registers the app's rules (qms.rules)
            search,  # noqa: F401 - what it finds for the one search box (qms.search)
        )

        # How this app's objects link to clauses and processes (the scope hook, qms.scope).
        from audits.models import Audit, Capa, Finding
        from qms import scope

        scope.links(Audit, clauses="criteria_clauses", process="processes")
        scope.links(Finding, clauses="clause", process="process")
        scope.links(Capa, clauses="clause", process="process")
        from qms import integrity

        integrity.stores_files("audits.Evidence", "file", "sha256")
        # Uploaded evidence files have their text read (qms.textract): shown on the file, OCR'd copy kept.
        from qms import textract

        textract.extracts("audits.Evidence", "file", name_field="original_name", sha_field="sha256",
                          owner_field="added_by")
