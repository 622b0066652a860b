from django.urls import path

from datasets import api, views

app_name = "datasets"

urlpatterns = [
    path("datasets/<int:dataset_id>/", views.dataset_detail, name="dataset_detail"),
    path("datasets/<int:dataset_id>/cancel/", views.dataset_cancel_view, name="dataset_cancel"),
    path("datasets/<int:dataset_id>/delete/", views.dataset_delete_view, name="dataset_delete"),
    path("datasets/upload/<int:venture_id>/", views.dataset_upload_view, name="dataset_upload"),
]

api_urlpatterns = [
    path("datasets/", api.DatasetListApi.as_view(), name="dataset-list"),
    path("datasets/<int:dataset_id>/", api.DatasetDetailApi.as_view(), name="dataset-detail"),
    path("datasets/<int:dataset_id>/preview/", api.DatasetPreviewApi.as_view(), name="dataset-preview"),
    path("datasets/<int:dataset_id>/ingest/", api.DatasetIngestApi.as_view(), name="dataset-ingest"),
    path("datasets/<int:dataset_id>/cancel/", api.DatasetCancelApi.as_view(), name="dataset-cancel"),
    path("datasets/<int:dataset_id>/cohorts/", api.DatasetCohortsApi.as_view(), name="dataset-cohorts"),
]
