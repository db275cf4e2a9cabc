"""Identity pages (issue 17): login steps, security page, two-factor, sessions, access review."""

from django.urls import path

from qms import identity_views, login, oidc_views, saml_views, sessions_view

urlpatterns = [
    path("accounts/login/verify/", login.login_verify, name="login-verify"),
    path("accounts/login/enrol/", login.login_enrol, name="login-enrol"),
    path("accounts/oidc/login/", oidc_views.oidc_login, name="oidc-login"),
    path("accounts/oidc/callback/", oidc_views.oidc_callback, name="oidc-callback"),
    path("accounts/oidc/reauth/", oidc_views.oidc_reauth, name="oidc-reauth"),
    path("accounts/saml/login/", saml_views.saml_login, name="saml-login"),
    path("accounts/saml/acs/", saml_views.saml_acs, name="saml-acs"),
    path("accounts/saml/done/", saml_views.saml_done, name="saml-done"),
    path("accounts/saml/reauth/", saml_views.saml_reauth, name="saml-reauth"),
    path("accounts/saml/metadata/", saml_views.saml_metadata, name="saml-metadata"),
    path("accounts/saml/slo/", saml_views.saml_slo, name="saml-slo"),
    path("accounts/security/", identity_views.security, name="security"),
    path("accounts/security/2fa/", identity_views.mfa_setup, name="mfa-setup"),
    path("accounts/security/2fa/recovery-codes/", identity_views.mfa_recovery_codes, name="mfa-recovery-codes"),
    path("accounts/login/passkey/options/", login.login_passkey_options, name="login-passkey-options"),
    path("accounts/passkeys/options/<slug:purpose>/", identity_views.passkey_options, name="passkey-options"),
    path("accounts/security/passkeys/add/", identity_views.passkey_add, name="passkey-add"),
    path("accounts/security/passkeys/<int:pk>/remove/", identity_views.passkey_remove, name="passkey-remove"),
    path("accounts/language/", identity_views.language_set, name="language-set"),
    path("accounts/preferences/", identity_views.preferences, name="preferences"),
    path("accounts/security/declaration/", identity_views.declaration, name="signature-declaration"),
    path("accounts/sessions/", sessions_view.session_list, name="session-list"),
    path("accounts/sessions/<int:pk>/end/", sessions_view.session_end, name="session-end"),
    path("accounts/sessions/end-others/", sessions_view.session_end_others, name="session-end-others"),
    path("access-review/", identity_views.access_review, name="access-review"),
    path("access-review/sign/", identity_views.access_review_sign, name="access-review-sign"),
    path("access-review/pdf/", identity_views.access_review_pdf, name="access-review-pdf"),
]
