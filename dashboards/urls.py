from django.urls import path

from dashboards import api, views

app_name = "dashboards"

urlpatterns = [
    path("<int:venture_id>/dashboard/", views.dashboard_detail, name="detail"),
    path("<int:venture_id>/dashboard/layout/", views.dashboard_layout_view, name="layout"),
    path("<int:venture_id>/dashboard/panels/<slug:panel>/update/", views.dashboard_panel_update_view, name="panel_update"),
    path("<int:venture_id>/dashboard/links/", views.share_link_create_view, name="link_create"),
    path("<int:venture_id>/dashboard/links/<int:link_id>/revoke/", views.share_link_revoke_view, name="link_revoke"),
]

# The public pages a share link opens, under /s/ (namespace "shared").
shared_urlpatterns = (
    [
        path("<str:token>/", views.shared_page, name="page"),
        path("<str:token>/figures/<slug:name>.json", views.shared_figure, name="figure"),
        # Anything else under /s/ gets the share path's own plain 404, not the app's page with its navigation.
        path("", views.shared_not_found),
        path("<path:rest>", views.shared_not_found),
    ],
    "shared",
)

api_urlpatterns = [
    path("ventures/<int:venture_id>/dashboard/", api.DashboardApi.as_view(), name="dashboard"),
    path("share-links/", api.ShareLinkListApi.as_view(), name="share-link-list"),
    path("share-links/<int:link_id>/", api.ShareLinkDetailApi.as_view(), name="share-link-detail"),
]
