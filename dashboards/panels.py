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
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis.figures import analysis_figure
from analysis.models import Analysis
from analysis.selectors import analysis_segments
from analysis.wording import METRICS, forecast_verdict, model_words
from canvas.models import Canvas
from canvas.selectors import canvas_blocks
from dashboards import bindings
from dashboards.bindings import Bound
from datasets.models import Dataset
from economics.selectors import COHORTS_PENDING, NO_LTV, NO_MARGIN, NO_SPEND, venture_economics_shown
from strategy import labels
from strategy.selectors import five_forces_summary, swot_quadrants, venture_figure
from ventures.models import Venture

FREQUENCIES = {
    "D": gettext_lazy("daily"),
    "W": gettext_lazy("weekly"),
    "M": gettext_lazy("monthly"),
    "Q": gettext_lazy("quarterly"),
    "Y": gettext_lazy("yearly"),
}
UNITS = {
    "orders": gettext_lazy("count"),
    "quantity": gettext_lazy("sum of the quantity column"),
    "active_users": gettext_lazy("count"),
    "event_count": gettext_lazy("count"),
}


@dataclass(frozen=True)
class PanelSource:
    """What a panel is built from."""

    venture: Venture
    canvas: Canvas | None  # the canvas the canvas panel and the assumption count read
    language: str
    bound: Bound | None = None  # what this panel is bound to (for a panel that binds)


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
    # What it is bound to (dashboards.bindings: "dataset", "forecast", "segmentation", "lifetime_value"), "" for none: the binding is
    # part of its cache key, and a newer one is offered, never taken by itself.
    binds: str = ""
    # The URL name (taking the venture's id) of the app page the panel sums up, linked on the team's dashboard only
    # (the shared page links into nothing); "" for none.
    page: str = ""


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
    """(untested, assumptions) on a canvas: assumptions whose status is still untested (not being tested, not decided), as the editor counts them."""
    if canvas is None:
        return 0, 0
    assumptions = list(canvas.items.filter(is_assumption=True))
    return sum(1 for item in assumptions if item.is_untested_assumption), len(assumptions)


def dataset_period(dataset: Dataset | None) -> tuple[str, str] | None:
    """The first and last day of a dataset's events (from its summary), or None."""
    days = ((dataset.report or {}).get("summary") or {}).get("daily", {}).get("day") if dataset else None
    return (days[0], days[-1]) if days else None


def revenue_unit(currency: str) -> str:
    """What revenue is, honestly: the sum of the dataset's amount column, in the venture's currency if it has one."""
    if currency:
        return _("sum of the amount column, %(currency)s") % {"currency": currency}
    return _("sum of the amount column; no currency set")


def money_currency(metric: str, venture: Venture) -> str:
    """The currency a metric's figures are in: the venture's for revenue, none for counts."""
    return venture.currency if metric == "revenue" else ""


def metric_words(metric: str, event: str = "", *, currency: str = "") -> str:
    """A forecast's metric with its unit (revenue: `revenue_unit`)."""
    name = capfirst(str(METRICS.get(metric, metric)))
    unit = revenue_unit(currency) if metric == "revenue" else UNITS.get(metric)
    if metric == "event_count" and event:
        return _("Events “%(event)s” (count)") % {"event": event}
    return _("%(metric)s (%(unit)s)") % {"metric": name, "unit": unit} if unit else name


def dataset_caption(dataset: Dataset | None) -> dict:
    period = dataset_period(dataset)
    return {
        "dataset": dataset.name if dataset else None,
        "dataset_from": period[0] if period else None,
        "dataset_to": period[1] if period else None,
    }


def forecast_caption(analysis: Analysis, series: dict, *, venture: Venture) -> dict:
    """What a forecast panel shows, in words: metric and unit, period, dataset and its dates, model, run."""
    result, params = analysis.result, analysis.params
    frequency = result.get("frequency", "")
    history, forecast = series.get("history") or [], series.get("forecast") or []
    return {
        "metric": metric_words(result.get("metric", ""), params.get("event", ""), currency=venture.currency),
        "frequency": str(FREQUENCIES.get(frequency, frequency)),
        "history_from": history[0][0] if history else None,
        "forecast_to": forecast[-1]["ds"] if forecast else None,
        "model": model_words(series.get("model", ""), frequency),
        "series": series["key"] if params.get("split_by") else "",
        "run_at": analysis.finished_at,
        **dataset_caption(analysis.dataset),
    }


def _key_numbers(source: PanelSource) -> PanelContent:
    bound = source.bound or Bound()
    dataset = bound.dataset
    summary = dataset.report.get("summary") if dataset else None
    week = last_complete_week(summary) if summary else None
    untested, assumptions = untested_assumptions(source.canvas)
    forecast = bound.analysis
    forecast_next = forecast_caption_ = None
    if forecast is not None and forecast.result.get("series"):
        forecast_next = {**forecast.result["series"][0]["forecast"][0], "frequency": forecast.result.get("frequency")}
        forecast_caption_ = forecast_caption(forecast, forecast.result["series"][0], venture=source.venture)
    return PanelContent(
        "key_numbers.html",
        {
            "dataset": dataset,
            "pinned": bound.pinned,
            "customers_total": dataset.report.get("users") if dataset else None,
            "week": week,
            "untested": untested,
            "assumptions": assumptions,
            "untested_share": round(100 * untested / assumptions) if assumptions else None,
            "canvas": source.canvas,
            "forecast_next": forecast_next,
            "forecast_caption": forecast_caption_,
            "caption": {**dataset_caption(dataset), "revenue": metric_words("revenue", currency=source.venture.currency)},
            "currency": source.venture.currency,
        },
    )


