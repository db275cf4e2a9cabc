"""The clause catalogue and the ISO 9001 readiness map (un-namespaced names, at /clauses/)."""

from django.urls import path

from auditor.views import clauses as views_clauses

urlpatterns = [
    path("", views_clauses.clause_list, name="clause-list"),
    path("export/", views_clauses.readiness_export, name="readiness-export"),
    path("readiness.pdf", views_clauses.readiness_pdf, name="readiness-pdf"),
    path("<str:number>/", views_clauses.clause_detail, name="clause-detail"),
]
