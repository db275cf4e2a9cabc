"""Controlled prints and the quality manual (issue 4), namespace "renditions".
Included from qms/urls.py under documents/; the public verification page
(/verify/<token>/) is wired there too, outside the login-only area."""

from django.urls import path

from documents import views_pdf

app_name = "renditions"

urlpatterns = [
    path("revisions/<int:revision_id>/print/", views_pdf.revision_print, name="revision-print"),
    path("manual/", views_pdf.manual, name="manual"),
    path("manual/build/", views_pdf.manual_build, name="manual-build"),
    path("manual/<int:manual_revision>/download/", views_pdf.manual_download, name="manual-download"),
]
