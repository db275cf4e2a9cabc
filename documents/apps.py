from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    default_auto_field = "django.db.models.BigAutoField"

    # The PDF routes first: documents.urls ends in a catch-all <number>/ pattern.
    # verify/: public on purpose, the QR code on every controlled print points there.
    urls = (("documents/", "documents.urls.prints"), ("documents/", "documents.urls"), ("verify/", "documents.urls.verify"))

    def ready(self):
        # dashboard: the app's home-page sections; manual, renditions, jobs: the
        # PDF, quality-manual and register PDF job kinds (a worker loads no URLs,
        # so they register here).
        from documents import (  # noqa: F401
            dashboard,
            events,  # noqa: F401 - the sentences of its audit-event verbs (qms.audit.register_verbs)
            jobs,
            lifecycles,  # noqa: F401 - declares the app's states, moves and badge colours (qms.lifecycle)
            manual,
            measures,  # noqa: F401 - what it computes for KPIs (qms.measures)
            renditions,
            review_inputs,  # its part of the management review input pack (qms.review_inputs)
            rules,  # noqa: F401 - registers the app's rules (qms.rules)
            search,  # noqa: F401 - what it finds for the one search box (qms.search)
        )

        # How this app's objects link to clauses and processes (the scope hook, qms.scope).
        from documents.models import Document, Revision
        from qms import scope

        scope.links(Document, clauses="clauses", process="process")
        # Documents in every form's searchable select, as far as the asking user may see them (qms.widgets).
        from documents.selectors import documents_for_user
        from qms import widgets

        widgets.source("documents", Document, search=("number", "title"), values=("pk", "number"),
                       queryset=lambda user: documents_for_user(user).only("id", "number", "title").order_by("number"))
        scope.links(Revision, clauses="document__clauses", process="document__process")
        # Stored files and their hashes (the weekly integrity check, qms.integrity).
        from documents.integrity import register_files

        register_files()
        # Its uploaded PDFs and source files have their text read for search (qms.textract).
        from documents import textindex

        textindex.register()
