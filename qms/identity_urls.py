"""Identity pages (issue 17): login steps, security page, two-factor, sessions, access review."""

from django.urls import path

from qms import identity_views, login, sessions_view

urlpatterns = [
    path("accounts/login/verify/", login.login_verify, name="login-verify"),
    path("accounts/login/enrol/", login.login_enrol, name="login-enrol"),
    path("accounts/security/", identity_views.security, name="security"),
    path("accounts/security/2fa/", identity_views.mfa_setup, name="mfa-setup"),
    path("accounts/security/2fa/recovery-codes/", identity_views.mfa_recovery_codes, name="mfa-recovery-codes"),
    path("accounts/security/declaration/", identity_views.declaration, name="signature-declaration"),
    path("accounts/sessions/", sessions_view.session_list, name="session-list"),
    path("accounts/sessions/<int:pk>/end/", sessions_view.session_end, name="session-end"),
    path("accounts/sessions/end-others/", sessions_view.session_end_others, name="session-end-others"),
    path("access-review/", identity_views.access_review, name="access-review"),
    path("access-review/pdf/", identity_views.access_review_pdf, name="access-review-pdf"),
]
