from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis.selectors import analysis_get_for_user
from canvas.api.serializers import ItemOutputSerializer
from canvas.selectors import canvas_get_for_user
from canvas.sources import sources_check
from datasets.selectors import dataset_get_for_user
from evidence.services import analysis_to_canvas, retention_to_canvas


class AnalysisToCanvasInputSerializer(serializers.Serializer):
    canvas = serializers.IntegerField(min_value=1, help_text="A canvas of the analysis's venture.")


class AnalysisToCanvasOutputSerializer(serializers.Serializer):
    canvas = serializers.IntegerField()
    items = ItemOutputSerializer(many=True)


class AnalysisToCanvasApi(APIView):
    @extend_schema(
        request=AnalysisToCanvasInputSerializer,
        responses={201: AnalysisToCanvasOutputSerializer},
        description="Segments become Customer Segments items; a revenue forecast a Revenue Streams item. Each cites "
        "the analysis (evidence), its chart (evidence_figure) and its provenance (source). One item per finding "
        "(dataset, kind, metric and frequency or segment name): a newer run updates that item in place (its version goes up).",
    )
    def post(self, request: Request, analysis_id: int) -> Response:
        data = AnalysisToCanvasInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        analysis = analysis_get_for_user(user=request.user, analysis_id=analysis_id)
        canvas = canvas_get_for_user(user=request.user, canvas_id=data.validated_data["canvas"])
        items = analysis_to_canvas(user=request.user, analysis=analysis, canvas=canvas, language=get_language() or "en")
        sources_check(items)
        return Response(AnalysisToCanvasOutputSerializer({"canvas": canvas.pk, "items": items}).data, status=status.HTTP_201_CREATED)


class RetentionToCanvasApi(APIView):
    @extend_schema(
        request=AnalysisToCanvasInputSerializer,
        responses={201: AnalysisToCanvasOutputSerializer},
        description="The dataset's retention (the average share of a cohort still active 1, 3, 6 and 12 months after "
        "its first, those the data has; weeks for data shorter than two months) becomes one Customer Relationships item "
        "citing the dataset, with its provenance (source). Added again, it updates that item in place. 409 while the "
        "cohorts are being computed.",
    )
    def post(self, request: Request, dataset_id: int) -> Response:
        data = AnalysisToCanvasInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dataset = dataset_get_for_user(user=request.user, dataset_id=dataset_id)
        canvas = canvas_get_for_user(user=request.user, canvas_id=data.validated_data["canvas"])
        item = retention_to_canvas(user=request.user, dataset=dataset, canvas=canvas)
        sources_check([item])
        return Response(AnalysisToCanvasOutputSerializer({"canvas": canvas.pk, "items": [item]}).data, status=status.HTTP_201_CREATED)
