from django.urls import path

from analysis import api, views

app_name = "analysis"

urlpatterns = [
    path("datasets/<int:dataset_id>/analyses/new/", views.analysis_start_view, name="analysis_start"),
    path("analyses/<int:analysis_id>/", views.analysis_detail, name="analysis_detail"),
    path("analyses/<int:analysis_id>/cancel/", views.analysis_cancel_view, name="analysis_cancel"),
    path("analyses/<int:analysis_id>/delete/", views.analysis_delete_view, name="analysis_delete"),
]

api_urlpatterns = [
    path("analyses/", api.AnalysisListApi.as_view(), name="analysis-list"),
    path("analyses/<int:analysis_id>/", api.AnalysisDetailApi.as_view(), name="analysis-detail"),
    path("analyses/<int:analysis_id>/cancel/", api.AnalysisCancelApi.as_view(), name="analysis-cancel"),
    path("analyses/<int:analysis_id>/rerun/", api.AnalysisRerunApi.as_view(), name="analysis-rerun"),
    path("analyses/<int:analysis_id>/figures/<slug:name>/", api.AnalysisFigureApi.as_view(), name="analysis-figure"),
    path(
        "analyses/<int:analysis_id>/segments/<int:segment_id>/members.csv",
        api.SegmentMembersCsvApi.as_view(),
        name="analysis-segment-members",
    ),
    path("analyses/<int:analysis_id>/customers.csv", api.CustomerValuesCsvApi.as_view(), name="analysis-customers"),
]
