"""Controlled prints and the quality manual (issue 4), namespace "renditions".
Included under documents/ (DocumentsConfig.urls); the public verification page
(/verify/<token>/, outside the login-only area) is documents.urls.verify."""

from django.urls import path

from documents.views import prints as views_pdf

app_name = "renditions"

urlpatterns = [
    path("revisions/<int:revision_id>/print/", views_pdf.revision_print, name="revision-print"),
    path("manual/", views_pdf.manual, name="manual"),
    path("manual/build/", views_pdf.manual_build, name="manual-build"),
    path("manual/<int:manual_revision>/download/", views_pdf.manual_download, name="manual-download"),
]
