"""The audit-event verbs of the training app and the sentences the trail shows."""

from qms.audit import Verb, register_verbs

register_verbs({
    "competence.created": "Competence defined",
    "competence.changed": "Competence changed",
    "jobrole.created": "Job role defined",
    "jobrole.changed": "Job role changed",
    "person.created": "Person added",
    "person.changed": "Person changed",
    "training.recorded": "Training recorded",
    "training.signed": Verb("Training record signed", note="Signed by"),
    "training.completed": "Training record complete",
    "training.evidence_added": Verb("Training evidence attached", note="Files"),
    "training.evaluated": Verb("Training effectiveness evaluated", note="Outcome"),
    "training.voided": Verb("Training record voided", note="Reason"),
    "training.qualification_set": Verb("Record type qualification set", note="Competences"),
})
