"""The dashboard API: a venture's layout, and share links (the token is in the answer to the POST that creates the
link, and nowhere else, ever)."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis.selectors import analysis_get_for_user
from canvas.selectors import canvas_get_for_user
from core.api.pagination import StandardPagination, paginated
from core.errors import InvalidInput
from dashboards.bindings import Bound
from dashboards.models import Dashboard, ShareLink, ShareMode
from dashboards.panels import PANELS
from dashboards.selectors import (
    dashboard_bindings,
    dashboard_get_for_user,
    dashboard_offers,
    share_link_get_for_user,
    share_link_list_for_user,
)
from dashboards.services import UNSET, dashboard_layout_save, share_link_create, share_link_revoke
from datasets.selectors import dataset_get_for_user
from ventures.selectors import venture_get_for_user


class PanelSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()


class BoundSerializer(serializers.Serializer):
    dataset = serializers.IntegerField(allow_null=True, help_text="The dataset shown (null: none).")
    analysis = serializers.IntegerField(allow_null=True, help_text="The model run shown (null: none).")
    run_at = serializers.DateTimeField(allow_null=True, help_text="When that dataset was ingested / that run finished (the later).")


class BindingSerializer(BoundSerializer):
    panel = serializers.CharField()
    pinned = serializers.BooleanField(help_text="False until the dashboard is first saved or shared: it then shows the newest.")
    newer = BoundSerializer(allow_null=True, help_text="A newer dataset or run the panel could update to (null: none).")


class DashboardOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="venture_id", help_text="The dashboard's id: its venture's id (one dashboard per venture).")
    venture = serializers.IntegerField(source="venture_id")
    layout = serializers.ListField(child=serializers.CharField(), help_text="Panel keys, in the order they appear.")
    canvas = serializers.IntegerField(source="canvas_id", allow_null=True, help_text="The canvas shown; null: the latest one.")
    panels = serializers.SerializerMethodField(help_text="Every panel a layout may list.")
    version = serializers.IntegerField(help_text="0 until the layout is first saved.")
    updated_at = serializers.DateTimeField(allow_null=True)
    bindings = serializers.SerializerMethodField(help_text="What each data panel of the layout shows; it changes only when saved.")

    @extend_schema_field(BindingSerializer(many=True))
    def get_bindings(self, dashboard: Dashboard) -> list[dict]:
        bound = dashboard_bindings(dashboard=dashboard)
        offers = dashboard_offers(dashboard=dashboard, bound=bound)

        def plain(item: Bound) -> dict:
            return {"dataset": item.ids[0], "analysis": item.ids[1], "run_at": item.run_at}

        rows = [
            {"panel": key, **plain(item), "pinned": item.pinned, "newer": plain(offers[key].newest) if key in offers else None}
            for key, item in bound.items()
        ]
        return BindingSerializer(rows, many=True).data

    @extend_schema_field(PanelSerializer(many=True))
    def get_panels(self, dashboard: Dashboard) -> list[dict]:
        return PanelSerializer([{"key": panel.key, "title": str(panel.title)} for panel in PANELS.values()], many=True).data


class BindingInputSerializer(serializers.Serializer):
    panel = serializers.ChoiceField(choices=[key for key, panel in PANELS.items() if panel.binds])
    dataset = serializers.IntegerField(min_value=1, required=False, allow_null=True, help_text="key_numbers: the dataset to show.")
    analysis = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="forecast, segmentation: the run to show (key_numbers: a revenue forecast)."
    )


class DashboardInputSerializer(serializers.Serializer):
    layout = serializers.ListField(child=serializers.CharField(max_length=40), max_length=len(PANELS) * 2)
    canvas = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    bindings = BindingInputSerializer(
        many=True, required=False, help_text="What some data panels show; panels not listed keep theirs (new ones: the newest)."
    )


class DashboardApi(APIView):
    @extend_schema(responses={200: DashboardOutputSerializer})
    def get(self, request: Request, venture_id: int) -> Response:
        """The venture's dashboard layout (the default one until someone saves another). Every member may read it."""
        return Response(DashboardOutputSerializer(dashboard_get_for_user(user=request.user, venture_id=venture_id)).data)

    @extend_schema(request=DashboardInputSerializer, responses={200: DashboardOutputSerializer})
    def post(self, request: Request, venture_id: int) -> Response:
        """Save the layout: which panels, in which order, and (optionally) what data panels show (owners and editors).
        Unknown panel keys → 400; another team's dataset or run → 404."""
        venture = venture_get_for_user(user=request.user, venture_id=venture_id)
        data = DashboardInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        canvas: object = UNSET
        if "canvas" in data.validated_data:
            canvas_id = data.validated_data["canvas"]
            canvas = canvas_get_for_user(user=request.user, canvas_id=canvas_id) if canvas_id else None
        bound = {
            item["panel"]: (
                dataset_get_for_user(user=request.user, dataset_id=item["dataset"]) if item.get("dataset") else None,
                analysis_get_for_user(user=request.user, analysis_id=item["analysis"]) if item.get("analysis") else None,
            )
            for item in data.validated_data.get("bindings", [])
        }
        dashboard_layout_save(user=request.user, venture=venture, layout=data.validated_data["layout"], canvas=canvas, bound=bound)
        return Response(DashboardOutputSerializer(dashboard_get_for_user(user=request.user, venture_id=venture_id)).data)


class ShareLinkOutputSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None, allow_null=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = ShareLink
        fields = [
            "id",
            "target",
            "mode",
            "venture",
            "canvas",
            "label",
            "allow_embed",
            "expires_at",
            "revoked_at",
            "is_active",
            "views",
            "last_viewed_at",
            "created_by",
            "created_at",
        ]

    def get_is_active(self, link: ShareLink) -> bool:
        return link.is_active()


class ShareLinkCreatedSerializer(ShareLinkOutputSerializer):
    url = serializers.CharField(help_text="The public link. Shown only in this answer: only a hash of the token is stored.")
    token = serializers.CharField(help_text="The link's secret (part of the URL). Shown only in this answer.")

    class Meta(ShareLinkOutputSerializer.Meta):
        fields = [*ShareLinkOutputSerializer.Meta.fields, "url", "token"]


class ShareLinkInputSerializer(serializers.Serializer):
    dashboard = serializers.IntegerField(min_value=1, required=False, help_text="Share this dashboard (its id is its venture's id).")
    canvas = serializers.IntegerField(min_value=1, required=False, help_text="Or share this one canvas.")
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    allow_embed = serializers.BooleanField(required=False, default=False, help_text="Allow other sites to show the page in an iframe.")
    mode = serializers.ChoiceField(
        choices=ShareMode.choices,
        required=False,
        default=ShareMode.LIVE,
        help_text="live: the dashboard as it is now; snapshot: its panels as rendered at creation, never changed.",
    )

    def validate(self, attrs: dict) -> dict:
        if ("dashboard" in attrs) == ("canvas" in attrs):
            raise serializers.ValidationError({"dashboard": ["Give either dashboard or canvas (one of them)."]})
        return attrs


class ShareLinkListApi(APIView):
    pagination_class = StandardPagination  # documents the page envelope and the page parameters

    @extend_schema(
        parameters=[OpenApiParameter("venture", int, description="Only the links of this venture.")],
        responses={200: ShareLinkOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        """Share links of the user's ventures (revoked and expired ones too), newest first."""
        venture = request.query_params.get("venture", "")
        if venture and not venture.isdigit():
            raise InvalidInput("venture must be an id.", code="invalid_venture")
        links = share_link_list_for_user(user=request.user, venture_id=int(venture) if venture else None)
        return paginated(request, self, links, ShareLinkOutputSerializer)

    @extend_schema(request=ShareLinkInputSerializer, responses={201: ShareLinkCreatedSerializer})
    def post(self, request: Request) -> Response:
        """Create a read-only link to a dashboard or a canvas (owners and editors). Another team's id → 404."""
        data = ShareLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if "canvas" in fields:
            canvas = canvas_get_for_user(user=request.user, canvas_id=fields["canvas"])
            venture = canvas.venture
        else:
            canvas = None
            venture = venture_get_for_user(user=request.user, venture_id=fields["dashboard"])
        link, token = share_link_create(
            user=request.user,
            venture=venture,
            canvas=canvas,
            label=fields["label"],
            expires_at=fields["expires_at"],
            allow_embed=fields["allow_embed"],
            mode=fields["mode"],
        )
        link.token = token
        link.url = request.build_absolute_uri(reverse("shared:page", args=[token]))
        return Response(ShareLinkCreatedSerializer(link).data, status=status.HTTP_201_CREATED)


class ShareLinkDetailApi(APIView):
    @extend_schema(responses={200: ShareLinkOutputSerializer})
    def get(self, request: Request, link_id: int) -> Response:
        return Response(ShareLinkOutputSerializer(share_link_get_for_user(user=request.user, link_id=link_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, link_id: int) -> Response:
        """Revoke the link: it answers 404 from now on (owners and editors)."""
        share_link_revoke(user=request.user, link=share_link_get_for_user(user=request.user, link_id=link_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
