import dataclasses
import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import StandardPagination, paginated
from core.errors import Conflict, DomainError, InvalidInput
from datasets.models import Dataset
from datasets.selectors import CohortsPending, dataset_cohorts, dataset_get_for_user, dataset_list_for_user
from datasets.services import dataset_cancel, dataset_delete, dataset_ingest_start, dataset_sniff, dataset_upload
from datasets.uploads import SizeLimitedUploadHandler
from ingest.cohorts import PERIODS, CohortTable
from ingest.encodings import codec_name
from ingest.sniffing import REQUIRED_ROLES, ROLES
from ventures.selectors import venture_get_for_user

DATE_ORDERS = ["", "day_first", "month_first"]


class TooLarge(DomainError):
    status_code = 413
    code = "too_large"


class DatasetOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    venture = serializers.IntegerField(source="venture_id")
    name = serializers.CharField()
    original_name = serializers.CharField()
    size_bytes = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Dataset.Status.choices)
    progress = serializers.IntegerField()
    rows_processed = serializers.IntegerField()
    error = serializers.CharField()
    error_code = serializers.CharField()
    detected = serializers.SerializerMethodField()
    mapping = serializers.DictField(child=serializers.CharField())
    keep_extra_columns = serializers.BooleanField()
    report = serializers.DictField()
    created_at = serializers.DateTimeField()

    def get_detected(self, dataset: Dataset) -> dict:
        return detected_public(dataset, ("encoding", "encodings", "delimiter", "decimal", "date_order", "columns"))


def detected_public(dataset: Dataset, keys: tuple[str, ...]) -> dict:
    """What the sniff found, as the API shows it: `date_format` stays beside `date_order` for existing clients."""
    shown = {key: dataset.detected.get(key) for key in keys}
    return {**shown, "date_format": shown.get("date_order")}


class MappingField(serializers.JSONField):
    """A JSON object role → column name (multipart forms send it as a JSON string)."""

    def to_internal_value(self, data: object) -> dict:
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                raise serializers.ValidationError(_("Send the mapping as a JSON object.")) from exc
        if not isinstance(data, dict) or not all(isinstance(value, str) for value in data.values()):
            raise serializers.ValidationError(_("Send the mapping as a JSON object of role → column name."))
        unknown = set(data) - set(ROLES)
        if unknown:
            raise serializers.ValidationError(_("Unknown roles: %(roles)s.") % {"roles": ", ".join(sorted(unknown))})
        return data


