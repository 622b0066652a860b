"""Reads: a venture's dashboard and its panels, share links scoped to the user's teams, and the one lookup of a link
by its token for the public page."""

from dataclasses import dataclass, replace

from django.contrib.auth.models import AnonymousUser
from django.db.models import Aggregate, Count, Max, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import JSONObject
from django.utils import timezone

from accounts.models import User
from canvas.models import Canvas
from core.errors import NotFound
from core.tokens import token_digest
from dashboards.bindings import Bound, newest_for
from dashboards.models import Dashboard, PanelBinding, ShareLink
from dashboards.panels import DEFAULT_LAYOUT, PANELS, Panel, PanelContent, PanelSource
from economics.models import MarketingSpend
from strategy.models import StrategyView
from ventures.models import Venture
from ventures.selectors import venture_get_for_user


def dashboard_for_venture(*, venture: Venture) -> Dashboard:
    """The venture's saved dashboard, or an unsaved one with the default layout (reading never creates a row)."""
    dashboard = Dashboard.objects.filter(venture=venture).select_related("canvas").first()
    if dashboard is None:
        dashboard = Dashboard(venture=venture, layout=list(DEFAULT_LAYOUT), version=0)
    dashboard.venture = venture  # the caller's instance (team already loaded)
    return dashboard


def dashboard_get_for_user(*, user: User | AnonymousUser, venture_id: int) -> Dashboard:
    return dashboard_for_venture(venture=venture_get_for_user(user=user, venture_id=venture_id))


def dashboard_canvas(*, dashboard: Dashboard) -> Canvas | None:
    """The canvas the dashboard shows: the chosen one, else the venture's most recently changed active canvas."""
    if dashboard.canvas_id and dashboard.canvas and dashboard.canvas.venture_id == dashboard.venture_id:
        return dashboard.canvas
    return Canvas.objects.filter(venture_id=dashboard.venture_id, archived_at__isnull=True).order_by("-updated_at", "-id").first()


@dataclass(frozen=True)
class BuiltPanel:
    panel: Panel
    content: PanelContent

    @property
    def key(self) -> str:
        return self.panel.key


def dashboard_bindings(*, dashboard: Dashboard) -> dict[str, Bound]:
    """What each data panel of the layout shows. A saved dashboard: what was chosen (one query; a panel bound to
    nothing shows nothing, never the newest by itself). An unsaved one (nobody has chosen anything yet): the newest,
    marked not pinned; saving the layout or sharing the dashboard pins it."""
    bound_keys = [key for key in dashboard.layout if key in PANELS and PANELS[key].binds]
    if not bound_keys:
        return {}
    if not dashboard.version:
        return {key: replace(newest_for(PANELS[key].binds, dashboard.venture), pinned=False) for key in bound_keys}
    rows = {
        row.panel: row
        for row in PanelBinding.objects.filter(dashboard_id=dashboard.pk, panel__in=bound_keys).select_related(
            "dataset", "analysis__dataset"
        )
    }
    return {key: Bound(dataset=rows[key].dataset, analysis=rows[key].analysis) if key in rows else Bound() for key in bound_keys}


@dataclass(frozen=True)
class Offer:
    """A newer dataset or run than the one a panel shows: what "Update to the run of <date>" would bind it to."""

    panel: str
    newest: Bound


def dashboard_offers(*, dashboard: Dashboard, bound: dict[str, Bound]) -> dict[str, Offer]:
    """For those who may edit a saved dashboard: each data panel whose newest candidate differs from its binding."""
    if not dashboard.version:
        return {}
    offers = {}
    for key, current in bound.items():
        newest = newest_for(PANELS[key].binds, dashboard.venture)
        if newest.ids != (None, None) and newest.ids != current.ids:
            offers[key] = Offer(panel=key, newest=newest)
    return offers


def panels_build(
    *, keys: list[str] | tuple[str, ...], venture: Venture, canvas: Canvas | None, language: str, bound: dict[str, Bound] | None = None
) -> list[BuiltPanel]:
    source = PanelSource(venture=venture, canvas=canvas, language=language)
    bound = bound or {}
    return [BuiltPanel(PANELS[key], PANELS[key].build(replace(source, bound=bound.get(key)))) for key in keys if key in PANELS]


# --- share links ------------------------------------------------------------------------------------------------


def share_link_list_for_user(*, user: User | AnonymousUser, venture_id: int | None = None) -> QuerySet[ShareLink]:
    links = ShareLink.objects.for_user(user).select_related("venture__team", "canvas", "created_by")
    return links.filter(venture_id=venture_id) if venture_id is not None else links


def share_link_get_for_user(*, user: User | AnonymousUser, link_id: int) -> ShareLink:
    link = share_link_list_for_user(user=user).filter(pk=link_id).first()
    if link is None:
        raise NotFound()
    return link


def share_link_find(*, token: str) -> ShareLink:
    """The active link a token opens. Unknown, revoked and expired tokens are the same NotFound. The lookup is by the
    token's SHA-256 (an indexed equality on a digest: nothing about the stored value leaks through timing)."""
    if not token or len(token) > 100:
        raise NotFound()
    link = ShareLink.objects.filter(token_hash=token_digest(token)).select_related("venture", "canvas", "snapshot").first()
    if link is None or not link.is_active(timezone.now()):
        raise NotFound()
    return link


def _summary(rows: QuerySet, **aggregates: Aggregate) -> Subquery:
    """`aggregates` over `rows` (already filtered on the outer venture) as one scalar subquery: a JSON object."""
    return Subquery(rows.order_by().annotate(_all=Value(1)).values("_all").annotate(_summary=JSONObject(**aggregates)).values("_summary"))


def panel_source_versions(*, venture: Venture, canvas: Canvas | None) -> dict[str, str]:
    """For each kind of data a panel can read, a value that changes whenever that data changes: the venture itself,
    the canvas shown, the strategy views, the marketing spend. Panels are cached under the versions of what they read (Panel.reads) and
    of what they are bound to (Bound.stamp: a dataset or run, not "the newest"), so a cached panel is never staler
    than the rows read in this request. The venture and canvas are the instances this request read; the strategy
    views and the spend are one query."""
    strategy, spend = (
        Venture.objects.filter(pk=venture.pk)
        .annotate(
            strategy_summary=_summary(StrategyView.objects.filter(venture=OuterRef("pk")), n=Count("id"), v=Sum("version")),
            spend_summary=_summary(MarketingSpend.objects.filter(venture=OuterRef("pk")), n=Count("id"), u=Max("updated_at")),
        )
        .values_list("strategy_summary", "spend_summary")
        .first()
    )
    shown = (canvas.pk, canvas.version, canvas.updated_at) if canvas else None
    # The unit economics read the spend, and the venture's margin and currency (its updated_at).
    parts = {"venture": (venture.pk, venture.updated_at), "canvas": shown, "strategy": strategy, "spend": (venture.updated_at, spend)}
    return {source: str(value) for source, value in parts.items()}
