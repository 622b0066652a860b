from django.urls import path

from takeout import views

app_name = "takeout"

urlpatterns = [
    path("<int:team_id>/export.zip", views.team_export_download, name="team_export"),
]
