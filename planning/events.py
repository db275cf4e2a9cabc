"""The audit-event verbs the planning app records and the sentences the trail
shows for them (registered from PlanningConfig.ready())."""

from qms.audit import Verb, register_verbs

register_verbs({
    "riskscale.changed": "Risk scale changed",
    "context.issue_created": "Context issue recorded",
    "context.issue_changed": "Context issue changed",
    "context.party_created": "Interested party recorded",
    "context.party_changed": "Interested party changed",
    "context.reviewed": Verb("Reviewed", note="Outcome"),
    "context.retired": Verb("Retired", note="Why"),
    "context.reactivated": "Made active again",
    "risk.created": "Risk recorded",
    "risk.changed": "Risk changed",
    "risk.assessed": Verb("Risk re-assessed", note="Note", detail=lambda d: f"score {d['score']}" if "score" in d else ""),
    "risk.treating": "Treatment started",
    "risk.closed": Verb("Risk closed", note="Why"),
    "risk.reopened": Verb("Risk reopened", note="Why"),
    "risk.capa_raised": Verb("Nonconformity raised", note="CAPA"),
    "risk.action_added": Verb("Treatment action added", note="Action"),
    "risk.action_done": Verb("Treatment action done", note="Outcome"),
    "risk.action_cancelled": Verb("Treatment action cancelled", note="Why"),
    "objective.created": "Objective set",
    "objective.changed": "Objective changed",
    "objective.achieved": Verb("Objective achieved", note="Evaluation"),
    "objective.not_achieved": Verb("Objective not achieved", note="Evaluation"),
    "objective.withdrawn": Verb("Objective withdrawn", note="Why"),
    "kpi.created": "KPI defined",
    "kpi.changed": "KPI changed",
    "kpi.measured": Verb("Measurement recorded", note="Comment"),
    "kpi.computed": Verb("Computed values refreshed", note="Periods"),
})
