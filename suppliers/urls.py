from django.urls import path

from suppliers import views

app_name = "suppliers"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.supplier_create, name="create"),
    path("approved/", views.approved_list, name="approved"),
    path("approved/pdf/", views.approved_pdf, name="approved-pdf"),
    path("criteria/", views.criteria_list, name="criteria"),
    path("criteria/new/", views.criterion_edit, name="criterion-create"),
    path("criteria/<int:pk>/", views.criterion_edit, name="criterion-edit"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation-detail"),
    path("certificates/<int:pk>/download/", views.certificate_download, name="certificate-download"),
    path("<str:code>/", views.supplier_detail, name="detail"),
    path("<str:code>/edit/", views.supplier_edit, name="edit"),
    path("<str:code>/trail/", views.supplier_trail, name="trail"),
    path("<str:code>/status/<str:to>/", views.supplier_status, name="status"),
    path("<str:code>/contacts/", views.contact_add, name="contact-add"),
    path("<str:code>/certificates/", views.certificate_add, name="certificate-add"),
    path("<str:code>/capa/", views.supplier_capa, name="capa"),
    path("<str:code>/evaluate/", views.evaluation_create, name="evaluate"),
    path("<str:code>/scorecard/", views.scorecard, name="scorecard"),
]
