from django.urls import path

from economics import api, views

app_name = "economics"

urlpatterns = [
    path("<int:venture_id>/economics/", views.economics_page, name="page"),
    path("<int:venture_id>/economics/spend/", views.spend_add, name="spend_add"),
    path("<int:venture_id>/economics/spend/upload/", views.spend_upload, name="spend_upload"),
    path("<int:venture_id>/economics/spend/<int:spend_id>/", views.spend_edit, name="spend_edit"),
    path("<int:venture_id>/economics/spend/<int:spend_id>/delete/", views.spend_remove, name="spend_delete"),
    path("<int:venture_id>/economics/margin/", views.margin_save, name="margin"),
]

api_urlpatterns = [
    path("ventures/<int:venture_id>/spend/", api.SpendListApi.as_view(), name="spend-list"),
    path("ventures/<int:venture_id>/spend/upload/", api.SpendUploadApi.as_view(), name="spend-upload"),
    path("ventures/<int:venture_id>/spend/<int:spend_id>/", api.SpendDetailApi.as_view(), name="spend-detail"),
]
