"""Items of a canvas: add, read, edit, delete, move, comment. Writes based on a version answer a stale one with 409
(ItemApiView); they ask `canvas_edit_require` before validating the body, so a viewer gets 403 whatever they send."""

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from canvas.api.serializers import ItemOutputSerializer
from canvas.blueprints import PALETTE
from canvas.models import NOTE_MAX, TEXT_MAX, AssumptionStatus, CanvasItem
from canvas.selectors import canvas_get_for_user, item_comments, item_get_for_user
from canvas.services import canvas_edit_require, comment_add, item_add, item_delete, item_move, item_update
from core.api.versioning import VersionedApiView, expected_version, with_etag


def _item_response(item: CanvasItem, status_code: int = status.HTTP_200_OK) -> Response:
    return with_etag(Response(ItemOutputSerializer(item).data, status=status_code), item)


class ItemApiView(VersionedApiView):
    """An endpoint that changes an item at a version: a stale change answers 409 with the item as it is now."""

    def current_data(self, current: CanvasItem) -> dict:
        return ItemOutputSerializer(current).data


class ItemInputSerializer(serializers.Serializer):
    block = serializers.CharField(max_length=40)
    text = serializers.CharField(max_length=TEXT_MAX)
    color = serializers.ChoiceField(choices=list(PALETTE), required=False)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True)
    is_assumption = serializers.BooleanField(required=False)
    assumption_status = serializers.ChoiceField(choices=AssumptionStatus.choices, required=False)
    evidence = serializers.CharField(max_length=500, required=False, allow_blank=True)
    evidence_figure = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ItemCreateInputSerializer(ItemInputSerializer):
    position = serializers.IntegerField(min_value=0, required=False)


class ItemUpdateInputSerializer(ItemInputSerializer):
    block = None  # moving is its own operation
    version = serializers.IntegerField(min_value=1, required=False, help_text='Or send If-Match: "<version>".')

    def validate(self, attrs: dict) -> dict:
        if "block" in self.initial_data or "position" in self.initial_data:
            raise serializers.ValidationError({"block": ["Move an item with POST /api/v1/items/{id}/move/."]})
        return attrs


class ItemMoveInputSerializer(serializers.Serializer):
    block = serializers.CharField(max_length=40)
    position = serializers.IntegerField(min_value=0)
    version = serializers.IntegerField(min_value=1, required=False)


class CanvasItemListApi(APIView):
    @extend_schema(request=ItemCreateInputSerializer, responses={201: ItemOutputSerializer})
    def post(self, request: Request, canvas_id: int) -> Response:
        canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id)
        canvas_edit_require(user=request.user, canvas=canvas)
        data = ItemCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = item_add(user=request.user, canvas=canvas, **data.validated_data)
        return _item_response(item, status.HTTP_201_CREATED)


class ItemDetailApi(ItemApiView):
    @extend_schema(responses={200: ItemOutputSerializer})
    def get(self, request: Request, item_id: int) -> Response:
        return _item_response(item_get_for_user(user=request.user, item_id=item_id))

    @extend_schema(
        request=ItemUpdateInputSerializer,
        parameters=[OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER)],
        responses={200: ItemOutputSerializer},
    )
    def patch(self, request: Request, item_id: int) -> Response:
        item = item_get_for_user(user=request.user, item_id=item_id)
        canvas_edit_require(user=request.user, canvas=item.canvas)
        data = ItemUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        expected = expected_version(request, fields.pop("version", None))
        return _item_response(item_update(user=request.user, item=item, expected_version=expected, **fields))

    @extend_schema(parameters=[OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER)], responses={204: None})
    def delete(self, request: Request, item_id: int) -> Response:
        item = item_get_for_user(user=request.user, item_id=item_id)
        canvas_edit_require(user=request.user, canvas=item.canvas)
        item_delete(user=request.user, item=item, expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ItemMoveApi(ItemApiView):
    @extend_schema(request=ItemMoveInputSerializer, responses={200: ItemOutputSerializer})
    def post(self, request: Request, item_id: int) -> Response:
        item = item_get_for_user(user=request.user, item_id=item_id)
        canvas_edit_require(user=request.user, canvas=item.canvas)
        data = ItemMoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expected = expected_version(request, data.validated_data.get("version"))
        moved = item_move(
            user=request.user,
            item=item,
            block=data.validated_data["block"],
            position=data.validated_data["position"],
            expected_version=expected,
        )
        return _item_response(moved)


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    author = serializers.CharField(source="author.username", read_only=True, default=None)
    text = serializers.CharField(max_length=1000)
    created_at = serializers.DateTimeField(read_only=True)


class ItemCommentListApi(APIView):
    @extend_schema(responses={200: CommentSerializer(many=True)})
    def get(self, request: Request, item_id: int) -> Response:
        item = item_get_for_user(user=request.user, item_id=item_id)
        return Response(CommentSerializer(item_comments(item=item), many=True).data)

    @extend_schema(request=CommentSerializer, responses={201: CommentSerializer})
    def post(self, request: Request, item_id: int) -> Response:
        item = item_get_for_user(user=request.user, item_id=item_id)
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comment_add(user=request.user, item=item, text=data.validated_data["text"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
