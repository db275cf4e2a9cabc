from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("bulk/", views.bulk_start, name="bulk"),
    path("bulk/verify/", views.bulk_verify, name="bulk-verify"),
    path("bulk/hold/", views.bulk_hold, name="bulk-hold"),
    path("retention/", views.retention_list, name="retention"),
    path("new/", views.record_new, name="new"),
    path("new/<str:code>/", views.record_create, name="create"),
    path("types/", views.type_list, name="type-list"),
    path("types/new/", views.type_edit, name="type-create"),
    path("types/<str:code>/", views.type_detail, name="type-detail"),
    path("types/<str:code>/edit/", views.type_edit, name="type-edit"),
    path("types/<str:code>/fields/", views.type_fields, name="type-fields"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence-download"),
    path("evidence/<int:pk>/searchable/", views.evidence_searchable, name="evidence-searchable"),
    path("evidence/<int:pk>/supersede/", views.evidence_supersede, name="evidence-supersede"),
    path("<str:number>/", views.record_detail, name="detail"),
    path("<str:number>/edit/", views.record_edit, name="edit"),
    path("<str:number>/submit/", views.record_submit, name="submit"),
    path("<str:number>/evidence/", views.evidence_add, name="evidence-add"),
    path("<str:number>/verify/", views.record_verify, name="verify"),
    path("<str:number>/amend/", views.record_amend, name="amend"),
    path("<str:number>/changed/", views.record_changed, name="changed"),
    path("<str:number>/void/", views.record_void, name="void"),
    path("<str:number>/hold/", views.record_hold, name="hold"),
    path("<str:number>/dispose/", views.record_dispose, name="dispose"),
    path("<str:number>/pdf/", views.record_pdf, name="pdf"),
]
