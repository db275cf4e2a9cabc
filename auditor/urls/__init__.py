from django.urls import path

from auditor.views import access, packs, requests
from auditor.views import asof as views_asof

app_name = "auditor"

urlpatterns = [
    path("access/", access.access_list, name="access-list"),
    path("access/invite/", access.access_invite, name="access-invite"),
    path("access/<int:pk>/", access.access_detail, name="access-detail"),
    path("access/<int:pk>/revoke/", access.access_revoke, name="access-revoke"),
    path("access/<int:pk>/renew/", access.access_renew, name="access-renew"),
    path("requests/", requests.request_list, name="request-list"),
    path("requests/new/", requests.request_new, name="request-new"),
    path("requests/<int:pk>/", requests.request_detail, name="request-detail"),
    path("requests/<int:pk>/files/<int:link_id>/", requests.request_file, name="request-file"),
    path("packs/", packs.pack_build, name="pack-build"),
    path("packs/verify/", packs.pack_verify, name="pack-verify"),
    path("packs/public-key.pem", packs.pack_public_key, name="pack-public-key"),
    path("asof/", views_asof.document_register, name="asof-documents"),
    path("asof/document/<str:number>/", views_asof.document_detail, name="asof-document"),
    path("asof/record-register/", views_asof.record_register, name="asof-records"),
    path("asof/record/<str:number>/", views_asof.record_detail, name="asof-record"),
    path("asof/register/<slug:slug>/", views_asof.register_as_of, name="asof-register"),
]
