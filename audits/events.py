"""The audit-event verbs the audits app records (programmes, audits, findings,
reports, CAPA) and the sentences the trail shows for them (registered from
AuditsConfig.ready(); see qms.audit.register_verbs)."""

from qms.audit import Verb, register_verbs

register_verbs({
    "programme.created": "Audit programme created",
    "programme.item_added": Verb("Subject added to the audit programme", note="Subject"),
    "programme.proposal_accepted": Verb("Proposed audit scheduled", note="Audit"),
    "audit.scheduled": "Audit scheduled",
    "audit.edited": "Audit details changed",
    "audit.plan_issued": "Audit plan issued",
    "audit.checklist_generated": Verb("Checklist generated", note="Questions"),
    "audit.started": "Audit started",
    "audit.reported": "Audit reported",
    "audit.closed": "Audit closed",
    "evidence.added": Verb("Evidence added", note="Evidence"),
    "finding.raised": Verb("Finding raised", note="Type"),
    "finding.closed": "Finding closed",
    "report.issued": "Audit report issued",
    "report.distributed": Verb("Audit report distributed", note="Recipients"),
    "capa.raised": Verb("CAPA raised", note="Source"),
    "capa.correction_recorded": "Containment and correction recorded",
    "capa.analysed": "Root cause analysed",
    "capa.action_added": Verb("Corrective action planned", note="Action"),
    "capa.actions_started": "Corrective actions started",
    "capa_action.completed": "Corrective action completed",
    "capa.submitted_for_verification": "Submitted for the effectiveness check",
    "capa.verified_effective": Verb("Verified effective", note="Notes"),
    "capa.reopened": Verb("Found not effective and reopened", note="Notes"),
    "capa.closed": "CAPA closed",
    "calendar.token_created": "Calendar feed link created",
    "calendar.token_renewed": "Calendar feed link renewed",
})
