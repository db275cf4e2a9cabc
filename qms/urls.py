from django.apps import apps
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qms import views
from qms.forms import StyledPasswordChangeForm, StyledSetPasswordForm
from qms.login import LoginView, LogoutView

admin.site.site_header = "QMS administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # The password step; the second factor and enrolment follow (qms/login.py, qms/identity_urls.py).
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("", include("qms.identity_urls")),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(form_class=StyledPasswordChangeForm),
        name="password_change",
    ),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=StyledSetPasswordForm),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("trail/export/", views.trail_export, name="trail-export"),
    path("trail/<int:ct_id>/<str:object_id>/", views.object_trail, name="object-trail"),
    path("search/", views.search_page, name="search"),
    path("pick/<slug:name>/", views.picker, name="picker"),
    path("charts/", views.dashboard_charts, name="dashboard-charts"),
    path("charts/<str:key>/export/", views.chart_export, name="chart-export"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notification_read_all, name="notification-read-all"),
    path("jobs/<uuid:public_id>/", views.job_detail, name="job-detail"),
    path("jobs/<uuid:public_id>/download/", views.job_download, name="job-download"),
    path("jobs/<uuid:public_id>/retry/", views.job_retry, name="job-retry"),
    path("registers/<slug:slug>/export/", views.register_export, name="register-export"),
    # Each app's pages, in INSTALLED_APPS order: an app lists (prefix, URLconf) in
    # its AppConfig.urls, so this module names no app.
    *(path(prefix, include(module)) for config in apps.get_app_configs() for prefix, module in getattr(config, "urls", ())),
    path("admin/", admin.site.urls),
]
