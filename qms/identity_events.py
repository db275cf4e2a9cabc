"""The audit-event verbs of identity (issue 17) and their sentences in the trail."""

from qms.audit import Verb, register_verbs

register_verbs({
    "mfa.enrolled": Verb("Two-factor authentication set up", note="Device"),
    "mfa.enrol_failed": Verb("Two-factor set-up failed: wrong code", note="Details"),
    "mfa.refused": Verb("Two-factor code refused: wrong code", note="Details"),
    "mfa.replayed": Verb("Two-factor code refused: already used", note="Details"),
    "mfa.throttled": Verb("Two-factor code refused: too many attempts", note="Details"),
    "mfa.recovery_used": Verb("Recovery code used", note="Details"),
    "mfa.recovery_regenerated": "New recovery codes made",
    "mfa.reset": Verb("Two-factor authentication reset by an administrator", note="Reason"),
    "signature.declared": Verb("Signature declaration made", note="Declaration"),
    "user.password_set_by_admin": Verb("Password set by an administrator (change required)", note="Details"),
    "auth.ldap_refused": Verb("Directory sign-in refused", note="Reason"),
    "sso.roles_mapped": Verb("Roles set from the identity provider's groups", note="Changes"),
    "session.ended": Verb("Session ended", note="Reason"),
    "session.ended_all": Verb("All sessions ended", note="Reason"),
})

register_verbs({
    "auth.oidc_refused": Verb("Single sign-on refused", note="Reason"),
    "auth.oidc_reauth": Verb("Identity confirmed again at the identity provider", note="Details"),
    "auth.oidc_reauth_stale": Verb("Re-authentication refused: the provider did not ask again", note="Details"),
    "auth.local_login_refused": Verb("Password login refused: single sign-on only", note="Details"),
    "access_review.signed": Verb("Access review signed", note="Comment"),
    "sso.user_created": Verb("Account made at first single sign-on login", note="Details"),
})

register_verbs({
    "mfa.passkey_added": Verb("Security key (passkey) added", note="Key"),
    "mfa.passkey_removed": Verb("Security key (passkey) removed", note="Key"),
    "mfa.passkey_refused": Verb("Security key refused", note="Details"),
})

register_verbs({
    "auth.saml_refused": Verb("SAML sign-on refused", note="Reason"),
    "auth.saml_reauth": Verb("Identity confirmed again at the SAML identity provider", note="Details"),
    "auth.saml_reauth_stale": Verb("Re-authentication refused: the SAML provider did not ask again", note="Details"),
    "auth.saml_logout_sent": Verb("Single logout: logout request sent to the SAML identity provider", note="Details"),
    "auth.saml_logout_failed": Verb("Single logout: no logout request could be sent", note="Details"),
    "auth.saml_logout_done": Verb("Single logout answered by the SAML identity provider", note="Answer"),
    "auth.saml_logout": Verb("Sessions ended by the SAML identity provider's single logout", note="Details"),
    "auth.saml_logout_refused": Verb("SAML logout message refused", note="Reason"),
    "mfa.recovery_issued": Verb("Recovery codes made", note="Details"),
})
