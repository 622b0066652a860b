from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import StandardPagination, paginated
from teams.selectors import team_get_for_user
from ventures.models import Stage
from ventures.selectors import venture_get_for_user, venture_list_for_user
from ventures.services import venture_create, venture_delete, venture_edit_require, venture_update


class VentureOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    team = serializers.IntegerField(source="team_id")
    name = serializers.CharField()
    pitch = serializers.CharField()
    industry = serializers.CharField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    currency = serializers.CharField(help_text="ISO 4217 code; empty: no currency set.")
    gross_margin = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, help_text="Percent of revenue, 0–100.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class VentureUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    pitch = serializers.CharField(max_length=200, required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True, help_text="ISO 4217 code; empty: no currency set.")
    gross_margin = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True, help_text="Percent of revenue, 0–100."
    )


class VentureCreateSerializer(VentureUpdateSerializer):
    # Resolved by the view among the user's teams: another team's id answers 404 like any other id of theirs.
    team = serializers.IntegerField(min_value=1)


class VentureListFilterSerializer(serializers.Serializer):
    team = serializers.IntegerField(min_value=1, required=False)


class VentureListApi(APIView):
    pagination_class = StandardPagination  # documents the page envelope and the page parameters

    @extend_schema(
        parameters=[OpenApiParameter("team", int, description="Only ventures of this team.")],
        responses={200: VentureOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        filters = VentureListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        ventures = venture_list_for_user(user=request.user, team_id=filters.validated_data.get("team"))
        return paginated(request, self, ventures, VentureOutputSerializer)

    @extend_schema(request=VentureCreateSerializer, responses={201: VentureOutputSerializer})
    def post(self, request: Request) -> Response:
        data = VentureCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = team_get_for_user(user=request.user, team_id=data.validated_data.pop("team"))
        venture = venture_create(user=request.user, team=team, **data.validated_data)
        return Response(VentureOutputSerializer(venture).data, status=status.HTTP_201_CREATED)


class VentureDetailApi(APIView):
    @extend_schema(responses={200: VentureOutputSerializer})
    def get(self, request: Request, venture_id: int) -> Response:
        return Response(VentureOutputSerializer(venture_get_for_user(user=request.user, venture_id=venture_id)).data)

    @extend_schema(request=VentureUpdateSerializer(partial=True), responses={200: VentureOutputSerializer})
    def patch(self, request: Request, venture_id: int) -> Response:
        venture = venture_get_for_user(user=request.user, venture_id=venture_id)
        venture_edit_require(user=request.user, team=venture.team)  # before the body: a viewer gets 403 whatever they send
        data = VentureUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        venture = venture_update(user=request.user, venture=venture, **data.validated_data)
        return Response(VentureOutputSerializer(venture).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, venture_id: int) -> Response:
        venture_delete(user=request.user, venture=venture_get_for_user(user=request.user, venture_id=venture_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
