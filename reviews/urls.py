from django.urls import path

from reviews.views import feedback, management

app_name = "reviews"

urlpatterns = [
    path("complaints/", feedback.complaint_list, name="complaints"),
    path("complaints/export/", feedback.complaint_export, name="complaints-export"),
    path("complaints/new/", feedback.complaint_create, name="complaint-create"),
    path("complaints/<str:number>/", feedback.complaint_detail, name="complaint-detail"),
    path("complaints/<str:number>/edit/", feedback.complaint_edit, name="complaint-edit"),
    path("complaints/<str:number>/acknowledge/", feedback.complaint_acknowledge, name="complaint-acknowledge"),
    path("complaints/<str:number>/respond/", feedback.complaint_respond, name="complaint-respond"),
    path("complaints/<str:number>/capa/", feedback.complaint_capa, name="complaint-capa"),
    path("complaints/<str:number>/close/", feedback.complaint_close, name="complaint-close"),
    path("surveys/", feedback.survey_list, name="surveys"),
    path("surveys/new/", feedback.survey_edit, name="survey-create"),
    path("surveys/<int:pk>/", feedback.survey_detail, name="survey-detail"),
    path("surveys/<int:pk>/edit/", feedback.survey_edit, name="survey-edit"),
    path("meetings/", management.review_list, name="reviews"),
    path("meetings/new/", management.review_create, name="review-create"),
    path("meetings/<int:pk>/", management.review_detail, name="review-detail"),
    path("meetings/<int:pk>/edit/", management.review_edit, name="review-edit"),
    path("meetings/<int:pk>/pack/", management.review_pack, name="review-pack"),
    path("meetings/<int:pk>/compile/", management.review_compile, name="review-compile"),
    path("meetings/<int:pk>/pdf/", management.review_pdf, name="review-pdf"),
    path("meetings/<int:pk>/conclusions/", management.review_conclusions, name="review-conclusions"),
    path("meetings/<int:pk>/decisions/", management.decision_add, name="decision-add"),
    path("meetings/<int:pk>/sign/", management.review_sign, name="review-sign"),
    path("decisions/<int:pk>/edit/", management.decision_edit, name="decision-edit"),
    path("decisions/<int:pk>/complete/", management.action_complete, name="action-complete"),
    path("actions/", management.action_list, name="actions"),
]
