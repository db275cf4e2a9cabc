"""The audit-event verbs of the certification auditor's view and the sentences
the trail shows for them (registered from AuditorConfig.ready(); see
qms.audit.register_verbs)."""

from qms.audit import Verb, register_verbs

register_verbs({
    "auditor_access.invited": Verb("External auditor invited", note="Organisation and period"),
    "auditor_access.renewed": Verb("External auditor access extended or re-opened", note="Reference and reason"),
    "auditor_access.revoked": "External auditor access revoked",
    "evidence_request.opened": Verb("Evidence requested", note="Subject"),
    "evidence_request.answered": "Evidence request answered",
    "evidence_request.closed": "Evidence request closed",
})
