"""The sentences of the intake app's audit-event verbs (qms.audit.register_verbs)."""

from qms.audit import Verb, register_verbs

register_verbs({
    "intake.checked": Verb("Import checked (dry run)", note="Summary"),
    "intake.started": "Import started",
    "intake.finished": Verb("Import finished", note="Summary"),
    "intake.failed": Verb("Import failed", note="Reason"),
    "document.imported": Verb("Document imported from the previous system", note="Source"),
    "revision.imported": Verb("Revision imported from the previous system", note="Source"),
    "record.imported": Verb("Record imported from the previous system", note="Source"),
    "user.imported": Verb("Person imported", note="Source"),
})
