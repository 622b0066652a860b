"""Plotly figures of a dataset's summary. Pure: the summary dict in, figures out."""

from html import escape

import plotly.graph_objects as go

FONT = "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"


def _layout(title: str, **extra: object) -> dict:
    return {"title": {"text": title}, "font": {"family": FONT}, "margin": {"l": 50, "r": 20, "t": 50, "b": 40}, "height": 360, **extra}


def build_activity_figure(daily: dict, labels: dict[str, str]) -> go.Figure:
    """Events per day (bars) and revenue per day (line, second axis)."""
    figure = go.Figure(
        [
            go.Bar(x=daily["day"], y=daily["events"], name=labels["events"], marker_color="#84adff"),
            go.Scatter(x=daily["day"], y=daily["revenue"], name=labels["revenue"], yaxis="y2", line={"color": "#12b76a"}),
        ]
    )
    figure.update_layout(
        **_layout(labels["title"]), yaxis2={"overlaying": "y", "side": "right", "showgrid": False}, legend={"orientation": "h"}
    )
    return figure


def build_counts_figure(counts: dict, title: str) -> go.Figure:
    """Horizontal bars of the most frequent values (events, channels); user text escaped for Plotly's labels."""
    figure = go.Figure(go.Bar(x=counts["count"][::-1], y=[escape(name, quote=False) for name in counts["name"][::-1]], orientation="h"))
    figure.update_layout(**_layout(title))
    return figure


def build_new_returning_figure(weekly: dict, labels: dict[str, str]) -> go.Figure:
    figure = go.Figure(
        [
            go.Bar(x=weekly["week"], y=weekly["new"], name=labels["new"], marker_color="#2e90fa"),
            go.Bar(x=weekly["week"], y=weekly["returning"], name=labels["returning"], marker_color="#98a2b3"),
        ]
    )
    figure.update_layout(**_layout(labels["title"], barmode="stack"), legend={"orientation": "h"})
    return figure
