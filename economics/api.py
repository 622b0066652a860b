from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import StandardPagination, paginated
from core.errors import NotFound
from economics.models import MarketingSpend
from economics.selectors import spend_get_for_user, spend_list_for_user
from economics.services import spend_create, spend_delete, spend_edit_require, spend_import, spend_update
from ventures.selectors import venture_get_for_user


class SpendOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    venture = serializers.IntegerField(source="venture_id")
    month = serializers.DateField(format="%Y-%m", help_text="YYYY-MM")
    channel = serializers.CharField()
    spend = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="In the venture's currency.")
    updated_at = serializers.DateTimeField()


class SpendInputSerializer(serializers.Serializer):
    # Checked by the service (one set of rules for the page, the API and the CSV): text in, reasons out.
    month = serializers.CharField(max_length=10, help_text="YYYY-MM (a day, YYYY-MM-DD, is taken as its month).")
    channel = serializers.CharField(max_length=100, help_text="As the data names it (e.g. the channel column's values).")
    spend = serializers.CharField(max_length=20, help_text="A non-negative amount in the venture's currency.")


class SpendUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV: month, channel, spend (a header line is optional).")


class SpendRejectSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    reason = serializers.CharField()


class SpendUploadOutputSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = SpendRejectSerializer(many=True)


class SpendListApi(APIView):
    pagination_class = StandardPagination

    @extend_schema(responses={200: SpendOutputSerializer(many=True)})
    def get(self, request: Request, venture_id: int) -> Response:
        venture_get_for_user(user=request.user, venture_id=venture_id)  # another team's venture: 404
        return paginated(request, self, spend_list_for_user(user=request.user, venture_id=venture_id), SpendOutputSerializer)

    @extend_schema(request=SpendInputSerializer, responses={201: SpendOutputSerializer})
    def post(self, request: Request, venture_id: int) -> Response:
        venture = venture_get_for_user(user=request.user, venture_id=venture_id)
        spend_edit_require(user=request.user, venture=venture)
        data = SpendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = spend_create(user=request.user, venture=venture, **data.validated_data)
        return Response(SpendOutputSerializer(row).data, status=status.HTTP_201_CREATED)


class SpendDetailApi(APIView):
    def _row(self, request: Request, venture_id: int, spend_id: int) -> MarketingSpend:
        """The row, if it is of this venture and the user's team's: 404 otherwise."""
        row = spend_get_for_user(user=request.user, spend_id=spend_id)
        if row.venture_id != venture_id:
            raise NotFound()
        return row

    @extend_schema(responses={200: SpendOutputSerializer})
    def get(self, request: Request, venture_id: int, spend_id: int) -> Response:
        return Response(SpendOutputSerializer(self._row(request, venture_id, spend_id)).data)

    @extend_schema(request=SpendInputSerializer(partial=True), responses={200: SpendOutputSerializer})
    def patch(self, request: Request, venture_id: int, spend_id: int) -> Response:
        row = self._row(request, venture_id, spend_id)
        spend_edit_require(user=request.user, venture=row.venture)
        data = SpendInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(SpendOutputSerializer(spend_update(user=request.user, row=row, **data.validated_data)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, venture_id: int, spend_id: int) -> Response:
        spend_delete(user=request.user, row=self._row(request, venture_id, spend_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SpendUploadApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=SpendUploadSerializer, responses={200: SpendUploadOutputSerializer})
    def post(self, request: Request, venture_id: int) -> Response:
        """Keep every good line, report every other with its line number; one transaction."""
        venture = venture_get_for_user(user=request.user, venture_id=venture_id)
        spend_edit_require(user=request.user, venture=venture)
        data = SpendUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = spend_import(user=request.user, venture=venture, content=data.validated_data["file"].read(2_000_000))
        body = {
            "added": result.added,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": [{"line": line, "reason": reason} for line, reason in result.rejected],
        }
        return Response(SpendUploadOutputSerializer(body).data)
