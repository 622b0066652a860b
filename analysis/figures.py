"""Plotly figures of the models' results. The builders are pure: a stored result (and for the scatter, the per-user
table) in, a figure out, labels given translated; `analysis_figure` assembles them for a page or the API. Text that came from the data (series keys: channel and
product names) is escaped, since Plotly renders a subset of HTML in labels."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from django.utils.translation import gettext as _

from analysis.models import Analysis
from analysis.selectors import FIGURE_NAMES, analysis_segments, analysis_series, segment_members
from core.charts import COLORS, GOOD_BAD_SCALE, NEUTRAL_SCALE, PERCENT_SUFFIX, SERIES_COLORS, chart_layout, chart_text, number_axis
from core.errors import NotFound

HISTORY_POINTS = 156  # enough context before the forecast, whatever the history's length
SCATTER_POINTS = 100_000  # above this many customers the scatter shows a random sample (WebGL draws the rest fast)


def build_forecast_figure(series: dict, labels: dict[str, str]) -> go.Figure:
    """History, the forecast and its 80 % and 95 % prediction intervals, for one series."""
    history = series["history"][-HISTORY_POINTS:]
    points = series["forecast"]
    ds = [point["ds"] for point in points]

    def band(upper: str, lower: str, name: str, fill: str) -> list[go.Scatter]:
        """An interval as a filled band: the upper edge, then the lower edge filled up to it."""
        edge = {"x": ds, "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip"}
        return [
            go.Scatter(y=[p[upper] for p in points], showlegend=False, **edge),
            go.Scatter(y=[p[lower] for p in points], name=name, fill="tonexty", fillcolor=fill, **edge),
        ]

    figure = go.Figure(
        [
            *band("hi95", "lo95", labels["interval95"], "rgba(46,144,250,0.15)"),
            *band("hi80", "lo80", labels["interval80"], "rgba(46,144,250,0.3)"),
            go.Scatter(
                x=[h[0] for h in history], y=[h[1] for h in history], name=labels["history"], mode="lines", line={"color": COLORS["ink"]}
            ),
            go.Scatter(
                x=ds, y=[p["yhat"] for p in points], name=labels["forecast"], mode="lines", line={"color": COLORS["primary"], "dash": "dot"}
            ),
        ]
    )
    figure.update_layout(**chart_layout(labels["title"]), yaxis=number_axis(), legend={"orientation": "h"}, hovermode="x unified")
    return figure


def build_segment_sizes_figure(segments: list[dict], labels: dict[str, str]) -> go.Figure:
    """Each segment's share of customers and share of revenue, side by side: horizontal bars, so the segments' names
    read on the left however narrow the screen (upright names under columns collide with the legend on a phone)."""
    names = [segment["label"] for segment in segments][::-1]  # the first segment on top
    shares = [s["share"] * 100 for s in segments][::-1]
    revenue = [s["revenue_share"] * 100 for s in segments][::-1]
    figure = go.Figure(
        [
            go.Bar(y=names, x=shares, name=labels["customers"], marker_color=COLORS["light"], orientation="h"),
            go.Bar(y=names, x=revenue, name=labels["revenue"], marker_color=COLORS["positive"], orientation="h"),
        ]
    )
    figure.update_layout(
        **chart_layout(labels["title"], height=140 + 44 * len(segments), margin={"l": 50, "r": 20, "t": 90, "b": 40}),
        barmode="group",
        xaxis=number_axis(ticksuffix=PERCENT_SUFFIX),
        yaxis={"automargin": True},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    )
    return figure


def build_segment_scatter_figure(members: pd.DataFrame, segments: list[dict], labels: dict[str, str], *, seed: int = 0) -> go.Figure:
    """Recency against frequency, one dot per customer sized by monetary value and coloured by segment (WebGL);
    a random sample above SCATTER_POINTS customers."""
    if len(members) > SCATTER_POINTS:
        members = members.sample(SCATTER_POINTS, random_state=seed)
    names = {segment["id"]: segment["label"] for segment in segments}
    monetary = members["monetary"].clip(lower=0).to_numpy(dtype="float64")
    size = 4 + 16 * np.sqrt(monetary / monetary.max()) if len(monetary) and monetary.max() > 0 else np.full(len(members), 6.0)
    traces = []
    for index, (segment_id, group) in enumerate(members.groupby("segment_id", sort=True)):
        mask = (members["segment_id"] == segment_id).to_numpy()
        traces.append(
            go.Scattergl(
                x=group["recency"].to_numpy(dtype="float32"),
                y=group["frequency"].to_numpy(dtype="float32"),
                mode="markers",
                name=names.get(int(segment_id), str(segment_id)),  # type: ignore[arg-type]  # pandas-stubs: a key may be any scalar
                marker={"size": size[mask].astype("float32"), "color": SERIES_COLORS[index % len(SERIES_COLORS)], "opacity": 0.6},
                hovertemplate=f"{labels['recency']}: %{{x:.0f}}<br>{labels['frequency']}: %{{y:.0f}}<extra>%{{fullData.name}}</extra>",
            )
        )
    figure = go.Figure(traces)
    figure.update_layout(
        **chart_layout(labels["title"], height=420),
        xaxis=number_axis(title={"text": labels["recency"]}),
        yaxis=number_axis(title={"text": labels["frequency"]}, rangemode="tozero"),
        legend={"orientation": "h", "y": -0.25},  # under the dots: beside them, it squeezes them on a phone
    )
    return figure


# Which way is better for a feature: +1 more is better, -1 more is worse (days since the last purchase); features
# not listed (shares of an event or a channel) are neither, and get the neutral scale.
FEATURE_DIRECTIONS = {"recency": -1, "frequency": 1, "monetary": 1, "tenure": 1, "average_order_value": 1}


def build_segment_profiles_figure(
    segments: list[dict], feature_labels: dict[str, str], labels: dict[str, str], *, directions: dict[str, int] | None = None
) -> go.Figure:
    """Mean features per segment as a heatmap: colour is how far a segment is from the others on a feature
    (standardised per feature), the text the actual mean. Where more is better or worse (`directions`), green is
    better and red worse, whichever way the number goes; other features get a neutral purple-to-blue scale, so "red"
    never means merely "high"."""
    directions = FEATURE_DIRECTIONS if directions is None else directions
    features = [name for name in feature_labels if all(name in s["profile"] for s in segments)]
    values = np.array([[s["profile"][name] for name in features] for s in segments], dtype="float64").reshape(len(segments), len(features))
    spread = values.std(axis=0)
    scaled = np.divide(values - values.mean(axis=0), spread, out=np.zeros_like(values), where=spread > 0)
    rows = [s["label"] for s in segments]
    directed = [i for i, name in enumerate(features) if directions.get(name)]
    neutral = [i for i, name in enumerate(features) if not directions.get(name)]
    order = directed + neutral  # the columns drawn left to right: those with a good direction first
    traces = []
    start = 0
    for scale, columns in ((GOOD_BAD_SCALE, directed), (NEUTRAL_SCALE, neutral)):
        if not columns:
            continue
        sign = np.array([directions.get(features[i]) or 1 for i in columns], dtype="float64")
        traces.append(
            go.Heatmap(
                z=scaled[:, columns] * sign,
                # Numeric places, named by the axis' ticks: Plotly misplaces a second heatmap's text on a shared
                # category axis.
                x=list(range(start, start + len(columns))),
                customdata=[[feature_labels[features[i]] for i in columns] for _row in rows],
                y=rows,
                text=[[f"{value:,.1f}" for value in row] for row in values[:, columns]],
                texttemplate="%{text}",
                colorscale=scale,
                zmid=0,
                zmin=-2,
                zmax=2,
                showscale=False,
                hovertemplate="%{y} · %{customdata}: %{text}<extra></extra>",
            )
        )
        start += len(columns)
    figure = go.Figure(traces)
    title = "<br>".join([labels["title"], *(f"<sup>{note}</sup>" for note in labels.get("notes", []))])
    figure.update_layout(
        **chart_layout(title, height=160 + 40 * len(segments), margin={"l": 50, "r": 20, "t": 90, "b": 40}),
        xaxis={"tickmode": "array", "tickvals": list(range(len(order))), "ticktext": [feature_labels[features[i]] for i in order]},
    )
    return figure


def build_value_distribution_figure(distribution: dict, labels: dict[str, str]) -> go.Figure:
    """How many customers are expected to bring how much over the horizon: a histogram of predicted value per
    customer up to the 99th percentile, the last bar holding everyone above."""
    bins = distribution["bins"]
    middles = [(item["low"] + item["high"]) / 2 for item in bins]
    widths = [(item["high"] - item["low"]) * 0.95 for item in bins]
    ranges = [f"{item['low']:,.0f}–{item['high']:,.0f}" for item in bins]
    if bins:
        ranges[-1] = f"≥ {bins[-1]['low']:,.0f}"
    figure = go.Figure(
        go.Bar(
            x=middles,
            y=[item["customers"] for item in bins],
            width=widths,
            customdata=ranges,
            marker_color=COLORS["primary"],
            hovertemplate=f"%{{customdata}}: %{{y:,}} {labels['customers']}<extra></extra>",
        )
    )
    figure.update_layout(
        **chart_layout(labels["title"]),
        xaxis=number_axis(title={"text": labels["value"]}),
        yaxis=number_axis(title={"text": labels["customers_axis"]}),
        bargap=0,
    )
    return figure


def build_value_by_segment_figure(rows: list[dict], labels: dict[str, str]) -> go.Figure:
    """Average predicted value per customer of each segment, as horizontal bars (names read on a phone too), with
    the segment's share of the total value beside each bar."""
    rows = rows[::-1]  # the first on top
    figure = go.Figure(
        go.Bar(
            y=[row["label"] for row in rows],
            x=[row["average_value"] for row in rows],
            orientation="h",
            marker_color=COLORS["positive"],
            text=[f"{row['value_share'] * 100:.0f}{PERCENT_SUFFIX}" for row in rows],
            textposition="auto",
            customdata=[row["customers"] for row in rows],
            hovertemplate=f"%{{y}}: %{{x:,.2f}} · %{{customdata:,}} {labels['customers']}<extra></extra>",
        )
    )
    figure.update_layout(
        **chart_layout(labels["title"], height=140 + 40 * len(rows), margin={"l": 50, "r": 20, "t": 70, "b": 40}),
        xaxis=number_axis(title={"text": labels["value"]}),
        yaxis={"automargin": True},
    )
    return figure