class EncodingField(serializers.CharField):
    """A text encoding Python knows ("gb18030", "GBK", "cp1252", "utf-16-le"), as Python names it."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("help_text", "The file's text encoding, overriding the one detected (a Python codec name).")
        super().__init__(max_length=40, **kwargs)

    def to_internal_value(self, data: object) -> str:
        name = codec_name(super().to_internal_value(data))
        if name is None:
            raise serializers.ValidationError(
                _("Unknown encoding “%(name)s”: use a name such as utf-8, gb18030, big5, cp1252 or utf-16.") % {"name": data}
            )
        return name


class DatasetUploadInputSerializer(serializers.Serializer):
    venture = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=120, required=False, default="")
    file = serializers.FileField()
    mapping = MappingField(required=False)
    auto_ingest = serializers.BooleanField(required=False, allow_null=True, default=None)
    keep_extra_columns = serializers.BooleanField(required=False, default=False)
    encoding = EncodingField(required=False)


class PreviewInputSerializer(serializers.Serializer):
    encoding = EncodingField(required=False)


class IngestInputSerializer(serializers.Serializer):
    mapping = MappingField()
    date_order = serializers.ChoiceField(choices=DATE_ORDERS, required=False)
    date_format = serializers.ChoiceField(choices=DATE_ORDERS, required=False, help_text="The former name of date_order.")
    keep_extra_columns = serializers.BooleanField(required=False, allow_null=True, default=None)
    encoding = EncodingField(required=False)

    def validate(self, attrs: dict) -> dict:
        if "date_format" in attrs:
            attrs.setdefault("date_order", attrs.pop("date_format"))
        return attrs


def _too_large(request: Request) -> TooLarge:
    from django.conf import settings

    limit = settings.DATASET_MAX_UPLOAD_BYTES
    return TooLarge(_("The file is larger than the limit of %(limit)s bytes (%(mb)d MB).") % {"limit": limit, "mb": limit // 1024**2})


class DatasetListApi(APIView):
    pagination_class = StandardPagination  # documents the page envelope and the page parameters
    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        # Before anything reads the body: stream uploads to disk and stop at the size limit.
        request._request.upload_handlers = [SizeLimitedUploadHandler(request._request)]
        super().initial(request, *args, **kwargs)

    @extend_schema(parameters=[OpenApiParameter("venture", int)], responses={200: DatasetOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        venture = request.query_params.get("venture", "")
        datasets = dataset_list_for_user(user=request.user, venture_id=int(venture) if venture.isdigit() else None)
        return paginated(request, self, datasets, DatasetOutputSerializer)

    @extend_schema(request={"multipart/form-data": DatasetUploadInputSerializer}, responses={201: DatasetOutputSerializer})
    def post(self, request: Request) -> Response:
        from django.conf import settings

        if int(request.META.get("CONTENT_LENGTH") or 0) > settings.DATASET_MAX_UPLOAD_BYTES + 64 * 1024:
            raise _too_large(request)
        data = DatasetUploadInputSerializer(data=request.data)
        if getattr(request._request, "upload_too_large", False):
            raise _too_large(request)
        data.is_valid(raise_exception=True)
        venture = venture_get_for_user(user=request.user, venture_id=data.validated_data["venture"])
        fields = data.validated_data
        auto_ingest = fields["auto_ingest"] if fields["auto_ingest"] is not None else "mapping" in fields
        dataset = dataset_upload(
            user=request.user,
            venture=venture,
            name=fields["name"],
            upload=fields["file"],
            mapping=fields.get("mapping"),
            auto_ingest=auto_ingest,
            keep_extra_columns=fields["keep_extra_columns"],
            encoding=fields.get("encoding"),
        )
        return Response(DatasetOutputSerializer(dataset).data, status=status.HTTP_201_CREATED)


class DatasetDetailApi(APIView):
    @extend_schema(responses={200: DatasetOutputSerializer})
    def get(self, request: Request, dataset_id: int) -> Response:
        return Response(DatasetOutputSerializer(dataset_get_for_user(user=request.user, dataset_id=dataset_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, dataset_id: int) -> Response:
        dataset_delete(user=request.user, dataset=dataset_get_for_user(user=request.user, dataset_id=dataset_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DatasetPreviewApi(APIView):
    @extend_schema(parameters=[PreviewInputSerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, dataset_id: int) -> Response:
        """What the file looks like: detected encoding, delimiter, decimal separator, date order, columns, the first
        rows as parsed, the proposed (or chosen) column mapping, and the encodings that decode the file's start.
        With `encoding`, the file read in that encoding (nothing is saved) and the mapping proposed for it."""
        dataset = dataset_get_for_user(user=request.user, dataset_id=dataset_id)
        query = PreviewInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        encoding = query.validated_data.get("encoding")
        roles = {"roles": list(ROLES), "required": list(REQUIRED_ROLES)}
        if encoding is None or encoding == dataset.detected.get("encoding"):
            detected = detected_public(dataset, tuple(dataset.detected))
            return Response({"encodings": [detected.get("encoding")], **detected, "mapping": dataset.mapping, **roles})
        found = dataset_sniff(dataset=dataset, encoding=encoding)
        shown = {key: value for key, value in dataclasses.asdict(found).items()}
        return Response({**shown, "date_format": found.date_order, **roles})


class DatasetIngestApi(APIView):
    @extend_schema(request=IngestInputSerializer, responses={202: DatasetOutputSerializer})
    def post(self, request: Request, dataset_id: int) -> Response:
        dataset = dataset_get_for_user(user=request.user, dataset_id=dataset_id)
        data = IngestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dataset = dataset_ingest_start(user=request.user, dataset=dataset, **data.validated_data)
        return Response(DatasetOutputSerializer(dataset).data, status=status.HTTP_202_ACCEPTED)


class DatasetCancelApi(APIView):
    @extend_schema(request=None, responses={200: DatasetOutputSerializer})
    def post(self, request: Request, dataset_id: int) -> Response:
        dataset = dataset_cancel(user=request.user, dataset=dataset_get_for_user(user=request.user, dataset_id=dataset_id))
        return Response(DatasetOutputSerializer(dataset).data)


MEASURES = ("active", "revenue")


class CohortsInputSerializer(serializers.Serializer):
    period = serializers.ChoiceField(
        choices=PERIODS, default="month", error_messages={"invalid_choice": _("The period must be week or month.")}
    )
    measure = serializers.ChoiceField(
        choices=MEASURES, default="active", error_messages={"invalid_choice": _("The measure must be active or revenue.")}
    )


class CohortSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="The period's first day: a Monday, or the 1st of a month.")
    size = serializers.IntegerField(help_text="Customers whose first event fell in the period.")
    values = serializers.ListField(
        child=serializers.FloatField(),
        help_text="At each age 0..n periods: the share of the cohort active (0–1), or the revenue per original customer.",
    )
    sizes_by_channel = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        help_text="The cohort's size by the channel of each customer's first event (`null`: without one). "
        "Only when the dataset has a channel column.",
    )


class CohortsOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ready"], help_text="Always ready here (a 202 answers the other states).")
    period = serializers.ChoiceField(choices=PERIODS)
    measure = serializers.ChoiceField(choices=MEASURES)
    cohorts = CohortSerializer(many=True, help_text="Oldest first.")
    average = serializers.ListField(
        child=serializers.FloatField(),
        help_text="The values at each age averaged over the cohorts that have it whole, weighted by size "
        "(without each cohort's last value when `partial_last`).",
    )
    average_customers = serializers.ListField(
        child=serializers.IntegerField(), help_text="How many customers each value of `average` rests on."
    )
    average_cohorts = serializers.ListField(
        child=serializers.IntegerField(), help_text="How many cohorts each value of `average` rests on."
    )
    last_day = serializers.DateField(allow_null=True, help_text="The day of the data's last event.")
    partial_last = serializers.BooleanField(
        help_text="Whether the data ends before the last day of its last period: each cohort's last value then covers "
        "only part of a period (kept in `values`, left out of `average`)."
    )


class CohortsPendingSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["queued", "running"])
    progress = serializers.IntegerField(help_text="0–99.")


def cohorts_body(table: CohortTable, measure: str) -> dict:
    """The API's shape of one period's cohorts: `values` are the curve of `measure`."""
    cohorts = []
    for cohort in table.cohorts:
        shown: dict = {"start": cohort.start, "size": cohort.size, "values": getattr(cohort, measure)}
        if cohort.size_by_channel is not None:
            shown["sizes_by_channel"] = {"null" if name is None else name: size for name, size in cohort.size_by_channel.items()}
        cohorts.append(shown)
    average = table.average_active if measure == "active" else table.average_revenue
    return {
        "status": "ready",
        "period": table.period,
        "measure": measure,
        "cohorts": cohorts,
        "average": average,
        "average_customers": table.average_customers,
        "average_cohorts": table.average_cohorts,
        "last_day": table.last_day,
        "partial_last": table.partial_last,
    }


class DatasetCohortsApi(APIView):
    @extend_schema(
        parameters=[CohortsInputSerializer],
        responses={
            200: CohortsOutputSerializer,
            202: OpenApiResponse(CohortsPendingSerializer, description="Being computed on the worker: ask again."),
            400: OpenApiResponse(description="A bad period or measure, or revenue of a dataset without an amount column."),
            404: OpenApiResponse(description="No such dataset among the user's teams."),
            409: OpenApiResponse(
                description="The dataset is not ready, or computing its cohorts failed (`status` failed, `detail` says why)."
            ),
        },
    )
    def get(self, request: Request, dataset_id: int) -> Response:
        """Retention cohorts: customers by the week (from Monday) or month of their first event, and for each cohort
        its size and, at each age, the share still active (any event in that period) or the revenue per original
        customer. Computed with the dataset's ingest; for a dataset ingested before, the first request queues the
        computation and answers 202 with its progress until it is ready."""
        dataset = dataset_get_for_user(user=request.user, dataset_id=dataset_id)
        query = CohortsInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period, measure = query.validated_data["period"], query.validated_data["measure"]
        if measure == "revenue" and "amount" not in dataset.mapping:
            raise InvalidInput(_("This dataset has no amount column: map one to “amount” and ingest it again."), code="no_amount")
        table = dataset_cohorts(user=request.user, dataset=dataset, period=period)
        if isinstance(table, CohortsPending):
            if table.status == "failed":
                raise Conflict(table.error, code="cohorts_failed", data={"status": "failed"})
            return Response(CohortsPendingSerializer(table).data, status=status.HTTP_202_ACCEPTED)
        return Response(CohortsOutputSerializer(cohorts_body(table, measure)).data)
