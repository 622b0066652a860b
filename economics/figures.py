"""The payback chart: pure, plain numbers in, a figure out."""

from collections.abc import Sequence

import plotly.graph_objects as go

from core.charts import COLORS, MARGIN, chart_layout, number_axis


def build_payback_figure(cumulative_margin: Sequence[float], cac: float | None, labels: dict[str, str]) -> go.Figure:
    """Cumulative margin per original customer by month of age (the line), against what acquiring one cost (the
    dashed level): where the line crosses it, the customer has paid back."""
    months = list(range(1, len(cumulative_margin) + 1))
    traces: list[go.Scatter] = [
        go.Scatter(x=months, y=list(cumulative_margin), name=labels["margin"], mode="lines+markers", line={"color": COLORS["positive"]})
    ]
    if cac is not None and months:
        traces.append(
            go.Scatter(
                x=[months[0], months[-1]], y=[cac, cac], name=labels["cac"], mode="lines", line={"color": COLORS["warning"], "dash": "dash"}
            )
        )
    figure = go.Figure(traces)
    figure.update_layout(
        **chart_layout(labels["title"], margin={**MARGIN, "b": 90}),
        xaxis={"title": {"text": labels["months"]}, "dtick": 1 if len(months) <= 24 else None, "rangemode": "tozero"},
        yaxis=number_axis(title={"text": labels["unit"]}, rangemode="tozero"),
        legend={"orientation": "h", "y": -0.3},
    )
    return figure
