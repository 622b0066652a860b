"""API of the model runs: start one on a ready dataset, follow it, read its result and figures, download a segment's
members, cancel, re-run with other parameters, delete."""

import csv

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis.figures import analysis_figure
from analysis.models import Analysis
from analysis.selectors import CUSTOMER_VALUE_COLUMNS, analysis_get_for_user, analysis_list_for_user, customer_values, segment_members
from analysis.services import analysis_cancel, analysis_create, analysis_delete, analysis_rerun
from core.api.pagination import StandardPagination, paginated
from core.errors import NotFound
from core.spreadsheet import spreadsheet_safe
from datasets.selectors import dataset_get_for_user

# What the API gives of each forecast series (the stored history is for the charts: GET …/figures/forecast/).
SERIES_FIELDS = ("key", "model", "reason", "horizon", "forecast", "backtest", "notes")
MEMBER_COLUMNS = ("user_id", "segment", "rfm_segment", "recency", "frequency", "monetary")


class AnalysisOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dataset = serializers.IntegerField(source="dataset_id")
    venture = serializers.IntegerField(source="dataset.venture_id")
    kind = serializers.ChoiceField(choices=Analysis.Kind.choices)
    status = serializers.ChoiceField(choices=Analysis.Status.choices)
    progress = serializers.IntegerField(help_text="0–100")
    error = serializers.CharField()
    error_code = serializers.CharField()
    params = serializers.DictField()
    result = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(source="get_absolute_url")

    @extend_schema_field({"type": "object", "nullable": True})
    def get_result(self, analysis: Analysis) -> dict | None:
        """Forecast: {metric, frequency, horizon, notes, series: [{key, model, reason, horizon, forecast: [{ds, yhat,
        lo80, hi80, lo95, hi95}], backtest: {model: {mase, smape}}, notes}]}. Segmentation: {k, silhouette,
        stability_ari, users, segments: [{id, code, name, name_zh, size, share, revenue_share, profile}], …}.
        Lifetime value: {calibration_end, horizon_days, currency_free, model, customers, repeat_customers, totals:
        {purchases, value: {value, low, high}}, average_value, arpu, distribution, by_segment, by_channel, holdout,
        notes} (ranges are 80 %)."""
        if analysis.status != Analysis.Status.SUCCEEDED:
            return None
        if analysis.kind == Analysis.Kind.FORECAST:
            result = analysis.result
            return {**result, "series": [{key: item.get(key) for key in SERIES_FIELDS} for item in result.get("series", [])]}
        return analysis.result


class AnalysisCreateInputSerializer(serializers.Serializer):
    dataset = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=Analysis.Kind.choices)
    params = serializers.DictField(
        required=False,
        default=dict,
        help_text="forecast: {metric: orders|revenue|quantity|active_users|event_count, frequency?: D|W|M|Q|Y or day|week|month|quarter|year, horizon?, "
        "split_by?: channel|product, event? (for event_count), thorough?: bool (also try AutoARIMA: slower, see "
        "ml/forecast.py)}; segmentation: {k?: 2–10, else chosen automatically}; lifetime_value: {calibration_end?: "
        "YYYY-MM-DD within the log (default: its last day), horizon_days?: 1–1095 (default 365)}",
    )


class AnalysisRerunInputSerializer(serializers.Serializer):
    params = serializers.DictField(required=False, default=dict, help_text="Parameters to change; the others are kept.")


