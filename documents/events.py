"""The audit-event verbs the documents app records and the sentences the trail
shows for them (registered from DocumentsConfig.ready(); see qms.audit.register_verbs)."""

from qms.audit import Verb, register_verbs


def _readers(data: dict) -> str:
    count = data.get("count")
    return f"{count} reader{'s' if count != 1 else ''}" if count else ""


register_verbs({
    "document.created": "Document created",
    "document.updated": "Document details changed",
    "document.reviewed": Verb("Periodic review recorded", note="Comment"),
    "document.obsolete": "Document withdrawn (obsolete)",
    "revision.created": Verb("Revision drafted", note="Change summary"),
    "revision.submitted": "Revision submitted for review and approval",
    "revision.withdrawn": "Revision withdrawn from review",
    "revision.rejected": "Revision rejected",
    "revision.approved": "Revision approved",
    "revision.effective": "Revision became effective",
    "revision.superseded": "Revision superseded",
    "revision.obsolete": "Revision withdrawn (obsolete)",
    "revision.printed": "Controlled copy printed",
    "route.signer_added": Verb("Signer added to the approval route", note="Step"),
    # route.<outcome>: one per Decision.Outcome
    "route.reviewed": Verb("Reviewed at a route step", note="Comment"),
    "route.approved": Verb("Approved at a route step", note="Comment"),
    "route.rejected": "Rejected at a route step",
    "acknowledgements.assigned": Verb("Read-and-understood requested", detail=_readers),
    "acknowledgement.signed": Verb("Read and understood", note="Comment"),
    "manual.build_requested": "Quality manual build requested",
    "manual.incomplete": Verb("Quality manual built without some documents", note="Not rendered"),
})
