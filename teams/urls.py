from django.urls import path

from teams import api, views

app_name = "teams"

urlpatterns = [
    path("", views.team_list, name="list"),
    path("<int:team_id>/", views.team_detail, name="detail"),
    path("<int:team_id>/rename/", views.team_rename, name="rename"),
    path("<int:team_id>/delete/", views.team_delete_confirm, name="delete"),
    path("<int:team_id>/members/invite/", views.member_invite, name="member_invite"),
    path("<int:team_id>/members/<int:user_id>/role/", views.member_role, name="member_role"),
    path("<int:team_id>/members/<int:user_id>/remove/", views.member_remove_view, name="member_remove"),
    path("<int:team_id>/invitations/link/", views.invitation_link_create, name="invitation_link_create"),
    path("<int:team_id>/invitations/<int:invitation_id>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("join/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]

api_urlpatterns = [
    path("teams/", api.TeamListApi.as_view(), name="team-list"),
    path("teams/<int:team_id>/", api.TeamDetailApi.as_view(), name="team-detail"),
    path("teams/<int:team_id>/members/", api.MemberListApi.as_view(), name="member-list"),
    path("teams/<int:team_id>/members/<int:user_id>/", api.MemberDetailApi.as_view(), name="member-detail"),
    path("teams/<int:team_id>/invitations/", api.InvitationListApi.as_view(), name="invitation-list"),
    path("teams/<int:team_id>/invitations/<int:invitation_id>/", api.InvitationDetailApi.as_view(), name="invitation-detail"),
    path("invitations/accept/", api.InvitationAcceptApi.as_view(), name="invitation-accept"),
]
