from django.urls import path

from ventures import api, views

app_name = "ventures"

urlpatterns = [
    path("new/", views.venture_new, name="new"),
    path("<int:venture_id>/", views.venture_detail, name="detail"),
    path("<int:venture_id>/edit/", views.venture_edit, name="edit"),
    path("<int:venture_id>/delete/", views.venture_delete_confirm, name="delete"),
]

api_urlpatterns = [
    path("ventures/", api.VentureListApi.as_view(), name="venture-list"),
    path("ventures/<int:venture_id>/", api.VentureDetailApi.as_view(), name="venture-detail"),
]