def _forecast(source: PanelSource) -> PanelContent:
    """The bound forecast: history, forecast and intervals of its first (largest) series, and the model chosen."""
    bound = source.bound or Bound()
    analysis = bound.analysis
    if analysis is None or not analysis.result.get("series"):
        empty = (
            _("No forecast chosen for this panel yet.") if bound.pinned else _("No forecast yet: none has been computed for this venture.")
        )
        return PanelContent("forecast.html", empty=empty)
    series = analysis.result["series"][0]
    figure = analysis_figure(analysis, "forecast", series_key=series["key"], language=source.language)
    verdict = forecast_verdict(series, frequency=analysis.result.get("frequency", ""), metric=analysis.result.get("metric", ""))
    context = {
        "result": analysis.result,
        "series": series,
        "next": series["forecast"][0],
        "verdict": verdict,
        "caption": forecast_caption(analysis, series, venture=source.venture),
        "currency": money_currency(analysis.result.get("metric", ""), source.venture),
    }
    return PanelContent("forecast.html", context, figures=(("forecast", figure),))


def _segmentation(source: PanelSource) -> PanelContent:
    """The bound segmentation: each segment's share of customers and of revenue (no customer is listed)."""
    bound = source.bound or Bound()
    analysis = bound.analysis
    if analysis is None:
        empty = (
            _("No segmentation chosen for this panel yet.")
            if bound.pinned
            else _("No segmentation yet: none has been computed for this venture.")
        )
        return PanelContent("segmentation.html", empty=empty)
    segments = analysis_segments(analysis, language=source.language)
    figure = analysis_figure(analysis, "segments", language=source.language)
    method = analysis.result.get("method", "rfm")
    caption = {
        "metric": _("Customers, and revenue (%(unit)s), by segment") % {"unit": revenue_unit(source.venture.currency)},
        "model": _("RFM segments") if method == "rfm" else _("k-means clusters"),
        "run_at": analysis.finished_at,
        **dataset_caption(analysis.dataset),
    }
    return PanelContent(
        "segmentation.html", {"result": analysis.result, "segments": segments, "caption": caption}, figures=(("segments", figure),)
    )


ECONOMICS_MISSING = {
    NO_SPEND: gettext_lazy("No marketing spend entered yet."),
    NO_MARGIN: gettext_lazy("No gross margin set yet."),
    COHORTS_PENDING: gettext_lazy("The dataset's monthly cohorts are not computed yet."),
    NO_LTV: gettext_lazy("LTV:CAC needs a 12-month lifetime value run: the run shown has another horizon."),
}


def _unit_economics(source: PanelSource) -> PanelContent:
    """LTV:CAC, payback and CAC from the bound lifetime value run's dataset, the spend and the margin."""
    bound = source.bound or Bound()
    if bound.analysis is None:
        empty = (
            _("No lifetime value run chosen for this panel yet.")
            if bound.pinned
            else _("No lifetime value run yet: LTV:CAC needs one, started from a dataset's page.")
        )
        return PanelContent("unit_economics.html", empty=empty)
    economics = venture_economics_shown(venture=source.venture, run=bound.analysis)
    if economics.figures is None:
        return PanelContent("unit_economics.html", empty=str(ECONOMICS_MISSING[COHORTS_PENDING]))
    caption = {
        "model": _("Lifetime value run, marketing spend and monthly cohorts"),
        "run_at": bound.analysis.finished_at,
        **dataset_caption(bound.analysis.dataset),
    }
    missing = " ".join(str(ECONOMICS_MISSING[code]) for code in economics.missing if code in ECONOMICS_MISSING)
    return PanelContent(
        "unit_economics.html", {"figures": economics.figures, "currency": source.venture.currency, "caption": caption, "missing": missing}
    )


PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> Panel:
    PANELS[panel.key] = panel
    return panel


register(Panel("key_numbers", gettext_lazy("Key numbers"), _key_numbers, wide=True, reads=("canvas",), binds=bindings.DATASET))
register(Panel("canvas", gettext_lazy("Canvas"), _canvas, wide=True, reads=("canvas",)))
register(Panel("swot", gettext_lazy("SWOT"), _swot, wide=True, reads=("strategy",)))
register(Panel("five_forces", gettext_lazy("Five forces"), _five_forces, reads=("strategy",)))
register(Panel("value_chain", gettext_lazy("Value chain"), _figure_panel("value_chain"), reads=("strategy",)))
register(Panel("risk_matrix", gettext_lazy("Risk matrix"), _figure_panel("risk_matrix"), reads=("strategy",)))
register(Panel("forecast", gettext_lazy("Forecast"), _forecast, wide=True, binds=bindings.FORECAST))
register(Panel("segmentation", gettext_lazy("Customer segments"), _segmentation, wide=True, binds=bindings.SEGMENTATION))
register(
    Panel(
        "unit_economics",
        gettext_lazy("Unit economics"),
        _unit_economics,
        reads=("spend",),
        binds=bindings.LIFETIME_VALUE,
        page="economics:page",
    )
)

DEFAULT_LAYOUT = (
    "key_numbers",
    "canvas",
    "forecast",
    "segmentation",
    "unit_economics",
    "swot",
    "five_forces",
    "value_chain",
    "risk_matrix",
)
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
