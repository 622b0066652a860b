"""Plotly figures of the strategy views. Pure: plain data in, a go.Figure out, no database, so dashboards and share
links reuse them and tests check them directly."""

import re

import plotly.graph_objects as go

from core.charts import COLORS, HEAT_SCALE, chart_layout, chart_text

QUADRANT_PLACES = {"strength": (0, 1), "weakness": (1, 1), "opportunity": (0, 0), "threat": (1, 0)}
QUADRANT_COLORS = {
    "strength": COLORS["positive"],
    "weakness": COLORS["warning"],
    "opportunity": COLORS["primary"],
    "threat": COLORS["negative"],
}


def _wrapped(text: str, width: int = 16) -> str:
    """A label broken into lines about `width` columns wide (<br>, which Plotly draws), so long axis names fit beside a
    narrow chart: at spaces, and between any two Chinese characters (each two columns wide)."""
    lines = [""]
    for token in re.findall(r"[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+|\s+", text):
        if token.isspace():
            continue
        wide = bool(re.match(r"[\u2e80-\u9fff\uff00-\uffef]", token))
        gap = "" if wide or not lines[-1] or _is_wide(lines[-1][-1]) else " "
        if lines[-1] and _columns(lines[-1] + gap + token) > width:
            lines.append(token)
        else:
            lines[-1] += gap + token
    return "<br>".join(lines)


def _is_wide(char: str) -> bool:
    return "\u2e80" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"


def _columns(text: str) -> int:
    return sum(2 if _is_wide(char) else 1 for char in text)


