"""The public verification page behind the QR code on every controlled print (no login)."""

from django.urls import path

from documents.views import prints as views_pdf

urlpatterns = [
    path("<str:token>/", views_pdf.verify, name="verify"),
]
