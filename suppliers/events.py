"""The audit-event verbs the suppliers app records and the sentences the trail shows."""

from qms.audit import Verb, register_verbs

register_verbs({
    "supplier.created": "Supplier added",
    "supplier.changed": "Supplier details changed",
    "supplier.approved": "Supplier approved",
    "supplier.conditional": "Supplier approved with conditions",
    "supplier.suspended": "Supplier suspended",
    "supplier.disqualified": "Supplier disqualified",
    "supplier.prospective": "Supplier back to prospective",
    "supplier.contact_added": Verb("Contact added", note="Contact"),
    "supplier.certificate_added": Verb("Certificate added", note="Certificate"),
    "supplier.evaluated": Verb("Supplier evaluated", note="Comment"),
    "supplier.delivery_entered": Verb("On-time delivery entered", note="Month"),
    "supplier.criterion_saved": "Evaluation criterion saved",
})
