"""Writes: saving a dashboard's layout and what its data panels are bound to, updating a panel to the newest run,
creating (live or snapshot) and revoking share links, counting a shared page's views. Each checks the role (owner
or editor; viewers only look) through teams.access."""

from datetime import datetime
from typing import cast

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from analysis.models import Analysis
from canvas.models import Canvas
from core.errors import InvalidInput
from core.tokens import token_new
from dashboards import bindings
from dashboards.bindings import Bound, newest_for, revenue_forecast_of
from dashboards.models import Dashboard, PanelBinding, ShareLink, ShareMode, ShareSnapshot, ShareTarget
from dashboards.panel_cache import share_link_panels_live
from dashboards.panels import DEFAULT_LAYOUT, PANELS, layout_problems
from datasets.models import Dataset
from teams.access import role_require
from teams.models import Role
from ventures.models import Venture

UNSET = object()


def _binding_checked(*, venture: Venture, key: str, dataset: Dataset | None, analysis: Analysis | None) -> Bound:
    """An owner's explicit choice for a panel, checked: the venture's own ready dataset / successful run of the kind
    the panel shows. The key numbers take a dataset (and that dataset's newest revenue forecast, unless one is given)."""
    binds = PANELS[key].binds
    if not binds:
        raise InvalidInput(_("The panel “%(key)s” shows no dataset or model run.") % {"key": key}, code="invalid_binding")
    if dataset is not None and (dataset.venture_id != venture.pk or dataset.status != Dataset.Status.READY):
        raise InvalidInput(_("Choose a ready dataset of this venture."), code="invalid_binding")
    if analysis is not None and (analysis.dataset.venture_id != venture.pk or analysis.status != Analysis.Status.SUCCEEDED):
        raise InvalidInput(_("Choose a successful model run of this venture."), code="invalid_binding")
    if binds == bindings.DATASET:
        if analysis is not None and (
            analysis.kind != Analysis.Kind.FORECAST
            or analysis.params.get("metric") != "revenue"
            or analysis.dataset_id != getattr(dataset, "pk", None)
        ):
            raise InvalidInput(_("The key numbers show a revenue forecast of their own dataset."), code="invalid_binding")
        return Bound(dataset=dataset, analysis=analysis if analysis is not None else revenue_forecast_of(dataset))
    if analysis is not None and analysis.kind != binds:
        raise InvalidInput(_("This panel shows a run of another kind of model."), code="invalid_binding")
    return Bound(dataset=analysis.dataset if analysis else None, analysis=analysis)


def _bind(*, dashboard: Dashboard, key: str, bound: Bound, user: User) -> None:
    binding = PanelBinding.objects.filter(dashboard=dashboard, panel=key).first() or PanelBinding(dashboard=dashboard, panel=key)
    if binding.pk and (binding.dataset_id, binding.analysis_id) == bound.ids:
        return
    binding.dataset, binding.analysis, binding.bound_by, binding.bound_at = bound.dataset, bound.analysis, user, timezone.now()
    binding.full_clean(validate_constraints=False)
    binding.save()


def _bindings_keep(*, dashboard: Dashboard, user: User, chosen: dict[str, Bound]) -> None:
    """Bind the layout's data panels: as chosen, else as they were, else (a panel just added) to the newest at this
    moment. A panel taken off the layout forgets its binding: added again, it is chosen again."""
    keys = [key for key in dashboard.layout if PANELS[key].binds]
    PanelBinding.objects.filter(dashboard=dashboard).exclude(panel__in=keys).delete()
    existing = set(PanelBinding.objects.filter(dashboard=dashboard).values_list("panel", flat=True))
    for key in keys:
        if key in chosen:
            _bind(dashboard=dashboard, key=key, bound=chosen[key], user=user)
        elif key not in existing:
            _bind(dashboard=dashboard, key=key, bound=newest_for(PANELS[key].binds, dashboard.venture), user=user)


@transaction.atomic
def dashboard_layout_save(
    *,
    user: User,
    venture: Venture,
    layout: list[str],
    canvas: Canvas | object | None = UNSET,
    bound: dict[str, tuple[Dataset | None, Analysis | None]] | None = None,
) -> Dashboard:
    """Save which panels the dashboard shows and in which order, (optionally) which canvas it shows, and
    (optionally) what some data panels are bound to: {panel key: (dataset, analysis)}. Data panels not given keep
    their binding; those just added are bound to the newest ready dataset / successful run."""
    role_require(user=user, team=venture.team, minimum=Role.EDITOR)
    problems = layout_problems(layout)
    if problems:
        unknown = isinstance(layout, list) and any(isinstance(key, str) and key not in PANELS for key in layout)
        code = "unknown_panel" if unknown else "invalid_layout"
        raise InvalidInput(" ".join(problems), code=code)
    if canvas is not UNSET and canvas is not None and cast(Canvas, canvas).venture_id != venture.pk:
        raise InvalidInput(_("The canvas belongs to another venture."), code="invalid_canvas")
    dashboard, created = Dashboard.objects.select_for_update().get_or_create(venture=venture)
    dashboard.layout = list(layout)
    if canvas is not UNSET:
        dashboard.canvas = canvas
    if not created:
        dashboard.version += 1
    chosen = {
        key: _binding_checked(venture=venture, key=key, dataset=dataset, analysis=analysis)
        for key, (dataset, analysis) in (bound or {}).items()
        if key in layout
    }
    dashboard.updated_by = user
    dashboard.full_clean()
    dashboard.save()
    _bindings_keep(dashboard=dashboard, user=user, chosen=chosen)
    return dashboard


