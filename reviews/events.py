"""The audit-event verbs of the reviews app and the sentences the trail shows for them."""

from qms.audit import Verb, register_verbs

register_verbs({
    "complaint.logged": "Customer feedback logged",
    "complaint.changed": "Customer feedback changed",
    "complaint.acknowledged": "Receipt acknowledged to the customer",
    "complaint.responded": Verb("Response sent to the customer", note="Response"),
    "complaint.capa_raised": Verb("Nonconformity raised from the complaint", note="CAPA"),
    "complaint.closed": Verb("Customer feedback closed", note="Resolution"),
    "survey.entered": "Satisfaction survey result entered",
    "survey.changed": "Satisfaction survey result changed",
    "review.planned": "Management review planned",
    "review.changed": "Management review changed",
    "review.pack_compiled": Verb("Input pack compiled", note="Period"),
    "review.decision_added": Verb("Decision recorded", note="Decision"),
    "review.decision_changed": Verb("Decision changed", note="Decision"),
    "review.minutes_approved": Verb("Minutes approved and locked", note="Comment"),
    "review.action_completed": Verb("Review action completed", note="Note"),
})
