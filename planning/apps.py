from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Context, risks and objectives"
    default_auto_field = "django.db.models.BigAutoField"

    urls = (("planning/", "planning.urls"),)

    def ready(self):
        from planning import (  # noqa: F401
            dashboard,  # its "my tasks" and digest sections (qms.dashboard)
            events,  # the sentences of its audit-event verbs (qms.audit.register_verbs)
            hooks,  # registers, readiness evidence, review inputs, audit weights
            lifecycles,  # states, moves and badge colours (qms.lifecycle)
            rules,  # who may do what (qms.rules)
            search,  # its kinds in the one search box (qms.search)
        )
        from planning.models import (
            ContextIssue,
            InterestedParty,
            Kpi,
            Measurement,
            Objective,
            Risk,
            RiskAction,
        )
        from qms import integrity, nav, scope

        # How this app's objects link to clauses and processes (the external auditor's scope).
        scope.links(ContextIssue, clauses="clauses")
        scope.links(InterestedParty, clauses="clauses")
        scope.links(Risk, clauses="clauses", process="process")
        scope.links(RiskAction, clauses="risk__clauses", process="risk__process")
        scope.links(Objective, clauses="clauses", process="process")
        scope.links(Kpi, clauses="objective__clauses", process="objective__process")
        scope.links(Measurement, clauses="kpi__objective__clauses", process="kpi__objective__process")
        integrity.stores_files("planning.Measurement", "evidence", "evidence_sha256", filters={"evidence__gt": ""})

        nav.entry("Management system", "Context of the organisation", "planning:context",
                  rule="planning.view_context", prefix="/planning/context/", order=10)
        nav.entry("Management system", "Risks and opportunities", "planning:risks",
                  rule="planning.view_risks", prefix="/planning/risks/", order=20)
        nav.entry("Management system", "Quality objectives and KPIs", "planning:objectives",
                  rule="planning.view_objectives", prefix="/planning/objectives/", order=30)
