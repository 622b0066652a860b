from django.urls import path

from strategy import api, views
from strategy.resources import RESOURCES

app_name = "strategy"

urlpatterns = [
    path("<int:venture_id>/strategy/", views.strategy_home, name="home"),
    path("<int:venture_id>/strategy/<str:kind>/", views.strategy_view, name="view"),
    path("<int:venture_id>/strategy/<str:kind>/history/", views.strategy_history, name="history"),
    path("<int:venture_id>/strategy/<str:kind>/history/<int:version_id>/restore/", views.strategy_restore, name="restore"),
    path("<int:venture_id>/strategy/rows/<str:resource>/<int:row_id>/", views.row_edit_view, name="row_edit"),
    path("<int:venture_id>/strategy/rows/<str:resource>/<int:row_id>/delete/", views.row_delete_view, name="row_delete"),
]

api_urlpatterns = [
    path("ventures/<int:venture_id>/figures/<str:kind>/", api.FigureApi.as_view(), name="strategy-figure"),
    path("ventures/<int:venture_id>/five-forces/scores/", api.FiveForcesScoresApi.as_view(), name="five-forces-scores"),
    path("ventures/<int:venture_id>/views/<str:kind>/versions/", api.ViewVersionListApi.as_view(), name="strategy-version-list"),
    path(
        "ventures/<int:venture_id>/views/<str:kind>/versions/<int:version_id>/diff/",
        api.ViewVersionDiffApi.as_view(),
        name="strategy-version-diff",
    ),
    path(
        "ventures/<int:venture_id>/views/<str:kind>/versions/<int:version_id>/restore/",
        api.ViewVersionRestoreApi.as_view(),
        name="strategy-version-restore",
    ),
]
for _key, _resource in RESOURCES.items():
    _list, _detail = api.resource_views(_resource)
    api_urlpatterns += [
        path(f"ventures/<int:venture_id>/{_resource.path}/", _list.as_view(), name=f"{_key}-list"),
        path(f"ventures/<int:venture_id>/{_resource.path}/<int:row_id>/", _detail.as_view(), name=f"{_key}-detail"),
    ]
