from django.urls import path

from audits.views import capa as views

app_name = "capa"

urlpatterns = [
    path("", views.capa_list, name="capa-list"),
    path("new/", views.capa_create, name="capa-create"),
    path("export/", views.capa_export, name="capa-export"),
    path("bulk/", views.capa_bulk, name="capa-bulk"),
    path("bulk/owner/", views.capa_bulk_owner, name="capa-bulk-owner"),
    path("actions/mine/", views.my_actions, name="my-actions"),
    path("<int:pk>/", views.capa_detail, name="capa-detail"),
    path("<int:pk>/correction/", views.capa_correction, name="capa-correction"),
    path("<int:pk>/owner/", views.capa_reassign, name="capa-reassign"),
    path("<int:pk>/analyse/", views.capa_analyse, name="capa-analyse"),
    path("<int:pk>/actions/", views.capa_action_add, name="capa-action-add"),
    path("<int:pk>/start-actions/", views.capa_start_actions, name="capa-start-actions"),
    path("<int:pk>/submit-verification/", views.capa_submit_verification, name="capa-submit-verification"),
    path("<int:pk>/verify/", views.capa_verify, name="capa-verify"),
    path("<int:pk>/close/", views.capa_close, name="capa-close"),
    path("actions/<int:pk>/complete/", views.action_complete, name="action-complete"),
]