def series_label(key: str) -> str:
    """A series key (a channel or product name from the data) made safe for Plotly's HTML-ish labels."""
    return chart_text(key)


def feature_label(name: str) -> str:
    """Words for a segmentation feature (event and channel shares are named after their value)."""
    known = {
        "recency": _("Days since last purchase"),
        "frequency": _("Orders"),
        "monetary": _("Spend"),
        "tenure": _("Days as customer"),
        "average_order_value": _("Average order"),
    }
    if name in known:
        return known[name]
    for prefix, words in (("event_share__", _("share of %(value)s")), ("channel_share__", _("share via %(value)s"))):
        if name.startswith(prefix):
            return words % {"value": chart_text(name.removeprefix(prefix))}
    return chart_text(name)


def analysis_figure(analysis: Analysis, name: str, *, series_key: str | None = None, language: str = "en") -> go.Figure:
    """The named figure of a finished analysis, with labels in the active language. NotFound for a name the
    analysis does not have."""
    if analysis.status != Analysis.Status.SUCCEEDED or name not in FIGURE_NAMES[analysis.kind]:
        raise NotFound()
    if name == "forecast":
        series = analysis_series(analysis, series_key)
        labels = {
            "title": _("Forecast: all")
            if series["key"] == "total"
            else _("Forecast: %(series)s") % {"series": series_label(series["key"])},
            "history": _("History"),
            "forecast": _("Forecast"),
            "interval80": _("%(level)d %% interval") % {"level": 80},
            "interval95": _("%(level)d %% interval") % {"level": 95},
        }
        return build_forecast_figure(series, labels)
    if analysis.kind == Analysis.Kind.LIFETIME_VALUE:
        return _lifetime_value_figure(analysis, name, language=language)
    segments = analysis_segments(analysis, language=language)
    if name == "segments":
        labels = {"title": _("Segments: share of customers and of revenue"), "customers": _("Customers"), "revenue": _("Revenue")}
        return build_segment_sizes_figure(segments, labels)
    if name == "scatter":
        labels = {"title": _("Recency and frequency of each customer"), "recency": _("Days since last purchase"), "frequency": _("Orders")}
        return build_segment_scatter_figure(segment_members(analysis), segments, labels)
    features = {key: feature_label(key) for key in (segments[0]["profile"] if segments else {})}
    labels = {
        "title": _("What each segment looks like (mean per customer)"),
        "notes": [_("Green: better than the other segments, red: worse."), _("Purple to blue: less to more, neither good nor bad.")],
    }
    return build_segment_profiles_figure(segments, features, labels)


def _lifetime_value_figure(analysis: Analysis, name: str, *, language: str) -> go.Figure:
    result = analysis.result
    value = _("Predicted value per customer, next %(days)s days") % {"days": result["horizon_days"]}
    if name == "value_distribution":
        labels = {
            "title": _("How predicted value is spread over customers"),
            "value": value,
            "customers": _("customers"),
            "customers_axis": _("Customers"),
        }
        return build_value_distribution_figure(result["distribution"], labels)
    labels = {
        "title": _("Predicted value per customer, by segment (share of the total beside)"),
        "value": value,
        "customers": _("customers"),
    }
    return build_value_by_segment_figure(segment_labels(result["by_segment"], language=language), labels)


def segment_labels(rows: list[dict], *, language: str) -> list[dict]:
    """Rows of `by_segment`, each with `label`: the segment's name in the reader's language."""
    chinese = language.lower().startswith("zh")
    return [{**row, "label": row["name_zh"] if chinese else row["name"]} for row in rows]
