from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", views.index, name="index"),
    path("documents/new/", views.new_documents, name="new-documents"),
    path("records/new/", views.new_records, name="new-records"),
    path("people/new/", views.new_people, name="new-people"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/mapping/", views.run_mapping, name="mapping"),
    path("<int:pk>/start/", views.run_start, name="start"),
    path("<int:pk>/report.csv", views.run_report_csv, name="report-csv"),
    path("<int:pk>/report.json", views.run_report_json, name="report-json"),
]
