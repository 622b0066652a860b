"""Panels as pages show them, rendered once and cached: what the team's dashboard page and the public share page
both read (dashboards.views)."""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string

from canvas.models import Canvas
from dashboards.bindings import Bound
from dashboards.models import Dashboard, ShareLink, ShareTarget
from dashboards.panels import PANELS
from dashboards.selectors import (
    BuiltPanel,
    dashboard_bindings,
    dashboard_canvas,
    dashboard_for_venture,
    panel_source_versions,
    panels_build,
)
from ventures.models import Venture

PANEL_CACHE_SHAPE = 3  # part of the panel cache's keys: change it with what `panel_for_page` returns


def panel_for_page(built: BuiltPanel, venture: Venture) -> dict:
    """A panel as pages use it: its title, width and rendered body (the section around it, with the owner's controls,
    is the page's: dashboards/partials/panels.html), and its figures as Plotly JSON by name (their own titles
    dropped: the panel's heading says it). Built from plain data and rendered without a request, so it is the same
    for every viewer, can be cached, and is what a snapshot link stores."""
    figures = []
    for name, figure in built.content.figures:
        data = json.loads(figure.to_json())
        data["layout"].pop("title", None)
        data["layout"].setdefault("margin", {})["t"] = 40
        figures.append({"name": name, "dom_id": f"figure-{name}", "json": data})
    panel = {
        "key": built.key,
        "title": str(built.panel.title),
        "wide": built.panel.wide,
        "template": f"dashboards/panels/{built.content.template}",
        "context": built.content.context,
        "empty": built.content.empty,
        "figures": figures,
    }
    return {
        "key": built.key,
        "title": panel["title"],
        "wide": built.panel.wide,
        "body": render_to_string("dashboards/partials/panel.html", {"venture": venture, "panel": panel}),
        "figures": {figure["name"]: json.dumps(figure["json"]) for figure in figures},
    }


def _stamp(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:20]


def panels_cached(
    *, keys: list[str] | tuple[str, ...], venture: Venture, canvas: Canvas | None, language: str, bound: dict[str, Bound] | None = None
) -> list[dict]:
    """The panels as pages use them (`panel_for_page`), each cached under the versions of what it reads (venture,
    language, `Panel.reads` and what it is bound to: `bound`, dashboards.selectors.dashboard_bindings): building the Plotly figures and rendering the panels is most of a dashboard's cost,
    a panel does not depend on who is looking, and a change to one kind of data (a canvas edit, an ingest) rebuilds
    only the panels that read it. The key changes with the data, so an entry is never stale: its lifetime
    (`DASHBOARD_PANEL_CACHE_SECONDS`) only bounds how long the output of older code lingers after a deploy."""
    versions = panel_source_versions(venture=venture, canvas=canvas)
    bound = bound or {}
    cache_keys = {
        key: f"dashboards:panel:{PANEL_CACHE_SHAPE}:{venture.pk}:{key}:{language}:"
        + _stamp("|".join([*(versions[source] for source in ("venture", *PANELS[key].reads)), (bound.get(key) or Bound()).stamp()]))
        for key in keys
        if key in PANELS
    }
    found = cache.get_many(cache_keys.values())  # one round trip for the page
    missing = [key for key, cache_key in cache_keys.items() if cache_key not in found]
    if missing:
        built = panels_build(keys=missing, venture=venture, canvas=canvas, language=language, bound=bound)
        made = {cache_keys[panel.key]: panel_for_page(panel, venture) for panel in built}
        cache.set_many(made, settings.DASHBOARD_PANEL_CACHE_SECONDS)
        found.update(made)
    return [found[cache_key] for cache_key in cache_keys.values()]


def dashboard_panels_cached(*, dashboard: Dashboard, language: str) -> list[dict]:
    """The dashboard's panels as they are now: its layout, its canvas, each data panel's binding."""
    return panels_cached(
        keys=dashboard.layout,
        venture=dashboard.venture,
        canvas=dashboard_canvas(dashboard=dashboard),
        language=language,
        bound=dashboard_bindings(dashboard=dashboard),
    )


def share_link_panels_live(*, link: ShareLink, language: str) -> list[dict]:
    """What a link shows now: the one canvas, or the dashboard as laid out and bound now."""
    if link.target == ShareTarget.CANVAS:
        return panels_cached(keys=["canvas"], venture=link.venture, canvas=link.canvas, language=language)
    return dashboard_panels_cached(dashboard=dashboard_for_venture(venture=link.venture), language=language)
