from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    default_auto_field = "django.db.models.BigAutoField"

    urls = (("records/", "records.urls"),)

    def ready(self):
        # How this app's objects link to clauses and processes (the scope hook, qms.scope).
        from qms import scope
        from records import (  # noqa: F401 - registers dashboard sections and the record_pdf job
            dashboard,
            events,  # noqa: F401 - the sentences of its audit-event verbs (qms.audit.register_verbs)
            lifecycles,  # noqa: F401 - declares the app's states, moves and badge colours (qms.lifecycle)
            measures,  # noqa: F401 - what it computes for KPIs (qms.measures)
            pdf,
            review_inputs,  # noqa: F401 - its part of the management review input pack (qms.review_inputs)
            rules,  # noqa: F401 - registers the app's rules (qms.rules)
            search,  # noqa: F401 - what it finds for the one search box (qms.search)
        )
        from records.models import Record, RecordType

        scope.links(RecordType, clauses="clauses")
        scope.links(Record, clauses="record_type__clauses")
        # Records in every form's searchable select, as far as the asking user may read them (qms.widgets).
        from qms import widgets
        from records.selectors import records_for_user

        widgets.source("records", Record, search=("number",), values=("pk", "number"),
                       queryset=lambda user: records_for_user(user).only("id", "number").order_by("-number"))
        from qms import integrity

        # Disposed files are gone by design.
        integrity.stores_files("records.Evidence", "file", "sha256", filters={"disposed_at__isnull": True})
        # Evidence files have their text read for search (qms.textract).
        from records import textindex
        textindex.register()
