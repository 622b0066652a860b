"""The strategy API: one list/detail pair of views serves every resource of strategy/resources.py."""

from django.db.models import Model
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import StandardPagination, paginated
from core.api.versioning import VersionedApiView, expected_version, with_etag
from core.errors import InvalidInput
from history.api import VersionOutputSerializer, version_filter_parameters, version_filters
from history.diff import snapshot_diff
from history.models import Version
from history.selectors import version_get, version_list
from strategy import labels
from strategy.models import StrategyView, ViewChange
from strategy.resources import RESOURCES, Resource
from strategy.selectors import FIGURE_KINDS, five_forces_summary, row_get_for_user, rows_for_user, venture_figure, view_snapshot
from strategy.services import row_create, row_delete, row_update, strategy_edit_require, view_restore
from ventures.selectors import venture_get_for_user

FOREIGN_KEYS = {"first_id": "first", "second_id": "second", "owner_id": "owner"}


def _serializer(resource: Resource, *, output: bool) -> type[serializers.ModelSerializer]:
    """A serializer for one resource: the editable fields (foreign keys as ids), plus id, version and timestamps."""
    model_fields = [FOREIGN_KEYS.get(name, name) for name in resource.fields]
    # Fields without a default are required to create a row (PATCH validates partially anyway).
    extra = {name: {"required": False} for name in model_fields if _has_default(resource, name)}
    meta = type(
        "Meta",
        (),
        {
            "model": resource.model,
            "fields": ["id", "version", *model_fields, "created_at", "updated_at"],
            "read_only_fields": ["id", "created_at", "updated_at"],
            "extra_kwargs": extra,
        },
    )
    attrs: dict[str, object] = {"Meta": meta}
    if not output:
        attrs["version"] = serializers.IntegerField(min_value=1, required=False, help_text='Or send If-Match: "<version>".')
        for fk in ("first", "second", "owner"):
            if fk in model_fields:
                attrs[fk] = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    name = "".join(part.title() for part in resource.key.split("_")) + ("Output" if output else "Input") + "Serializer"
    return type(name, (serializers.ModelSerializer,), attrs)


def _has_default(resource: Resource, name: str) -> bool:
    field = resource.model._meta.get_field(name)
    return field.has_default() or field.blank or field.null


SERIALIZERS = {key: (_serializer(resource, output=False), _serializer(resource, output=True)) for key, resource in RESOURCES.items()}


def _service_fields(resource: Resource, data: dict) -> dict:
    fields = {}
    for name in resource.fields:
        source = FOREIGN_KEYS.get(name, name)
        if source in data:
            fields[name] = data[source]
    return fields


class ResourceApiMixin:
    resource: Resource = None  # type: ignore[assignment]  # set by resource_views(); as_view() needs the attribute

    def input_serializer(self, **kwargs: object) -> serializers.ModelSerializer:
        return SERIALIZERS[self.resource.key][0](**kwargs)

    def output(self, row: Model, status_code: int = status.HTTP_200_OK) -> Response:
        return with_etag(Response(self.current_data(row), status=status_code), row)

    def current_data(self, current: Model) -> dict:
        return SERIALIZERS[self.resource.key][1](current).data


class RowListApi(ResourceApiMixin, APIView):
    pagination_class = StandardPagination  # documents the page envelope and the page parameters

    def get(self, request: Request, venture_id: int) -> Response:
        rows = rows_for_user(user=request.user, venture_id=venture_id, resource=self.resource).order_by("pk")
        return paginated(request, self, rows, SERIALIZERS[self.resource.key][1])

    def post(self, request: Request, venture_id: int) -> Response:
        venture = venture_get_for_user(user=request.user, venture_id=venture_id)
        strategy_edit_require(user=request.user, venture=venture)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = row_create(user=request.user, venture=venture, resource=self.resource, **_service_fields(self.resource, data.validated_data))
        return self.output(row, status.HTTP_201_CREATED)


class RowDetailApi(ResourceApiMixin, VersionedApiView):
    def get(self, request: Request, venture_id: int, row_id: int) -> Response:
        return self.output(row_get_for_user(user=request.user, venture_id=venture_id, resource=self.resource, row_id=row_id))

    def patch(self, request: Request, venture_id: int, row_id: int) -> Response:
        row = row_get_for_user(user=request.user, venture_id=venture_id, resource=self.resource, row_id=row_id)
        strategy_edit_require(user=request.user, venture=row.venture)
        data = self.input_serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        expected = expected_version(request, data.validated_data.get("version"))
        row = row_update(
            user=request.user,
            row=row,
            resource=self.resource,
            expected_version=expected,
            **_service_fields(self.resource, data.validated_data),
        )
        return self.output(row)

    def delete(self, request: Request, venture_id: int, row_id: int) -> Response:
        row = row_get_for_user(user=request.user, venture_id=venture_id, resource=self.resource, row_id=row_id)
        strategy_edit_require(user=request.user, venture=row.venture)
        row_delete(user=request.user, row=row, resource=self.resource, expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FigureApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(FIGURE_KINDS))],
        responses={200: OpenApiTypes.OBJECT, 204: None},
    )
    def get(self, request: Request, venture_id: int, kind: str) -> HttpResponse:
        """The Plotly figure JSON of one view (data aggregated on the server); 204 while the view has nothing to draw."""
        venture = venture_get_for_user(user=request.user, venture_id=venture_id)
        if kind not in FIGURE_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(FIGURE_KINDS)}.", code="invalid_kind")
        figure = venture_figure(venture=venture, kind=kind, language=translation.get_language())
        if figure is None:
            return HttpResponse(status=status.HTTP_204_NO_CONTENT)
        return HttpResponse(figure.to_json(), content_type="application/json")


