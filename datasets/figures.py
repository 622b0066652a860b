"""Plotly figures of a dataset's summary. Pure: the summary dict in, figures out."""

import plotly.graph_objects as go

from core.charts import COLORS, chart_layout, chart_text, number_axis


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
