"""Canvases: list, create, read, change, delete, duplicate, export, import. Changes ask `canvas_edit_require` before
validating the body, so a viewer gets 403 whatever they send."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from canvas import exports
from canvas.api.serializers import CanvasDetailOutputSerializer, CanvasDocumentSerializer, CanvasOutputSerializer, request_language
from canvas.models import CanvasKind
from canvas.selectors import canvas_get_for_user, canvas_list_for_user
from canvas.services import canvas_create, canvas_delete, canvas_duplicate, canvas_edit_require, canvas_import, canvas_update
from core.api.pagination import StandardPagination, paginated
from core.errors import InvalidInput
from ventures.selectors import venture_get_for_user


def canvas_detail_response(request: Request, canvas_id: int, status_code: int = status.HTTP_200_OK) -> Response:
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
        return paginated(request, self, canvases, CanvasOutputSerializer)

    @extend_schema(request=CanvasCreateInputSerializer, responses={201: CanvasDetailOutputSerializer})
    def post(self, request: Request) -> Response:
        data = CanvasCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        venture = venture_get_for_user(user=request.user, venture_id=data.validated_data["venture"])
        canvas = canvas_create(user=request.user, venture=venture, kind=data.validated_data["kind"], title=data.validated_data["title"])
        return canvas_detail_response(request, canvas.pk, status.HTTP_201_CREATED)


class CanvasDetailApi(APIView):
    @extend_schema(responses={200: CanvasDetailOutputSerializer})
    def get(self, request: Request, canvas_id: int) -> Response:
        return canvas_detail_response(request, canvas_id)

    @extend_schema(request=CanvasUpdateInputSerializer, responses={200: CanvasDetailOutputSerializer})
    def patch(self, request: Request, canvas_id: int) -> Response:
        canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id)
        canvas_edit_require(user=request.user, canvas=canvas)
        data = CanvasUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        canvas_update(user=request.user, canvas=canvas, **data.validated_data)
        return canvas_detail_response(request, canvas_id)

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
        canvas_edit_require(user=request.user, canvas=canvas)
        data = self.DuplicateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        copy = canvas_duplicate(user=request.user, canvas=canvas, title=data.validated_data["title"])
        return canvas_detail_response(request, copy.pk, status.HTTP_201_CREATED)


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
            canvas, export_format=query.validated_data["format"], page_size=query.validated_data["size"], language=request_language()
        )


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
        return canvas_detail_response(request, canvas.pk, status.HTTP_201_CREATED)
