from django.apps import AppConfig


class AuditorConfig(AppConfig):
    """The certification auditor's view: scoped, expiring external access, access
    log, evidence requests, readiness map, point-in-time views, evidence packs."""

    name = "auditor"
    verbose_name = "Certification auditor access"
    default_auto_field = "django.db.models.BigAutoField"

    urls = (("clauses/", "auditor.urls.clauses"), ("auditor/", "auditor.urls"))

    def ready(self):
        from auditor import (  # noqa: F401 - registers dashboard sections and job kinds
            dashboard,
            events,  # noqa: F401 - the sentences of its audit-event verbs (qms.audit.register_verbs)
            jobs,
            lifecycles,  # noqa: F401 - declares the app's states, moves and badge colours (qms.lifecycle)
            rules,  # noqa: F401 - registers the app's rules (qms.rules)
            search,  # noqa: F401 - what it finds for the one search box (qms.search)
        )
        from auditor.scope import PROVIDER
        from qms import scope

        scope.register(PROVIDER)  # an external auditor sees only their grant, in every app
        from qms import integrity

        integrity.stores_files("auditor.EvidenceLink", "file", "sha256")
        from auditor.access_review import grants
        from qms import access_review

        access_review.grants(grants)  # the external grants column of the access review (issue 17)