@transaction.atomic
def dashboard_panel_update(*, user: User, venture: Venture, panel: str) -> Dashboard:
    """ "Update to the run of <date>": bind one data panel to the newest ready dataset / successful run (owners and
    editors; the only way a panel moves to newer data)."""
    role_require(user=user, team=venture.team, minimum=Role.EDITOR)
    if panel not in PANELS or not PANELS[panel].binds:
        raise InvalidInput(_("The panel “%(key)s” shows no dataset or model run.") % {"key": panel[:40]}, code="invalid_binding")
    dashboard = dashboard_pin(user=user, venture=venture)
    if panel not in dashboard.layout:
        raise InvalidInput(_("The panel “%(key)s” is not on the dashboard.") % {"key": panel}, code="invalid_binding")
    _bind(dashboard=dashboard, key=panel, bound=newest_for(PANELS[panel].binds, venture), user=user)
    Dashboard.objects.filter(pk=dashboard.pk).update(version=F("version") + 1, updated_by=user, updated_at=timezone.now())
    dashboard.refresh_from_db()
    return dashboard


def dashboard_pin(*, user: User, venture: Venture) -> Dashboard:
    """The venture's saved dashboard; an unsaved one (the default layout, showing the newest data) is saved first,
    so its data panels are bound to what they show now. Called by services that already checked the role."""
    dashboard = Dashboard.objects.select_for_update().filter(venture=venture).first()
    if dashboard is None:
        dashboard = dashboard_layout_save(user=user, venture=venture, layout=list(DEFAULT_LAYOUT))
    return dashboard


@transaction.atomic
def share_link_create(
    *,
    user: User,
    venture: Venture,
    canvas: Canvas | None = None,
    label: str = "",
    expires_at: datetime | None = None,
    allow_embed: bool = False,
    mode: str = ShareMode.LIVE,
) -> tuple[ShareLink, str]:
    """A read-only link to the venture's dashboard, or to one of its canvases. Returns the link and its token, which
    is not stored (only its digest) and so can be shown only now. Sharing the dashboard pins it (an unsaved one is
    saved: its panels stay on what they show now). A snapshot link stores the panels as rendered now, in every
    language, and shows only that."""
    role_require(user=user, team=venture.team, minimum=Role.EDITOR)
    if mode not in ShareMode.values:
        raise InvalidInput(_("A link is live or a snapshot."), code="invalid_mode")
    if canvas is not None and canvas.venture_id != venture.pk:
        raise InvalidInput(_("The canvas belongs to another venture."), code="invalid_canvas")
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput(_("The expiry must be in the future."), code="expiry_in_past")
    token, digest = token_new()
    link = ShareLink(
        venture=venture,
        target=ShareTarget.CANVAS if canvas is not None else ShareTarget.DASHBOARD,
        canvas=canvas,
        token_hash=digest,
        label=label.strip(),
        expires_at=expires_at,
        allow_embed=allow_embed,
        mode=mode,
        created_by=user,
    )
    link.full_clean()
    if canvas is None:
        dashboard_pin(user=user, venture=venture)
    link.save()
    if mode == ShareMode.SNAPSHOT:
        _snapshot_take(link)
    return link, token


def _snapshot_take(link: ShareLink) -> ShareSnapshot:
    """Each panel's rendered body and figure JSON, now, in every interface language (the visitor's is shown)."""
    panels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            panels[code] = [{**panel, "body": str(panel["body"])} for panel in share_link_panels_live(link=link, language=code)]
    snapshot = ShareSnapshot(link=link, panels=panels)
    snapshot.full_clean()
    snapshot.save()
    return snapshot


@transaction.atomic
def share_link_revoke(*, user: User, link: ShareLink) -> ShareLink:
    """The link stops working at once (the public page checks the row on every request, cached or not)."""
    role_require(user=user, team=link.venture.team, minimum=Role.EDITOR)
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    link.refresh_from_db(fields=["revoked_at"])
    return link


def share_link_view_record(*, link: ShareLink) -> None:
    """One more view: a single atomic UPDATE, so simultaneous views are all counted."""
    ShareLink.objects.filter(pk=link.pk).update(views=F("views") + 1, last_viewed_at=timezone.now())
