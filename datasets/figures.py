"""Plotly figures of a dataset's summary and its retention cohorts. Pure: plain data in, figures out."""

import plotly.graph_objects as go

from core.charts import COLORS, PERCENT_SUFFIX, SEQUENTIAL_SCALE, chart_layout, chart_text, number_axis
from ingest.cohorts import Cohort


def build_activity_figure(daily: dict, labels: dict[str, str]) -> go.Figure:
    """Events per day (bars) and revenue per day (line, second axis); no revenue line for data without amounts
    (a flat zero would read as "no sales")."""
    traces: list[go.Bar | go.Scatter] = [go.Bar(x=daily["day"], y=daily["events"], name=labels["events"], marker_color=COLORS["light"])]
    if any(daily.get("revenue") or []):
        traces.append(
            go.Scatter(x=daily["day"], y=daily["revenue"], name=labels["revenue"], yaxis="y2", line={"color": COLORS["positive"]})
        )
    figure = go.Figure(traces)
    figure.update_layout(
        **chart_layout(labels["title"]),
        yaxis=number_axis(rangemode="tozero"),
        yaxis2=number_axis(overlaying="y", side="right", showgrid=False, rangemode="tozero"),
        legend={"orientation": "h"},
    )
    return figure


def build_counts_figure(counts: dict, title: str) -> go.Figure:
    """Horizontal bars of the most frequent values (events, channels); user text escaped for Plotly's labels."""
    figure = go.Figure(go.Bar(x=counts["count"][::-1], y=[chart_text(name) for name in counts["name"][::-1]], orientation="h"))
    figure.update_layout(**chart_layout(title), xaxis=number_axis())
    return figure


def build_new_returning_figure(weekly: dict, labels: dict[str, str]) -> go.Figure:
    """Customers active each week: new ones and returning ones, stacked."""
    figure = go.Figure(
        [
            go.Bar(x=weekly["week"], y=weekly["new"], name=labels["new"], marker_color=COLORS["primary"]),
            go.Bar(x=weekly["week"], y=weekly["returning"], name=labels["returning"], marker_color=COLORS["muted"]),
        ]
    )
    figure.update_layout(**chart_layout(labels["title"], barmode="stack"), yaxis=number_axis(), legend={"orientation": "h"})
    return figure


NARROW_AGES = 7  # columns of the heat map on a phone


def build_cohorts_heatmap(cohorts: list[Cohort], measure: str, labels: dict[str, str], *, ages: int) -> go.Figure:
    """Cohorts (rows, oldest at the top) by age 0..`ages`-1 (columns), coloured by the share still active or the
    revenue per original customer, the number in each cell (shares in per cent); ages a cohort has not reached are
    left blank. No colour bar: the numbers say what the colours only stress."""
    share = measure == "active"
    curves = [list(getattr(cohort, measure))[:ages] for cohort in cohorts]
    ages = max((len(curve) for curve in curves), default=0)
    z = [[value * 100 if share else value for value in curve] + [None] * (ages - len(curve)) for curve in curves]
    text = [[("" if value is None else f"{value:,.0f}" if share else f"{value:,.2f}") for value in row] for row in z]
    rows = [labels["row"] % {"start": cohort.start.isoformat(), "size": cohort.size} for cohort in cohorts]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(ages)),
            y=rows,
            text=text,
            texttemplate="%{text}",
            colorscale=SEQUENTIAL_SCALE,
            zmin=0,
            zmax=100 if share else None,
            showscale=False,
            xgap=1,
            ygap=1,
            hovertemplate=f"%{{y}} · {labels['age']} %{{x}}: %{{text}}{PERCENT_SUFFIX if share else ''}<extra></extra>",
            hoverongaps=False,
        )
    )
    figure.update_layout(
        **chart_layout(labels["title"], height=140 + 26 * len(cohorts), margin={"l": 50, "r": 10, "t": 50, "b": 50}),
        xaxis={"title": {"text": labels["age"]}, "dtick": 1, "showgrid": False},
        yaxis={"autorange": "reversed", "automargin": True, "type": "category", "showgrid": False},
        plot_bgcolor="#ffffff",
        meta={"narrow_xrange": [-0.5, min(ages, NARROW_AGES) - 0.5]},  # a phone shows the first ages (static/js/figures.js)
    )
    return figure


def build_cohorts_average_figure(average: list[float], measure: str, labels: dict[str, str]) -> go.Figure:
    """The curve averaged across cohorts (weighted by size) at each age: the share still active, or the revenue per
    original customer."""
    share = measure == "active"
    values = [value * 100 if share else value for value in average]
    figure = go.Figure(go.Scatter(x=list(range(len(values))), y=values, mode="lines+markers", line={"color": COLORS["primary"]}))
    figure.update_layout(
        **chart_layout(labels["title"]),
        xaxis={"title": {"text": labels["age"]}, "dtick": 1 if len(values) <= 24 else None},
        yaxis=number_axis(rangemode="tozero", ticksuffix=PERCENT_SUFFIX if share else "", hoverformat=",.1f" if share else ",.2f"),
    )
    return figure
