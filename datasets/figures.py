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


def build_cohorts_heatmap(cohorts: list[Cohort], measure: str, labels: dict[str, str], *, ages: int, partial_last: bool) -> go.Figure:
    """Cohorts (rows, oldest at the top) by age 0..`ages`-1 (columns), coloured by the share still active or the
    revenue per original customer, the number in each cell (shares in per cent); ages a cohort has not reached are
    left blank. When the data's last period is `partial_last`, each row's last cell (that period) is drawn grey, as
    a second trace, so that its lower number does not read as a drop. No colour bar: the numbers say what the
    colours only stress."""
    share = measure == "active"
    curves = [list(getattr(cohort, measure)) for cohort in cohorts]
    ages = max((min(len(curve), ages) for curve in curves), default=0)
    z = [[value * 100 if share else value for value in curve[:ages]] + [None] * (ages - len(curve[:ages])) for curve in curves]
    partial: list[list[float | None]] = [[None] * ages for _row in z]
    if partial_last:
        for row, curve in enumerate(curves):
            if len(curve) <= ages:  # its last cell is shown
                partial[row][len(curve) - 1], z[row][len(curve) - 1] = z[row][len(curve) - 1], None
    rows = [labels["row"] % {"start": cohort.start.isoformat(), "size": cohort.size} for cohort in cohorts]
    common = {"x": list(range(ages)), "y": rows, "texttemplate": "%{text}", "showscale": False, "xgap": 1, "ygap": 1, "hoverongaps": False}
    suffix = PERCENT_SUFFIX if share else ""
    traces = [
        go.Heatmap(
            z=z,
            text=_cell_texts(z, share),
            colorscale=SEQUENTIAL_SCALE,
            zmin=0,
            zmax=100 if share else None,
            hovertemplate=f"%{{y}} · {labels['age']} %{{x}}: %{{text}}{suffix}<extra></extra>",
            **common,
        )
    ]
    if partial_last:
        traces.append(
            go.Heatmap(
                z=[[None if value is None else 0 for value in row] for row in partial],
                text=_cell_texts(partial, share),
                colorscale=[[0, PARTIAL_CELL], [1, PARTIAL_CELL]],
                hovertemplate=f"%{{y}} · {labels['age']} %{{x}}: %{{text}}{suffix} ({labels['partial']})<extra></extra>",
                **common,
            )
        )
    figure = go.Figure(traces)
    figure.update_layout(
        **chart_layout(labels["title"], height=140 + 26 * len(cohorts), margin={"l": 50, "r": 10, "t": 50, "b": 50}),
        xaxis={"title": {"text": labels["age"]}, "dtick": 1, "showgrid": False},
        yaxis={"autorange": "reversed", "automargin": True, "type": "category", "showgrid": False},
        plot_bgcolor="#ffffff",
        meta={"narrow_xrange": [-0.5, min(ages, NARROW_AGES) - 0.5]},  # a phone shows the first ages (static/js/figures.js)
    )
    return figure


PARTIAL_CELL = "#eaecf0"  # the cells of a period the data covers only in part


def _cell_texts(z: list[list[float | None]], share: bool) -> list[list[str]]:
    return [[("" if value is None else f"{value:,.0f}" if share else f"{value:,.2f}") for value in row] for row in z]


def build_cohorts_average_figure(
    average: list[float], customers: list[int], cohorts: list[int], measure: str, labels: dict[str, str]
) -> go.Figure:
    """The curve averaged across cohorts (weighted by size) at each age: the share still active, or the revenue per
    original customer; its hover says how many customers and cohorts each point rests on."""
    share = measure == "active"
    values = [value * 100 if share else value for value in average]
    figure = go.Figure(
        go.Scatter(
            x=list(range(len(values))),
            y=values,
            customdata=list(zip(customers, cohorts, strict=True)),
            mode="lines+markers",
            line={"color": COLORS["primary"]},
            hovertemplate=f"{labels['age']} %{{x}}: %{{y}}{PERCENT_SUFFIX if share else ''} · {labels['rests_on']}<extra></extra>",
        )
    )
    figure.update_layout(
        **chart_layout(labels["title"]),
        xaxis={"title": {"text": labels["age"]}, "dtick": 1 if len(values) <= 24 else None},
        yaxis=number_axis(rangemode="tozero", ticksuffix=PERCENT_SUFFIX if share else "", hoverformat=",.1f" if share else ",.2f"),
    )
    return figure
