from django.urls import path

from planning.views import context, objectives, risks

app_name = "planning"

urlpatterns = [
    # context of the organisation (4.1, 4.2)
    path("context/", context.context_index, name="context"),
    path("context/issues/new/", context.issue_create, name="issue-create"),
    path("context/issues/<int:pk>/", context.issue_detail, name="issue-detail"),
    path("context/issues/<int:pk>/edit/", context.issue_edit, name="issue-edit"),
    path("context/issues/<int:pk>/review/", context.issue_review, name="issue-review"),
    path("context/issues/<int:pk>/retire/", context.issue_retire, name="issue-retire"),
    path("context/parties/new/", context.party_create, name="party-create"),
    path("context/parties/<int:pk>/", context.party_detail, name="party-detail"),
    path("context/parties/<int:pk>/edit/", context.party_edit, name="party-edit"),
    path("context/parties/<int:pk>/review/", context.party_review, name="party-review"),
    path("context/parties/<int:pk>/retire/", context.party_retire, name="party-retire"),
    # risks and opportunities (6.1)
    path("risks/", risks.risk_list, name="risks"),
    path("risks/heatmap/", risks.heatmap, name="heatmap"),
    path("risks/scale/", risks.scale_edit, name="scale"),
    path("risks/new/", risks.risk_create, name="risk-create"),
    path("risks/<int:pk>/", risks.risk_detail, name="risk-detail"),
    path("risks/<int:pk>/edit/", risks.risk_edit, name="risk-edit"),
    path("risks/<int:pk>/assess/", risks.risk_assess, name="risk-assess"),
    path("risks/<int:pk>/actions/", risks.action_add, name="risk-action-add"),
    path("risks/<int:pk>/close/", risks.risk_close, name="risk-close"),
    path("risks/<int:pk>/reopen/", risks.risk_reopen, name="risk-reopen"),
    path("risks/<int:pk>/capa/", risks.risk_capa, name="risk-capa"),
    path("risks/actions/<int:pk>/complete/", risks.action_complete, name="risk-action-complete"),
    path("risks/actions/<int:pk>/cancel/", risks.action_cancel, name="risk-action-cancel"),
    # quality objectives and KPIs (6.2, 9.1)
    path("objectives/", objectives.objective_list, name="objectives"),
    path("objectives/new/", objectives.objective_create, name="objective-create"),
    path("objectives/<int:pk>/", objectives.objective_detail, name="objective-detail"),
    path("objectives/<int:pk>/edit/", objectives.objective_create, name="objective-edit"),
    path("objectives/<int:pk>/close/", objectives.objective_close, name="objective-close"),
    path("objectives/<int:pk>/kpis/new/", objectives.kpi_create, name="kpi-create"),
    path("kpis/<int:pk>/", objectives.kpi_detail, name="kpi-detail"),
    path("kpis/<int:pk>/edit/", objectives.kpi_edit, name="kpi-edit"),
    path("kpis/<int:pk>/measure/", objectives.measurement_add, name="measurement-add"),
    path("kpis/<int:pk>/refresh/", objectives.kpi_refresh, name="kpi-refresh"),
    path("measurements/<int:pk>/evidence/", objectives.measurement_evidence, name="measurement-evidence"),
]
