from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from canvas import exports
from canvas.blueprints import PALETTE
from canvas.models import NOTE_MAX, TEXT_MAX, AssumptionStatus, Canvas, CanvasItem, CanvasKind
from canvas.selectors import (
    canvas_blocks,
    canvas_get_for_user,
    canvas_list_for_user,
    canvas_snapshot,
    canvas_version_diff,
    item_comments,
    item_get_for_user,
)
from canvas.services import (
    StaleVersion,
    canvas_create,
    canvas_delete,
    canvas_duplicate,
    canvas_import,
    canvas_update,
    canvas_version_name,
    canvas_version_restore,
    comment_add,
    item_add,
    item_delete,
    item_move,
    item_update,
)
from core.api.pagination import StandardPagination
from core.api.versioning import expected_version
from core.errors import InvalidInput
from history.selectors import version_get, version_list
from teams.access import role_require
from teams.models import Role
from ventures.selectors import venture_get_for_user

MAX_IMPORT_ITEMS = 2000


def _language() -> str:
    return translation.get_language() or "en"


def _require_editor(request: Request, canvas: Canvas) -> None:
    """Checked before the body is validated, so a viewer's write answers 403 whatever it sends."""
    role_require(user=request.user, team=canvas.venture.team, minimum=Role.EDITOR)


class ItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    canvas = serializers.IntegerField(source="canvas_id")
    block = serializers.CharField()
    position = serializers.IntegerField()
    text = serializers.CharField()
    color = serializers.CharField()
    note = serializers.CharField()
    is_assumption = serializers.BooleanField()
    assumption_status = serializers.ChoiceField(choices=AssumptionStatus.choices)
    evidence = serializers.CharField()
    evidence_figure = serializers.CharField(help_text="Same-site API path of the chart behind the item (from an analysis).")
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def _stale_response(exc: StaleVersion) -> Response:
    """409 with the item as it is now, in the same shape as every other item response."""
    response = Response(
        {"detail": exc.message, "code": exc.code, "current": ItemOutputSerializer(exc.item).data}, status=status.HTTP_409_CONFLICT
    )
    response["ETag"] = f'"{exc.item.version}"'
    return response


def _item_response(item: CanvasItem, status_code: int = status.HTTP_200_OK) -> Response:
    response = Response(ItemOutputSerializer(item).data, status=status_code)
    response["ETag"] = f'"{item.version}"'
    return response


class CanvasOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    venture = serializers.IntegerField(source="venture_id")
    kind = serializers.ChoiceField(choices=CanvasKind.choices)
    title = serializers.CharField()
    version = serializers.IntegerField()
    archived = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_archived(self, canvas: Canvas) -> bool:
        return canvas.archived_at is not None


class BlockOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    questions = serializers.CharField()
    untested_assumptions = serializers.IntegerField(source="untested")
    items = ItemOutputSerializer(many=True)


class CanvasDetailOutputSerializer(CanvasOutputSerializer):
    blocks = serializers.SerializerMethodField()

    @extend_schema_field(BlockOutputSerializer(many=True))
    def get_blocks(self, canvas: Canvas) -> list[dict]:
        return BlockOutputSerializer(canvas_blocks(canvas=canvas, language=_language()), many=True).data


def _canvas_detail(request: Request, canvas_id: int, status_code: int = status.HTTP_200_OK) -> Response:
    canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id)
    return Response(CanvasDetailOutputSerializer(canvas).data, status=status_code)


class CanvasCreateInputSerializer(serializers.Serializer):
    venture = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=CanvasKind.choices)
    title = serializers.CharField(max_length=120)


class CanvasUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, required=False)
    archived = serializers.BooleanField(required=False)


class CanvasListFilterSerializer(serializers.Serializer):
    venture = serializers.IntegerField(min_value=1, required=False)


