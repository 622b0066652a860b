from django.urls import path

from canvas.api import canvases, items, versions
from canvas.views import canvases as canvas_views
from canvas.views import items as item_views

app_name = "canvas"

urlpatterns = [
    path("new/<int:venture_id>/", canvas_views.canvas_new, name="new"),
    path("import/<int:venture_id>/", canvas_views.canvas_import_view, name="import"),
    path("<int:canvas_id>/", canvas_views.canvas_detail, name="detail"),
    path("<int:canvas_id>/poll/", canvas_views.canvas_poll, name="poll"),
    path("<int:canvas_id>/settings/", canvas_views.canvas_settings, name="settings"),
    path("<int:canvas_id>/delete/", canvas_views.canvas_delete_confirm, name="delete"),
    path("<int:canvas_id>/duplicate/", canvas_views.canvas_duplicate_view, name="duplicate"),
    path("<int:canvas_id>/export/<str:export_format>/", canvas_views.canvas_export, name="export"),
    path("<int:canvas_id>/history/", canvas_views.canvas_history, name="history"),
    path("<int:canvas_id>/history/compare/", canvas_views.canvas_compare, name="compare"),
    path("<int:canvas_id>/history/<int:version_id>/restore/", canvas_views.canvas_restore, name="restore"),
    path("<int:canvas_id>/blocks/<str:block>/items/", item_views.item_create, name="item_create"),
    path("items/<int:item_id>/edit/", item_views.item_edit, name="item_edit"),
    path("items/<int:item_id>/delete/", item_views.item_delete_view, name="item_delete"),
    path("items/<int:item_id>/move/", item_views.item_move_view, name="item_move"),
    path("items/<int:item_id>/comments/", item_views.item_comments_view, name="item_comments"),
]

api_urlpatterns = [
    path("canvases/", canvases.CanvasListApi.as_view(), name="canvas-list"),
    path("canvases/import/", canvases.CanvasImportApi.as_view(), name="canvas-import"),
    path("canvases/<int:canvas_id>/", canvases.CanvasDetailApi.as_view(), name="canvas-detail"),
    path("canvases/<int:canvas_id>/duplicate/", canvases.CanvasDuplicateApi.as_view(), name="canvas-duplicate"),
    path("canvases/<int:canvas_id>/items/", items.CanvasItemListApi.as_view(), name="canvas-item-list"),
    path("canvases/<int:canvas_id>/versions/", versions.CanvasVersionListApi.as_view(), name="canvas-version-list"),
    path("canvases/<int:canvas_id>/versions/<int:version_id>/diff/", versions.CanvasVersionDiffApi.as_view(), name="canvas-version-diff"),
    path(
        "canvases/<int:canvas_id>/versions/<int:version_id>/restore/",
        versions.CanvasVersionRestoreApi.as_view(),
        name="canvas-version-restore",
    ),
    path("canvases/<int:canvas_id>/export/", canvases.CanvasExportApi.as_view(), name="canvas-export"),
    path("items/<int:item_id>/", items.ItemDetailApi.as_view(), name="item-detail"),
    path("items/<int:item_id>/move/", items.ItemMoveApi.as_view(), name="item-move"),
    path("items/<int:item_id>/comments/", items.ItemCommentListApi.as_view(), name="item-comment-list"),
]