class AnalysisListApi(APIView):
    pagination_class = StandardPagination  # documents the page envelope and the page parameters

    @extend_schema(
        parameters=[OpenApiParameter("dataset", int), OpenApiParameter("venture", int)],
        responses={200: AnalysisOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        dataset, venture = request.query_params.get("dataset", ""), request.query_params.get("venture", "")
        analyses = analysis_list_for_user(
            user=request.user,
            dataset_id=int(dataset) if dataset.isdigit() else None,
            venture_id=int(venture) if venture.isdigit() else None,
        )
        return paginated(request, self, analyses, AnalysisOutputSerializer)

    @extend_schema(request=AnalysisCreateInputSerializer, responses={201: AnalysisOutputSerializer})
    def post(self, request: Request) -> Response:
        data = AnalysisCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dataset = dataset_get_for_user(user=request.user, dataset_id=data.validated_data["dataset"])
        analysis = analysis_create(
            user=request.user, dataset=dataset, kind=data.validated_data["kind"], params=data.validated_data["params"]
        )
        return Response(AnalysisOutputSerializer(analysis).data, status=status.HTTP_201_CREATED)


class AnalysisDetailApi(APIView):
    @extend_schema(responses={200: AnalysisOutputSerializer})
    def get(self, request: Request, analysis_id: int) -> Response:
        return Response(AnalysisOutputSerializer(analysis_get_for_user(user=request.user, analysis_id=analysis_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, analysis_id: int) -> Response:
        analysis_delete(user=request.user, analysis=analysis_get_for_user(user=request.user, analysis_id=analysis_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnalysisCancelApi(APIView):
    @extend_schema(request=None, responses={200: AnalysisOutputSerializer})
    def post(self, request: Request, analysis_id: int) -> Response:
        analysis = analysis_cancel(user=request.user, analysis=analysis_get_for_user(user=request.user, analysis_id=analysis_id))
        return Response(AnalysisOutputSerializer(analysis).data)


class AnalysisRerunApi(APIView):
    @extend_schema(request=AnalysisRerunInputSerializer, responses={201: AnalysisOutputSerializer})
    def post(self, request: Request, analysis_id: int) -> Response:
        data = AnalysisRerunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        earlier = analysis_get_for_user(user=request.user, analysis_id=analysis_id)
        analysis = analysis_rerun(user=request.user, analysis=earlier, params=data.validated_data["params"])
        return Response(AnalysisOutputSerializer(analysis).data, status=status.HTTP_201_CREATED)


class AnalysisFigureApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("series", str, description="forecast: which series (default: the first)")],
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
        description="A Plotly figure as JSON: forecast → `forecast`; segmentation → `segments`, `scatter`, `profiles`.",
    )
    def get(self, request: Request, analysis_id: int, name: str) -> HttpResponse:
        analysis = analysis_get_for_user(user=request.user, analysis_id=analysis_id)
        figure = analysis_figure(analysis, name, series_key=request.query_params.get("series"), language=get_language() or "en")
        return HttpResponse(figure.to_json(), content_type="application/json")


class _Echo:
    """A file-like that hands back what csv.writer writes, for streaming."""

    def write(self, value: str) -> str:
        return value


class SegmentMembersCsvApi(APIView):
    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY}, description="The customers of one segment as CSV.")
    def get(self, request: Request, analysis_id: int, segment_id: int) -> StreamingHttpResponse:
        analysis = analysis_get_for_user(user=request.user, analysis_id=analysis_id)
        names = {segment["id"]: segment["name"] for segment in (analysis.result or {}).get("segments", [])}
        if segment_id not in names:
            raise NotFound()
        members = segment_members(analysis, segment_id)
        writer = csv.writer(_Echo())

        def rows() -> object:
            yield "\ufeff"  # BOM: Excel then reads UTF-8
            yield writer.writerow(MEMBER_COLUMNS)
            for record in members.itertuples(index=False):
                row = (record.user_id, names[segment_id], record.rfm_segment, record.recency, record.frequency, record.monetary)
                yield writer.writerow([spreadsheet_safe(cell) for cell in row])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="analysis-{analysis.pk}-segment-{segment_id}.csv"'
        return response


class CustomerValuesCsvApi(APIView):
    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
        description="A lifetime value run's customers as CSV: " + ", ".join(CUSTOMER_VALUE_COLUMNS) + " (streamed).",
    )
    def get(self, request: Request, analysis_id: int) -> StreamingHttpResponse:
        analysis = analysis_get_for_user(user=request.user, analysis_id=analysis_id)
        batches = customer_values(analysis)
        writer = csv.writer(_Echo())

        def rows() -> object:
            yield "\ufeff"  # BOM: Excel then reads UTF-8
            yield writer.writerow(CUSTOMER_VALUE_COLUMNS)
            for batch in batches:
                batch = batch.round({"predicted_purchases": 4, "probability_active": 4, "predicted_value": 2})
                for record in batch.itertuples(index=False):
                    yield writer.writerow([spreadsheet_safe(cell) for cell in record])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="analysis-{analysis.pk}-customers.csv"'
        return response
