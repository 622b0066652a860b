from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import StandardPagination, paginated
from teams.models import Role
from teams.selectors import invitation_get_for_team, invitation_list_pending, member_get, member_list, team_get_for_user, team_list_for_user
from teams.services import (
    invitation_accept,
    invitation_create,
    invitation_link,
    invitation_revoke,
    member_add,
    member_remove,
    member_role_change,
    team_create,
    team_delete,
    team_manage_require,
    team_update,
)


class TeamOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    my_role = serializers.ChoiceField(choices=Role.choices)
    member_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class TeamInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)


def _team_output(request: Request, team_id: int) -> dict:
    return TeamOutputSerializer(team_get_for_user(user=request.user, team_id=team_id)).data


class TeamListApi(APIView):
    pagination_class = StandardPagination  # documents the page envelope and the page parameters

    @extend_schema(responses={200: TeamOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return paginated(request, self, team_list_for_user(user=request.user), TeamOutputSerializer)

    @extend_schema(request=TeamInputSerializer, responses={201: TeamOutputSerializer})
    def post(self, request: Request) -> Response:
        data = TeamInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = team_create(user=request.user, **data.validated_data)
        return Response(_team_output(request, team.pk), status=status.HTTP_201_CREATED)


class TeamDetailApi(APIView):
    @extend_schema(responses={200: TeamOutputSerializer})
    def get(self, request: Request, team_id: int) -> Response:
        return Response(_team_output(request, team_id))

    @extend_schema(request=TeamInputSerializer(partial=True), responses={200: TeamOutputSerializer})
    def patch(self, request: Request, team_id: int) -> Response:
        team = team_get_for_user(user=request.user, team_id=team_id)
        team_manage_require(user=request.user, team=team)
        data = TeamInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if data.validated_data:
            team_update(user=request.user, team=team, **data.validated_data)
        return Response(_team_output(request, team_id))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, team_id: int) -> Response:
        team_delete(user=request.user, team=team_get_for_user(user=request.user, team_id=team_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberOutputSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    email = serializers.EmailField(source="user.email")
    role = serializers.ChoiceField(choices=Role.choices)
    joined_at = serializers.DateTimeField(source="created_at")


class MemberAddInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="The username of an existing user. Invite e-mail addresses instead.")
    role = serializers.ChoiceField(choices=Role.choices)


class MemberListApi(APIView):
    pagination_class = StandardPagination  # documents the page envelope and the page parameters

    @extend_schema(responses={200: MemberOutputSerializer(many=True)})
    def get(self, request: Request, team_id: int) -> Response:
        team = team_get_for_user(user=request.user, team_id=team_id)
        return paginated(request, self, member_list(team=team), MemberOutputSerializer)

    @extend_schema(request=MemberAddInputSerializer, responses={201: MemberOutputSerializer})
    def post(self, request: Request, team_id: int) -> Response:
        team = team_get_for_user(user=request.user, team_id=team_id)
        team_manage_require(user=request.user, team=team)
        data = MemberAddInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = member_add(actor=request.user, team=team, **data.validated_data)
        return Response(MemberOutputSerializer(membership).data, status=status.HTTP_201_CREATED)


class MemberRoleInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MemberDetailApi(APIView):
    @extend_schema(request=MemberRoleInputSerializer, responses={200: MemberOutputSerializer})
    def patch(self, request: Request, team_id: int, user_id: int) -> Response:
        team = team_get_for_user(user=request.user, team_id=team_id)
        membership = member_get(team=team, user_id=user_id)
        team_manage_require(user=request.user, team=team)
        data = MemberRoleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = member_role_change(actor=request.user, membership=membership, role=data.validated_data["role"])
        return Response(MemberOutputSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, team_id: int, user_id: int) -> Response:
        team = team_get_for_user(user=request.user, team_id=team_id)
        member_remove(actor=request.user, membership=member_get(team=team, user_id=user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)
    email = serializers.EmailField(allow_blank=True)
    kind = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    use_count = serializers.IntegerField()

    def get_kind(self, invitation) -> str:
        return "link" if invitation.is_link else "email"


class InvitationCreatedSerializer(InvitationOutputSerializer):
    token = serializers.CharField(help_text="Shown once, at creation; only a hash is kept.")
    url = serializers.URLField()


class InvitationCreateInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    email = serializers.EmailField(required=False, default="", help_text="Leave out for a shareable link.")


class InvitationListApi(APIView):
    pagination_class = StandardPagination  # documents the page envelope and the page parameters

    @extend_schema(responses={200: InvitationOutputSerializer(many=True)})
    def get(self, request: Request, team_id: int) -> Response:
        team = team_get_for_user(user=request.user, team_id=team_id)
        team_manage_require(user=request.user, team=team)
        return paginated(request, self, invitation_list_pending(team=team), InvitationOutputSerializer)

    @extend_schema(request=InvitationCreateInputSerializer, responses={201: InvitationCreatedSerializer})
    def post(self, request: Request, team_id: int) -> Response:
        team = team_get_for_user(user=request.user, team_id=team_id)
        team_manage_require(user=request.user, team=team)
        data = InvitationCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        site_url = request.build_absolute_uri("/")
        invitation, token = invitation_create(actor=request.user, team=team, site_url=site_url, **data.validated_data)
        invitation.token = token
        invitation.url = invitation_link(token=token, site_url=site_url)
        return Response(InvitationCreatedSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, team_id: int, invitation_id: int) -> Response:
        team = team_get_for_user(user=request.user, team_id=team_id)
        invitation_revoke(actor=request.user, invitation=invitation_get_for_team(team=team, invitation_id=invitation_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AcceptedOutputSerializer(MemberOutputSerializer):
    team = serializers.IntegerField(source="team_id")


class InvitationAcceptInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=128)


class InvitationAcceptApi(APIView):
    @extend_schema(request=InvitationAcceptInputSerializer, responses={200: AcceptedOutputSerializer, 201: AcceptedOutputSerializer})
    def post(self, request: Request) -> Response:
        """Join the team: 201 when joined now, 200 when already a member (nothing changes)."""
        data = InvitationAcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        accepted = invitation_accept(user=request.user, token=data.validated_data["token"])
        return Response(
            AcceptedOutputSerializer(accepted.membership).data,
            status=status.HTTP_201_CREATED if accepted.joined else status.HTTP_200_OK,
        )
