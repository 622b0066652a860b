from django.urls import path

from analysis import analyses_api, analyses_views, api, views

app_name = "analysis"

urlpatterns = [
    path("datasets/<int:dataset_id>/", views.dataset_detail, name="dataset_detail"),
    path("datasets/<int:dataset_id>/cancel/", views.dataset_cancel_view, name="dataset_cancel"),
    path("datasets/<int:dataset_id>/delete/", views.dataset_delete_view, name="dataset_delete"),
    path("datasets/upload/<int:venture_id>/", views.dataset_upload_view, name="dataset_upload"),
    path("datasets/<int:dataset_id>/analyses/new/", analyses_views.analysis_start_view, name="analysis_start"),
    path("analyses/<int:analysis_id>/", analyses_views.analysis_detail, name="analysis_detail"),
    path("analyses/<int:analysis_id>/cancel/", analyses_views.analysis_cancel_view, name="analysis_cancel"),
    path("analyses/<int:analysis_id>/delete/", analyses_views.analysis_delete_view, name="analysis_delete"),
]

api_urlpatterns = [
    path("datasets/", api.DatasetListApi.as_view(), name="dataset-list"),
    path("datasets/<int:dataset_id>/", api.DatasetDetailApi.as_view(), name="dataset-detail"),
    path("datasets/<int:dataset_id>/preview/", api.DatasetPreviewApi.as_view(), name="dataset-preview"),
    path("datasets/<int:dataset_id>/ingest/", api.DatasetIngestApi.as_view(), name="dataset-ingest"),
    path("datasets/<int:dataset_id>/cancel/", api.DatasetCancelApi.as_view(), name="dataset-cancel"),
    path("analyses/", analyses_api.AnalysisListApi.as_view(), name="analysis-list"),
    path("analyses/<int:analysis_id>/", analyses_api.AnalysisDetailApi.as_view(), name="analysis-detail"),
    path("analyses/<int:analysis_id>/cancel/", analyses_api.AnalysisCancelApi.as_view(), name="analysis-cancel"),
    path("analyses/<int:analysis_id>/rerun/", analyses_api.AnalysisRerunApi.as_view(), name="analysis-rerun"),
    path("analyses/<int:analysis_id>/figures/<slug:name>/", analyses_api.AnalysisFigureApi.as_view(), name="analysis-figure"),
    path(
        "analyses/<int:analysis_id>/segments/<int:segment_id>/members.csv",
        analyses_api.SegmentMembersCsvApi.as_view(),
        name="analysis-segment-members",
    ),
]
