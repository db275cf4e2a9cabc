from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("matrix/", views.matrix_view, name="matrix"),
    path("matrix/export/<str:fmt>/", views.matrix_export, name="matrix-export"),
    path("matrix/pdf/", views.matrix_pdf, name="matrix-pdf"),
    path("roles/", views.role_list, name="roles"),
    path("roles/new/", views.role_edit, name="role-create"),
    path("roles/<int:pk>/", views.role_detail, name="role-detail"),
    path("roles/<int:pk>/edit/", views.role_edit, name="role-edit"),
    path("competences/new/", views.competence_edit, name="competence-create"),
    path("competences/<int:pk>/", views.competence_detail, name="competence-detail"),
    path("competences/<int:pk>/edit/", views.competence_edit, name="competence-edit"),
    path("people/", views.person_list, name="people"),
    path("people/new/", views.person_edit, name="person-create"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("mine/", views.mine, name="mine"),
    path("expiring/", views.expiring, name="expiring"),
    path("records/", views.record_list, name="records"),
    path("records/new/", views.record_create, name="record-create"),
    path("records/<int:pk>/", views.record_detail, name="record-detail"),
    path("records/<int:pk>/sign/", views.record_sign, name="record-sign"),
    path("records/<int:pk>/evaluate/", views.record_evaluate, name="record-evaluate"),
    path("records/<int:pk>/evidence/", views.evidence_add, name="evidence-add"),
    path("records/<int:pk>/void/", views.record_void, name="record-void"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence-download"),
    path("qualifications/", views.qualification_list, name="qualifications"),
    path("qualifications/<str:code>/", views.qualification_edit, name="qualification-edit"),
]
