from django.urls import path

from evidence import api, views

app_name = "evidence"

urlpatterns = [
    path("analyses/<int:analysis_id>/to-canvas/", views.analysis_to_canvas_view, name="analysis_to_canvas"),
    path("ventures/<int:venture_id>/economics/to-canvas/", views.economics_to_canvas_view, name="economics_to_canvas"),
    path("datasets/<int:dataset_id>/retention/to-canvas/", views.retention_to_canvas_view, name="retention_to_canvas"),
]

api_urlpatterns = [
    path("analyses/<int:analysis_id>/add-to-canvas/", api.AnalysisToCanvasApi.as_view(), name="analysis-add-to-canvas"),
    path("datasets/<int:dataset_id>/retention/add-to-canvas/", api.RetentionToCanvasApi.as_view(), name="retention-add-to-canvas"),
]
