from django.urls import path

from documents.views import bulk as bulk_views
from documents.views import documents as views

app_name = "documents"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.document_create, name="document-create"),
    path("preview/", views.preview, name="preview"),
    path("acknowledgements/", views.acknowledgement_list, name="acknowledgement-list"),
    path("reviews/overdue/", views.review_list, name="review-list"),
    path("bulk/", bulk_views.bulk_start, name="bulk"),
    path("bulk/acknowledge/", bulk_views.bulk_acknowledge, name="bulk-acknowledge"),
    path("bulk/owner/", bulk_views.bulk_owner, name="bulk-owner"),
    path("<str:number>/", views.document_detail, name="document-detail"),
    path("<str:number>/edit/", views.document_edit, name="document-edit"),
    path("<str:number>/trail/", views.document_trail, name="document-trail"),
    path("<str:number>/compare/", views.document_compare, name="document-compare"),
    path("<str:number>/obsolete/", views.document_obsolete, name="document-obsolete"),
    path("<str:number>/review/", views.document_review, name="document-review"),
    path("<str:number>/acknowledge/", views.document_acknowledge, name="document-acknowledge"),
    path("<str:number>/acknowledgements/", views.document_acknowledgements, name="document-acknowledgements"),
    path("<str:number>/revisions/new/", views.revision_create, name="revision-create"),
    path("<str:number>/rev/<int:seq>/", views.revision_detail, name="revision-detail"),
    path("<str:number>/rev/<int:seq>/edit/", views.revision_edit, name="revision-edit"),
    path("<str:number>/rev/<int:seq>/changed/", views.revision_changed, name="revision-changed"),
    path("<str:number>/rev/<int:seq>/submit/", views.revision_submit, name="revision-submit"),
    path("<str:number>/rev/<int:seq>/sign/", views.revision_sign, name="revision-sign"),
    path("<str:number>/rev/<int:seq>/signers/", views.revision_add_signer, name="revision-add-signer"),
    path("<str:number>/rev/<int:seq>/withdraw/", views.revision_withdraw, name="revision-withdraw"),
    path("<str:number>/rev/<int:seq>/file/<str:kind>/", views.revision_file, name="revision-file"),
]
