from django.urls import path

from equipment import views

app_name = "equipment"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.instrument_create, name="create"),
    path("certificates/<int:pk>/download/", views.certificate_download, name="certificate-download"),
    path("<str:code>/", views.instrument_detail, name="detail"),
    path("<str:code>/edit/", views.instrument_edit, name="edit"),
    path("<str:code>/trail/", views.instrument_trail, name="trail"),
    path("<str:code>/impact/", views.instrument_impact, name="impact"),
    path("<str:code>/status/<str:to>/", views.instrument_status, name="status"),
    path("<str:code>/calibrate/", views.calibration_create, name="calibrate"),
]
