"""The audit-event verbs the core records (sign-in, roles, signatures, file
integrity) and the sentences the trail shows for them (see qms.audit.register_verbs)."""

from qms.audit import Verb, register_verbs
from qms.models import Signature


def _meaning(data: dict) -> str:
    meaning = data.get("meaning", "")
    return str(dict(Signature.Meaning.choices).get(meaning, meaning))


register_verbs({
    "auth.login": "Signed in",
    "auth.logout": "Signed out",
    "auth.login_failed": "Sign-in failed",
    "auth.login_refused": Verb("Sign-in refused: external auditor access not open", note="Access"),
    "auth.locked_out": Verb("Account locked after repeated failed sign-ins", note="Details"),
    "user.roles_granted": Verb("Roles granted", note="Roles"),
    "user.roles_revoked": Verb("Roles revoked", note="Roles"),
    "user.roles_cleared": Verb("All roles removed", note="Roles"),
    "signature.signed": Verb("Signed electronically", note="Comment", detail=_meaning),
    "signature.refused": Verb("Signature refused: wrong password", note="Details", detail=_meaning),
    "integrity.changed": Verb("Stored file found changed", note="Details"),
    "integrity.missing": Verb("Stored file found missing", note="Details"),
})
