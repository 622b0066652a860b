"""The panels a dashboard can show, declared once as a registry: a key (what a saved layout lists), a title, and how
to build the panel from a venture (figures and numbers read through the other apps' selectors and pure figure
builders). Adding a panel means adding an entry here; layouts, the page, the shared page and the API read the
registry.

Builders return plain data (a template name, its context, Plotly figures): they do not know whether the page is the
team's or a shared one, so the shared page can show nothing the panels do not."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import plotly.graph_objects as go
from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis.figures import analysis_figure
from analysis.models import Analysis
from analysis.selectors import analysis_latest, analysis_segments
from analysis.wording import forecast_verdict
from canvas.models import Canvas
from canvas.selectors import canvas_blocks
from datasets.models import Dataset
from strategy import labels
from strategy.selectors import five_forces_summary, swot_quadrants, venture_figure
from ventures.models import Venture


@dataclass(frozen=True)
class PanelSource:
    """What a panel is built from."""

    venture: Venture
    canvas: Canvas | None  # the canvas the canvas panel and the assumption count read
    language: str


@dataclass(frozen=True)
class PanelContent:
    template: str  # under dashboards/panels/
    context: dict = field(default_factory=dict)
    figures: tuple[tuple[str, go.Figure], ...] = ()  # (name, figure): name is unique on a dashboard, used in URLs
    empty: str = ""  # shown instead of the template when there is nothing to show yet


@dataclass(frozen=True)
class Panel:
    key: str
    title: Promise
    build: Callable[[PanelSource], PanelContent]
    wide: bool = False  # spans the whole width of the grid
    # What the panel reads (see dashboards.selectors.panel_source_versions): its rendering is cached under the
    # versions of these only, so an edit on the canvas does not rebuild the strategy charts.
    reads: tuple[str, ...] = ()


def _strategy_empty() -> str:
    """What a strategy panel says while its view has nothing to draw (no link: the shared page shows it too)."""
    return _("Nothing to draw yet: this view is filled in on the venture's strategy pages.")


def _figure_panel(kind: str) -> Callable[[PanelSource], PanelContent]:
    def build(source: PanelSource) -> PanelContent:
        figure = venture_figure(venture=source.venture, kind=kind, language=source.language)
        if figure is None:
            return PanelContent("figure.html", empty=_strategy_empty())
        return PanelContent("figure.html", figures=((kind, figure),))

    return build


def _swot(source: PanelSource) -> PanelContent:
    """The quadrant chart, and the quadrants as lists beside it (full texts; all a phone shows)."""
    quadrants = swot_quadrants(venture=source.venture)
    lists = [
        (label.key, label.name(source.language), [(entry["text"], entry["weight"]) for entry in quadrants[label.key]])
        for label in labels.SWOT_QUADRANTS
    ]
    figure = venture_figure(venture=source.venture, kind="swot", language=source.language)
    if figure is None:
        return PanelContent("swot.html", empty=_strategy_empty())
    return PanelContent("swot.html", {"quadrants": lists}, figures=(("swot", figure),))


def _five_forces(source: PanelSource) -> PanelContent:
    _scores, attractiveness = five_forces_summary(venture=source.venture)
    figure = venture_figure(venture=source.venture, kind="five_forces", language=source.language)
    if figure is None:
        return PanelContent("figure.html", empty=_strategy_empty())
    return PanelContent("figure.html", {"attractiveness": attractiveness}, figures=(("five_forces", figure),))


def _canvas(source: PanelSource) -> PanelContent:
    if source.canvas is None:
        return PanelContent("canvas.html", empty=_("This venture has no canvas yet."))
    blocks = canvas_blocks(canvas=source.canvas, language=source.language)
    return PanelContent(
        "canvas.html",
        {"canvas": source.canvas, "blocks": blocks, "blueprint_name": source.canvas.blueprint.name(source.language)},
    )


def latest_ready_dataset(venture: Venture) -> Dataset | None:
    return (
        Dataset.objects.filter(venture=venture, status=Dataset.Status.READY).order_by(F("finished_at").desc(nulls_last=True), "-id").first()
    )


def last_complete_week(summary: dict) -> dict | None:
    """Customers active and revenue in the last complete week of a dataset's summary (a week the data ends in the
    middle of would understate both), or None if the data has no complete week."""
    weeks = summary.get("weekly_users", {}).get("week", [])
    days = summary.get("daily", {}).get("day", [])
    if not weeks or not days:
        return None
    last_day = date.fromisoformat(days[-1])
    index = len(weeks) - 1
    if date.fromisoformat(weeks[index]) + timedelta(days=6) > last_day:
        index -= 1  # the data ends within the last week
    if index < 0:
        return None
    start = date.fromisoformat(weeks[index])
    end = start + timedelta(days=6)
    revenue = sum(amount for day, amount in zip(days, summary["daily"]["revenue"], strict=True) if start <= date.fromisoformat(day) <= end)
    weekly = summary["weekly_users"]
    return {"start": start, "end": end, "customers": weekly["new"][index] + weekly["returning"][index], "revenue": round(revenue, 2)}


def untested_assumptions(canvas: Canvas | None) -> tuple[int, int]:
    """(untested, assumptions) on a canvas: assumptions not yet validated or invalidated, as the editor counts them."""
    if canvas is None:
        return 0, 0
    assumptions = list(canvas.items.filter(is_assumption=True))
    return sum(1 for item in assumptions if item.is_untested_assumption), len(assumptions)


def _key_numbers(source: PanelSource) -> PanelContent:
    dataset = latest_ready_dataset(source.venture)
    summary = dataset.report.get("summary") if dataset else None
    week = last_complete_week(summary) if summary else None
    untested, assumptions = untested_assumptions(source.canvas)
    return PanelContent(
        "key_numbers.html",
        {
            "dataset": dataset,
            "customers_total": dataset.report.get("users") if dataset else None,
            "week": week,
            "untested": untested,
            "assumptions": assumptions,
            "untested_share": round(100 * untested / assumptions) if assumptions else None,
            "canvas": source.canvas,
            "forecast_next": latest_forecast_next(source.venture),
        },
    )


def latest_forecast_next(venture: Venture) -> dict | None:
    """The next period of the latest revenue forecast of the total (not split): {ds, yhat, lo80, hi80, …}."""
    analysis = analysis_latest(venture_id=venture.pk, kind=Analysis.Kind.FORECAST)
    if analysis is None or analysis.result.get("metric") != "revenue" or len(analysis.result.get("series", [])) != 1:
        return None
    return {**analysis.result["series"][0]["forecast"][0], "frequency": analysis.result.get("frequency")}


def _forecast(source: PanelSource) -> PanelContent:
    """The latest forecast: history, forecast and intervals of its first (largest) series, and the model chosen."""
    analysis = analysis_latest(venture_id=source.venture.pk, kind=Analysis.Kind.FORECAST)
    if analysis is None:
        return PanelContent("forecast.html", empty=_("No forecast yet: none has been computed for this venture."))
    series = analysis.result["series"][0]
    figure = analysis_figure(analysis, "forecast", series_key=series["key"], language=source.language)
    verdict = forecast_verdict(series, frequency=analysis.result.get("frequency", ""), metric=analysis.result.get("metric", ""))
    context = {"result": analysis.result, "series": series, "next": series["forecast"][0], "verdict": verdict}
    return PanelContent("forecast.html", context, figures=(("forecast", figure),))


def _segmentation(source: PanelSource) -> PanelContent:
    """The latest segmentation: each segment's share of customers and of revenue (no customer is listed)."""
    analysis = analysis_latest(venture_id=source.venture.pk, kind=Analysis.Kind.SEGMENTATION)
    if analysis is None:
        return PanelContent("segmentation.html", empty=_("No segmentation yet: none has been computed for this venture."))
    segments = analysis_segments(analysis, language=source.language)
    figure = analysis_figure(analysis, "segments", language=source.language)
    return PanelContent("segmentation.html", {"result": analysis.result, "segments": segments}, figures=(("segments", figure),))


PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> Panel:
    PANELS[panel.key] = panel
    return panel


register(Panel("key_numbers", gettext_lazy("Key numbers"), _key_numbers, wide=True, reads=("datasets", "analyses", "canvas")))
register(Panel("canvas", gettext_lazy("Canvas"), _canvas, wide=True, reads=("canvas",)))
register(Panel("swot", gettext_lazy("SWOT"), _swot, wide=True, reads=("strategy",)))
register(Panel("five_forces", gettext_lazy("Five forces"), _five_forces, reads=("strategy",)))
register(Panel("value_chain", gettext_lazy("Value chain"), _figure_panel("value_chain"), reads=("strategy",)))
register(Panel("risk_matrix", gettext_lazy("Risk matrix"), _figure_panel("risk_matrix"), reads=("strategy",)))
register(Panel("forecast", gettext_lazy("Forecast"), _forecast, wide=True, reads=("analyses",)))
register(Panel("segmentation", gettext_lazy("Customer segments"), _segmentation, wide=True, reads=("analyses",)))

DEFAULT_LAYOUT = ("key_numbers", "canvas", "forecast", "segmentation", "swot", "five_forces", "value_chain", "risk_matrix")
MAX_PANELS = len(PANELS)


def layout_problems(layout: object) -> list[str]:
    """What is wrong with a layout (a list of panel keys, each once), in words for the user; [] if nothing."""
    if not isinstance(layout, list) or not all(isinstance(key, str) for key in layout):
        return [_("A layout is a list of panel keys.")]
    problems = [
        _("Unknown panel “%(key)s”. Panels: %(known)s.") % {"key": key[:40], "known": ", ".join(PANELS)}
        for key in layout
        if key not in PANELS
    ]
    duplicates = sorted({key for key in layout if layout.count(key) > 1})
    if duplicates:
        problems.append(_("Each panel can appear once: %(keys)s.") % {"keys": ", ".join(key[:40] for key in duplicates)})
    if not layout:
        problems.append(_("Choose at least one panel."))
    return problems
