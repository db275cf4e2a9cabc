from django.urls import path

from audits.views import audits as views

app_name = "audits"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.audit_create, name="audit-create"),
    path("<int:pk>/", views.audit_detail, name="audit-detail"),
    path("<int:pk>/edit/", views.audit_edit, name="audit-edit"),
    path("<int:pk>/issue-plan/", views.audit_issue_plan, name="audit-issue-plan"),
    path("<int:pk>/start/", views.audit_start, name="audit-start"),
    path("<int:pk>/close/", views.audit_close, name="audit-close"),
    path("<int:pk>/checklist/generate/", views.checklist_generate, name="checklist-generate"),
    path("<int:pk>/checklist/add/", views.checklist_add, name="checklist-add"),
    path("<int:pk>/checklist/library/", views.checklist_library, name="checklist-library"),
    path("checklist/<int:pk>/", views.checklist_item, name="checklist-item"),
    path("checklist/<int:pk>/remove/", views.checklist_item_remove, name="checklist-item-remove"),
    path("<int:pk>/findings/new/", views.finding_create, name="finding-create"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("findings/<int:pk>/close/", views.finding_close, name="finding-close"),
    path("findings/<int:pk>/evidence/", views.finding_evidence_add, name="finding-evidence-add"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("<int:pk>/report/", views.report_edit, name="report"),
    path("<int:pk>/report/issue/", views.report_issue, name="report-issue"),
    path("questions/", views.question_list, name="question-list"),
    path("questions/new/", views.question_create, name="question-create"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question-edit"),
    path("questions/<int:pk>/deactivate/", views.question_deactivate, name="question-deactivate"),
    path("questions/<int:pk>/activate/", views.question_activate, name="question-activate"),
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/new/", views.programme_create, name="programme-create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/items/", views.programme_item_add, name="programme-item-add"),
    path("programmes/<int:pk>/accept/", views.proposal_accept, name="proposal-accept"),
    path("calendar/", views.calendar_month, name="calendar"),
    path("calendar/feeds/", views.calendar_feeds, name="calendar-feeds"),
    path("ical/<str:token>/mine.ics", views.ical_user, name="ical-user"),
    path("ical/<str:token>/programme.ics", views.ical_programme, name="ical-programme"),
]