class CanvasListApi(APIView):
    pagination_class = StandardPagination  # documents the page envelope and the page parameters

    @extend_schema(parameters=[CanvasListFilterSerializer], responses={200: CanvasOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        filters = CanvasListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        canvases = canvas_list_for_user(user=request.user, venture_id=filters.validated_data.get("venture"))
        paginator = StandardPagination()
        page = paginator.paginate_queryset(canvases, request, view=self)
        return paginator.get_paginated_response(CanvasOutputSerializer(page, many=True).data)

    @extend_schema(request=CanvasCreateInputSerializer, responses={201: CanvasDetailOutputSerializer})
    def post(self, request: Request) -> Response:
        data = CanvasCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        venture = venture_get_for_user(user=request.user, venture_id=data.validated_data["venture"])
        canvas = canvas_create(user=request.user, venture=venture, kind=data.validated_data["kind"], title=data.validated_data["title"])
        return _canvas_detail(request, canvas.pk, status.HTTP_201_CREATED)


class CanvasDetailApi(APIView):
    @extend_schema(responses={200: CanvasDetailOutputSerializer})
    def get(self, request: Request, canvas_id: int) -> Response:
        return _canvas_detail(request, canvas_id)

    @extend_schema(request=CanvasUpdateInputSerializer, responses={200: CanvasDetailOutputSerializer})
    def patch(self, request: Request, canvas_id: int) -> Response:
        canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id)
        _require_editor(request, canvas)
        data = CanvasUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        canvas_update(user=request.user, canvas=canvas, **data.validated_data)
        return _canvas_detail(request, canvas_id)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, canvas_id: int) -> Response:
        canvas_delete(user=request.user, canvas=canvas_get_for_user(user=request.user, canvas_id=canvas_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CanvasDuplicateApi(APIView):
    class DuplicateInputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=120, required=False, default="")

    @extend_schema(request=DuplicateInputSerializer, responses={201: CanvasDetailOutputSerializer})
    def post(self, request: Request, canvas_id: int) -> Response:
        canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id)
        _require_editor(request, canvas)
        data = self.DuplicateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        copy = canvas_duplicate(user=request.user, canvas=canvas, title=data.validated_data["title"])
        return _canvas_detail(request, copy.pk, status.HTTP_201_CREATED)


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
        _require_editor(request, canvas)
        data = ItemCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = item_add(user=request.user, canvas=canvas, **data.validated_data)
        return _item_response(item, status.HTTP_201_CREATED)


class ItemDetailApi(APIView):
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
        _require_editor(request, item.canvas)
        data = ItemUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        expected = expected_version(request, fields.pop("version", None))
        try:
            return _item_response(item_update(user=request.user, item=item, expected_version=expected, **fields))
        except StaleVersion as exc:
            return _stale_response(exc)

    @extend_schema(parameters=[OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER)], responses={204: None})
    def delete(self, request: Request, item_id: int) -> Response:
        item = item_get_for_user(user=request.user, item_id=item_id)
        _require_editor(request, item.canvas)
        try:
            item_delete(user=request.user, item=item, expected_version=expected_version(request))
        except StaleVersion as exc:
            return _stale_response(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ItemMoveApi(APIView):
    @extend_schema(request=ItemMoveInputSerializer, responses={200: ItemOutputSerializer})
    def post(self, request: Request, item_id: int) -> Response:
        item = item_get_for_user(user=request.user, item_id=item_id)
        _require_editor(request, item.canvas)
        data = ItemMoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expected = expected_version(request, data.validated_data.get("version"))
        try:
            moved = item_move(
                user=request.user,
                item=item,
                block=data.validated_data["block"],
                position=data.validated_data["position"],
                expected_version=expected,
            )
        except StaleVersion as exc:
            return _stale_response(exc)
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


class VersionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    name = serializers.CharField()
    action = serializers.CharField()
    summary = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", default=None)
    created_at = serializers.DateTimeField()


class VersionNameInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    number = serializers.IntegerField(min_value=1, required=False, help_text="The version to name; the current one if left out.")


class CanvasVersionListApi(APIView):
    pagination_class = StandardPagination  # documents the page envelope and the page parameters

    @extend_schema(responses={200: VersionOutputSerializer(many=True)})
    def get(self, request: Request, canvas_id: int) -> Response:
        canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(version_list(target=canvas), request, view=self)
        return paginator.get_paginated_response(VersionOutputSerializer(page, many=True).data)

    @extend_schema(request=VersionNameInputSerializer, responses={201: VersionOutputSerializer})
    def post(self, request: Request, canvas_id: int) -> Response:
        """Name the canvas's current version."""
        canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id)
        _require_editor(request, canvas)
        data = VersionNameInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = canvas_version_name(user=request.user, canvas=canvas, **data.validated_data)
        return Response(VersionOutputSerializer(version).data, status=status.HTTP_201_CREATED)


class DiffItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    color = serializers.CharField()
    note = serializers.CharField()
    is_assumption = serializers.BooleanField()
    assumption_status = serializers.CharField()
    evidence = serializers.CharField()


class DiffChangeSerializer(serializers.Serializer):
    before = DiffItemSerializer()
    after = DiffItemSerializer()
    fields = serializers.ListField(child=serializers.CharField())


