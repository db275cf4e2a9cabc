"""The audit-event verbs the records app records and the sentences the trail
shows for them (registered from RecordsConfig.ready(); see qms.audit.register_verbs)."""

from qms.audit import Verb, register_verbs

register_verbs({
    "recordtype.created": "Record type created",
    "recordtype.changed": "Record type changed",
    "recordtype.form_version": Verb("New form version", note="Note"),
    "record.created": "Record created",
    "record.submitted": "Record submitted",
    "record.evidence_added": Verb("Evidence attached", note="Files"),
    "record.evidence_superseded": Verb("Evidence superseded", note="File and reason"),
    "record.verified": Verb("Record verified", note="Comment"),
    "record.amended": "Record amended",
    "record.voided": "Record voided",
    "record.legal_hold_on": "Legal hold placed",
    "record.legal_hold_off": "Legal hold released",
    "record.disposed": "Record disposed of",
})
