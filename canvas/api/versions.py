"""A canvas's history: its versions, naming one, the difference between two, restoring one."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from canvas.api.canvases import canvas_detail_response
from canvas.api.serializers import CanvasDetailOutputSerializer, request_language
from canvas.models import CanvasChange
from canvas.selectors import canvas_get_for_user, canvas_snapshot, canvas_version_diff
from canvas.services import canvas_edit_require, canvas_version_name, canvas_version_restore
from core.api.pagination import StandardPagination, paginated
from core.errors import InvalidInput
from history.api import VersionOutputSerializer, version_filter_parameters, version_filters
from history.selectors import version_get, version_list


class VersionNameInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    number = serializers.IntegerField(min_value=1, required=False, help_text="The version to name; the current one if left out.")


class CanvasVersionListApi(APIView):
    pagination_class = StandardPagination  # documents the page envelope and the page parameters

    @extend_schema(parameters=version_filter_parameters(CanvasChange.values), responses={200: VersionOutputSerializer(many=True)})
    def get(self, request: Request, canvas_id: int) -> Response:
        """The canvas's versions, newest first; `author` and `change` (a kind of change) filter them."""
        canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id)
        return paginated(request, self, version_list(target=canvas, **version_filters(request)), VersionOutputSerializer)

    @extend_schema(request=VersionNameInputSerializer, responses={201: VersionOutputSerializer})
    def post(self, request: Request, canvas_id: int) -> Response:
        """Name the canvas's current version."""
        canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id)
        canvas_edit_require(user=request.user, canvas=canvas)
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


class DiffValueSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()


class DiffChangeSerializer(serializers.Serializer):
    before = DiffItemSerializer()
    after = DiffItemSerializer()
    fields = serializers.ListField(child=serializers.CharField())
    values = DiffValueSerializer(many=True, help_text="Each changed field from its old value to its new one (group: the block).")


class DiffMoveSerializer(serializers.Serializer):
    item = DiffItemSerializer()
    before = serializers.IntegerField(help_text="Its position in the block, from 1.")
    after = serializers.IntegerField()


class DiffBlockSerializer(serializers.Serializer):
    key = serializers.CharField(source="group")
    name = serializers.CharField()
    added = DiffItemSerializer(many=True)
    removed = DiffItemSerializer(many=True)
    changed = DiffChangeSerializer(many=True)
    moved = DiffMoveSerializer(many=True, help_text="The fewest notes whose moves within the block explain its new order.")
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
        diff, blocks = canvas_version_diff(canvas=canvas, before=before, after=after, language=request_language())
        title = {"before": diff.fields["title"][0], "after": diff.fields["title"][1]} if "title" in diff.fields else {}
        return Response(CanvasDiffSerializer({"version": version.number, "against": against_number, "title": title, "blocks": blocks}).data)


class CanvasVersionRestoreApi(APIView):
    @extend_schema(request=None, responses={200: CanvasDetailOutputSerializer})
    def post(self, request: Request, canvas_id: int, version_id: int) -> Response:
        canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id)
        canvas_edit_require(user=request.user, canvas=canvas)
        canvas_version_restore(user=request.user, canvas=canvas, version=version_get(target=canvas, version_id=version_id))
        return canvas_detail_response(request, canvas_id)