class FiveForcesScoresApi(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, venture_id: int) -> Response:
        """Each force's score (weighted mean of its drivers, competitors included) and the industry's attractiveness."""
        scores, attractiveness = five_forces_summary(venture=venture_get_for_user(user=request.user, venture_id=venture_id))
        return Response({"scores": scores, "mean_force": attractiveness.mean_force, "attractiveness": attractiveness.level})


class ViewVersionListApi(APIView):
    pagination_class = StandardPagination  # documents the page envelope and the page parameters

    @extend_schema(parameters=version_filter_parameters(ViewChange.values), responses={200: VersionOutputSerializer(many=True)})
    def get(self, request: Request, venture_id: int, kind: str) -> Response:
        """The view's versions, newest first; `author` and `change` (a kind of change) filter them."""
        view = _view(request, venture_id, kind)
        versions = version_list(target=view, **version_filters(request)) if view.pk else Version.objects.none()
        return paginated(request, self, versions, VersionOutputSerializer)


class ViewVersionDiffApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("against", int, description="Version id to compare from (default: this version → now).")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, venture_id: int, kind: str, version_id: int) -> Response:
        view = _view(request, venture_id, kind)
        version = version_get(target=view, version_id=version_id)
        against_id = request.query_params.get("against", "")
        if against_id and not against_id.isdigit():
            raise InvalidInput("against must be a version id.", code="invalid_against")
        if against_id:
            before, after = version_get(target=view, version_id=int(against_id)).snapshot, version.snapshot
        else:
            before, after = version.snapshot, view_snapshot(view=view)
        diff = snapshot_diff(before, after)
        groups = [
            {
                "group": g.group,
                "added": g.added,
                "removed": g.removed,
                "changed": [
                    {
                        "before": c.before,
                        "after": c.after,
                        "fields": c.fields,
                        "values": [{"field": name, "before": old, "after": new} for name, old, new in c.values],
                    }
                    for c in g.changed
                ],
            }
            for g in diff.groups
        ]
        return Response({"version": version.number, "groups": groups})


class ViewVersionRestoreApi(APIView):
    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, venture_id: int, kind: str, version_id: int) -> Response:
        view = _view(request, venture_id, kind)
        restored = view_restore(user=request.user, venture=view.venture, kind=kind, version=version_get(target=view, version_id=version_id))
        return Response({"kind": kind, "version": restored.version})


def _view(request: Request, venture_id: int, kind: str) -> StrategyView:
    """The view's history container; not created by a read (an unsaved one has no versions yet)."""
    venture = venture_get_for_user(user=request.user, venture_id=venture_id)
    if kind not in {label.key for label in labels.VIEWS}:
        raise InvalidInput("Unknown view.", code="invalid_kind")
    return StrategyView.objects.filter(venture=venture, kind=kind).first() or StrategyView(venture=venture, kind=kind)


def resource_views(resource: Resource) -> tuple[type[APIView], type[APIView]]:
    """The list and detail API views of one resource, with their schema (serializers, operation ids)."""
    source, output = SERIALIZERS[resource.key]
    version = OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The row version you edited.")
    name = "".join(part.title() for part in resource.key.split("_"))
    list_view = extend_schema_view(
        get=extend_schema(operation_id=f"{resource.key}_list", responses={200: output(many=True)}),
        post=extend_schema(operation_id=f"{resource.key}_create", request=source, responses={201: output}),
    )(type(f"{name}ListApi", (RowListApi,), {"resource": resource}))
    detail_view = extend_schema_view(
        get=extend_schema(operation_id=f"{resource.key}_retrieve", responses={200: output}),
        patch=extend_schema(
            operation_id=f"{resource.key}_update", request=source, parameters=[version], responses={200: output, 409: OpenApiTypes.OBJECT}
        ),
        delete=extend_schema(operation_id=f"{resource.key}_delete", parameters=[version], responses={204: None, 409: OpenApiTypes.OBJECT}),
    )(type(f"{name}DetailApi", (RowDetailApi,), {"resource": resource}))
    return list_view, detail_view