def build_swot_figure(quadrants: dict[str, list[tuple[str, int]]], names: dict[str, str], title: str) -> go.Figure:
    """A 2×2 quadrant chart: each item a dot in its quadrant, sized by its weight (1–5), labelled with its text."""
    figure = go.Figure()
    for key, (column, row) in QUADRANT_PLACES.items():
        items = quadrants.get(key, [])
        # Three columns per quadrant, rows spread over the space under the quadrant's title, however many.
        rows = max((len(items) + 2) // 3, 1)
        step = min(0.25, 0.7 / rows)
        xs = [column + 0.2 + 0.3 * (index % 3) for index in range(len(items))]
        ys = [row + 0.78 - step * (index // 3) for index in range(len(items))]
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers+text",
                name=names[key],
                text=[chart_text(text if len(text) <= 22 else text[:21] + "…") for text, _weight in items],
                hovertext=[f"{chart_text(text)} ({weight})" for text, weight in items],
                hoverinfo="text",
                textposition="bottom center",
                marker={"size": [10 + 6 * weight for _text, weight in items], "color": QUADRANT_COLORS[key], "opacity": 0.8},
            )
        )
        figure.add_annotation(x=column + 0.5, y=row + 0.93, text=f"<b>{names[key]}</b>", showarrow=False, font={"size": 14})
    for value in (1,):
        figure.add_shape(type="line", x0=value, x1=value, y0=0, y1=2, line={"color": COLORS["muted"]})
        figure.add_shape(type="line", x0=0, x1=2, y0=value, y1=value, line={"color": COLORS["muted"]})
    figure.update_layout(
        **chart_layout(title, showlegend=False, height=520),
        xaxis={"range": [0, 2], "visible": False, "fixedrange": True},
        yaxis={"range": [0, 2], "visible": False, "fixedrange": True},
    )
    return figure


def build_five_forces_figure(scores: dict[str, float | None], names: dict[str, str], title: str) -> go.Figure:
    """A radar of the five forces (0 = no data, 1 weak … 5 strong)."""
    keys = list(names)
    values = [scores.get(key) or 0 for key in keys]
    theta = [names[key] for key in keys]
    figure = go.Figure(go.Scatterpolar(r=[*values, values[0]], theta=[*theta, theta[0]], fill="toself", line={"color": COLORS["accent"]}))
    # The names drawn on several lines, with wide side margins: they sit outside the circle, and Plotly makes no room
    # for them by itself.
    angular = {"tickmode": "array", "tickvals": theta, "ticktext": [_wrapped(chart_text(name)) for name in theta]}
    layout = chart_layout(title, height=480) | {"margin": {"l": 100, "r": 100, "t": 60, "b": 50}}
    figure.update_layout(**layout, polar={"radialaxis": {"range": [0, 5], "dtick": 1}, "angularaxis": angular}, showlegend=False)
    return figure


def build_force_drivers_figure(drivers: list[tuple[str, str, int]], names: dict[str, str], title: str) -> go.Figure:
    """Horizontal bars: every driver's score, coloured by its force. `drivers` holds (force, text, score)."""
    figure = go.Figure()
    for force, name in names.items():
        own = [(text, score) for key, text, score in drivers if key == force]
        if own:
            figure.add_trace(
                go.Bar(x=[score for _text, score in own], y=[chart_text(text[:40]) for text, _score in own], orientation="h", name=name)
            )
    figure.update_layout(
        **chart_layout(title, height=max(300, 40 + 26 * len(drivers))), xaxis={"range": [0, 5], "dtick": 1}, barmode="group"
    )
    return figure


def build_value_chain_figure(activities: list[tuple[str, float, int]], margin: float, labels: dict[str, str], title: str) -> go.Figure:
    """Cost share (% of revenue) and value contribution (1–5) of each activity, side by side, and the margin.
    `activities` holds (name, cost share, value score)."""
    names = [chart_text(name) for name, _cost, _value in activities]
    figure = go.Figure(
        [
            go.Bar(x=names, y=[cost for _name, cost, _value in activities], name=labels["cost"], marker_color=COLORS["warning"]),
            go.Bar(
                x=names,
                y=[value * 20 for _name, _cost, value in activities],
                name=labels["value"],
                marker_color=COLORS["positive"],
                hovertext=[f"{value}/5" for _name, _cost, value in activities],
            ),
        ]
    )
    figure.add_hline(y=margin, line_dash="dot", annotation_text=f"{labels['margin']}: {margin:.1f} %")
    figure.update_layout(
        **chart_layout(title, height=460, barmode="group"),
        yaxis={"range": [0, 100], "ticksuffix": " %"},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},  # above the bars: beside them, it squeezes them on a phone
    )
    return figure


def build_risk_matrix_figure(risks: list[tuple[str, int, int]], labels: dict[str, str], title: str) -> go.Figure:
    """A 5×5 heat map of probability × impact: each cell coloured by its score and showing how many risks sit there;
    hovering lists them. `risks` holds (title, probability, impact)."""
    counts = [[0] * 5 for _ in range(5)]
    names: list[list[list[str]]] = [[[] for _ in range(5)] for _ in range(5)]
    for name, probability, impact in risks:
        counts[probability - 1][impact - 1] += 1
        names[probability - 1][impact - 1].append(chart_text(name))
    figure = go.Figure(
        go.Heatmap(
            z=[[(row + 1) * (column + 1) for column in range(5)] for row in range(5)],
            x=list(range(1, 6)),
            y=list(range(1, 6)),
            text=[[str(counts[row][column] or "") for column in range(5)] for row in range(5)],
            texttemplate="%{text}",
            customdata=[["<br>".join(names[row][column]) or "—" for column in range(5)] for row in range(5)],
            hovertemplate=f"{labels['probability']} %{{y}} × {labels['impact']} %{{x}}<br>%{{customdata}}<extra></extra>",
            colorscale=HEAT_SCALE,
            showscale=False,
        )
    )
    figure.update_layout(
        **chart_layout(title, height=460),
        xaxis={"title": {"text": labels["impact"]}, "dtick": 1},
        yaxis={"title": {"text": labels["probability"]}, "dtick": 1},
    )
    return figure