class DiffBlockSerializer(serializers.Serializer):
    key = serializers.CharField(source="group")
    name = serializers.CharField()
    added = DiffItemSerializer(many=True)
    removed = DiffItemSerializer(many=True)
    changed = DiffChangeSerializer(many=True)
    reordered = serializers.BooleanField()


class CanvasDiffSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    against = serializers.IntegerField(help_text="The other side: ?against=, or the current canvas version when none was given.")
    title = serializers.DictField()
    blocks = DiffBlockSerializer(many=True)


class CanvasVersionDiffApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("against", int, description="Id of the version to compare with (default: the canvas as it is now).")],
        responses={200: CanvasDiffSerializer},
    )
    def get(self, request: Request, canvas_id: int, version_id: int) -> Response:
        canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id)
        version = version_get(target=canvas, version_id=version_id)
        against_id = request.query_params.get("against", "")
        if against_id and not against_id.isdigit():
            raise InvalidInput("against must be a version id.", code="invalid_against")
        against = version_get(target=canvas, version_id=int(against_id)) if against_id else None
        if against is not None:  # from `against` to this version
            before, after, against_number = against.snapshot, version.snapshot, against.number
        else:  # from this version to the canvas as it is now
            before, after, against_number = version.snapshot, canvas_snapshot(canvas=canvas), canvas.version
        diff, blocks = canvas_version_diff(canvas=canvas, before=before, after=after, language=_language())
        title = {"before": diff.fields["title"][0], "after": diff.fields["title"][1]} if "title" in diff.fields else {}
        return Response(CanvasDiffSerializer({"version": version.number, "against": against_number, "title": title, "blocks": blocks}).data)


class CanvasVersionRestoreApi(APIView):
    @extend_schema(request=None, responses={200: CanvasDetailOutputSerializer})
    def post(self, request: Request, canvas_id: int, version_id: int) -> Response:
        canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id)
        _require_editor(request, canvas)
        canvas_version_restore(user=request.user, canvas=canvas, version=version_get(target=canvas, version_id=version_id))
        return _canvas_detail(request, canvas_id)


class ExportQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=list(exports.EXPORT_TYPES))
    size = serializers.ChoiceField(choices=list(exports.PAGE_SIZES), default="A4")


class CanvasExportApi(APIView):
    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={  # one media type per `format` (canvas/exports.py EXPORT_TYPES)
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request: Request, canvas_id: int) -> HttpResponse:
        canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id)
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return exports.canvas_export_response(
            canvas, export_format=query.validated_data["format"], page_size=query.validated_data["size"], language=_language()
        )


class ImportItemSerializer(serializers.Serializer):
    block = serializers.CharField(max_length=40)
    position = serializers.IntegerField(min_value=0, required=False, default=0)
    text = serializers.CharField(max_length=TEXT_MAX)
    color = serializers.ChoiceField(choices=list(PALETTE), required=False, default="yellow")
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    is_assumption = serializers.BooleanField(required=False, default=False)
    assumption_status = serializers.ChoiceField(choices=AssumptionStatus.choices, required=False, default=AssumptionStatus.UNTESTED)
    evidence = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    evidence_figure = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CanvasDocumentSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=[exports.DOCUMENT_FORMAT], required=False)
    kind = serializers.ChoiceField(choices=CanvasKind.choices)
    title = serializers.CharField(max_length=120)
    items = ImportItemSerializer(many=True, max_length=MAX_IMPORT_ITEMS)


class CanvasImportInputSerializer(serializers.Serializer):
    venture = serializers.IntegerField(min_value=1)
    document = CanvasDocumentSerializer()


class CanvasImportApi(APIView):
    @extend_schema(request=CanvasImportInputSerializer, responses={201: CanvasDetailOutputSerializer})
    def post(self, request: Request) -> Response:
        """Create a canvas from an exported JSON document: `{venture, document}`, or the document itself with a
        `venture` key added."""
        if not isinstance(request.data, dict):
            raise InvalidInput("Send a JSON object: {venture, document}.", code="invalid_document")
        body = request.data if "document" in request.data else {"venture": request.data.get("venture"), "document": request.data}
        data = CanvasImportInputSerializer(data=body)
        data.is_valid(raise_exception=True)
        venture = venture_get_for_user(user=request.user, venture_id=data.validated_data["venture"])
        canvas = canvas_import(user=request.user, venture=venture, document=data.validated_data["document"])
        return _canvas_detail(request, canvas.pk, status.HTTP_201_CREATED)
