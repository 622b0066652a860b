"""Plotly figures of the strategy views. Pure: plain data in, a go.Figure out, no database, so dashboards and share
links reuse them and tests check them directly."""

import re

import plotly.graph_objects as go

from core.charts import COLORS, HEAT_SCALE, PERCENT_SUFFIX, chart_layout, chart_text, number_axis

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


SWOT_SHOWN = 6  # items drawn per quadrant, heaviest first; the page lists them all beside the chart
SWOT_LABEL_COLUMNS = 30  # a label's line width (a Chinese character counts two), two lines at most
SWOT_NARROW_COLUMNS = 14  # the same on a phone, where a quadrant is ~120 px wide (static/js/figures.js swaps them)


def _label(text: str, width: int, lines: int) -> str:
    """User text wrapped to at most `lines` lines of about `width` columns, the rest cut with "…" (the hover has it
    all), escaped for Plotly line by line (so a cut never splits an entity)."""
    wrapped = _wrapped(text, width).split("<br>")
    if len(wrapped) > lines:
        rest = wrapped[lines - 1]
        for line in wrapped[lines:]:
            rest += ("" if _is_wide(rest[-1]) and _is_wide(line[0]) else " ") + line
        wrapped = [*wrapped[: lines - 1], _cut(rest, width - 1) + "…"]  # the last line filled, then cut
    return "<br>".join(chart_text(_cut(line, width)) for line in wrapped)


def _cut(text: str, width: int) -> str:
    """`text` cut to `width` columns (a single long word would otherwise overflow its line)."""
    while _columns(text) > width:
        text = text[:-1]
    return text


def build_swot_figure(
    quadrants: dict[str, list[tuple[str, int]]], names: dict[str, str], title: str, *, more: str = "+%(count)d"
) -> go.Figure:
    """A 2×2 quadrant chart: in each quadrant its heaviest items, one per row, a dot sized by the weight (1–5) and
    the text beside it on at most two lines; the full text is in the hover. Items past SWOT_SHOWN are counted in a
    note (`more`, a translated "%(count)d more")."""
    figure = go.Figure()
    for key, (column, row) in QUADRANT_PLACES.items():
        items = sorted(quadrants.get(key, []), key=lambda item: -item[1])
        shown = items[:SWOT_SHOWN]
        step = 0.78 / SWOT_SHOWN  # rows of equal height under the quadrant's title: two lines of text fit in each
        figure.add_trace(
            go.Scatter(
                x=[column + 0.06] * len(shown),
                y=[row + 0.8 - step * index for index in range(len(shown))],
                mode="markers+text",
                name=names[key],
                text=[_label(text, SWOT_LABEL_COLUMNS, 2) for text, _weight in shown],
                meta={"narrow_text": [_label(text, SWOT_NARROW_COLUMNS, 2) for text, _weight in shown]},
                hovertext=[f"{chart_text(text)} ({weight})" for text, weight in shown],
                hoverinfo="text",
                textposition="middle right",
                textfont={"size": 11},
                cliponaxis=False,
                marker={"size": [8 + 3 * weight for _text, weight in shown], "color": QUADRANT_COLORS[key], "opacity": 0.8},
            )
        )
        figure.add_annotation(x=column + 0.5, y=row + 0.95, text=f"<b>{names[key]}</b>", showarrow=False, font={"size": 14})
        if len(items) > len(shown):
            figure.add_annotation(
                x=column + 0.96,
                y=row + 0.02,
                text=more % {"count": len(items) - len(shown)},
                showarrow=False,
                xanchor="right",
                yanchor="bottom",
                font={"size": 11, "color": COLORS["muted"]},
            )
    for value in (1,):
        figure.add_shape(type="line", x0=value, x1=value, y0=0, y1=2, line={"color": COLORS["muted"]})
        figure.add_shape(type="line", x0=0, x1=2, y0=value, y1=value, line={"color": COLORS["muted"]})
    figure.update_layout(
        **chart_layout(title, showlegend=False, height=580),
        xaxis={"range": [0, 2], "visible": False, "fixedrange": True},
        yaxis={"range": [0, 2], "visible": False, "fixedrange": True},
    )
    return figure


RADAR_ROTATION = 90  # the first force at the top, the others clockwise


def radar_spoke_angles(count: int) -> list[float]:
    """The angles (degrees, counter-clockwise from the right) where a clockwise radar of `count` spokes draws them."""
    return [(RADAR_ROTATION - index * 360 / count) % 360 for index in range(count)]


def build_five_forces_figure(scores: dict[str, float | None], names: dict[str, str], title: str) -> go.Figure:
    """A radar of the five forces (0 = no data, 1 weak … 5 strong). The score ticks run along a line halfway between
    the first two spokes, so they never sit on a force's name."""
    keys = list(names)
    values = [scores.get(key) or 0 for key in keys]
    theta = [names[key] for key in keys]
    figure = go.Figure(go.Scatterpolar(r=[*values, values[0]], theta=[*theta, theta[0]], fill="toself", line={"color": COLORS["accent"]}))
    # The names drawn on several lines, with wide side margins: they sit outside the circle, and Plotly makes no room
    # for them by itself.
    angular = {
        "tickmode": "array",
        "tickvals": theta,
        "ticktext": [_wrapped(chart_text(name)) for name in theta],
        "rotation": RADAR_ROTATION,
        "direction": "clockwise",
    }
    between = (RADAR_ROTATION - 180 / len(keys)) % 360 if keys else RADAR_ROTATION
    radial = {
        "range": [0, 5],
        "tickvals": [1, 2, 3, 4, 5],
        "angle": between,
        "tickangle": between,
        "tickfont": {"size": 10, "color": COLORS["muted"]},
    }
    layout = chart_layout(title, height=480) | {"margin": {"l": 100, "r": 100, "t": 70, "b": 50}}
    figure.update_layout(**layout, polar={"radialaxis": radial, "angularaxis": angular}, showlegend=False)
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
    layout = chart_layout(title, height=max(300, 70 + 26 * len(drivers)), margin={"l": 50, "r": 20, "t": 110, "b": 40}) | {
        # The legend above the bars (beside them, it takes the width the drivers' names need), the title above it.
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "title": {"text": title, "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 12}},
    }
    figure.update_layout(**layout, xaxis={"range": [0, 5], "dtick": 1}, barmode="group")
    return figure


def build_value_chain_figure(activities: list[tuple[str, float, int]], margin: float, labels: dict[str, str], title: str) -> go.Figure:
    """Cost share (% of revenue, left axis) and value contribution (1–5, its own right axis: each on its true scale)
    of each activity, side by side, and the margin. `activities` holds (name, cost share, value score); a value of 0
    means not entered."""
    names = [chart_text(name) for name, _cost, _value in activities]
    figure = go.Figure(
        [
            go.Bar(
                x=names,
                y=[cost for _name, cost, _value in activities],
                name=labels["cost"],
                marker_color=COLORS["warning"],
                offsetgroup="cost",
            ),
            go.Bar(
                x=names,
                y=[value for _name, _cost, value in activities],
                name=labels["value"],
                marker_color=COLORS["positive"],
                yaxis="y2",
                offsetgroup="value",
            ),
        ]
    )
    figure.add_hline(y=margin, line_dash="dot", annotation_text=f"{labels['margin']}: {margin:.1f} %")
    figure.update_layout(
        **chart_layout(title, height=480, barmode="group", margin={"l": 60, "r": 60, "t": 100, "b": 90}),
        yaxis=number_axis(range=[0, 100], ticksuffix=PERCENT_SUFFIX, title={"text": labels["cost"]}),
        yaxis2={"range": [0, 5], "dtick": 1, "overlaying": "y", "side": "right", "showgrid": False, "title": {"text": labels["value"]}},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},  # above the bars (under the title, with the
        # top margin to hold both): beside them, it squeezes them on a phone
    )
    return figure


RISK_NAMES_SHOWN = 3  # names written in a cell; the hover lists them all
RISK_NAME_COLUMNS = 24  # two lines of this width per name in a ~220 px cell
RISK_NARROW_COLUMNS = 8  # one line in a phone's ~60 px cell (static/js/figures.js swaps them)


def build_risk_matrix_figure(risks: list[tuple[str, int, int]], labels: dict[str, str], title: str) -> go.Figure:
    """A 5×5 heat map of probability × impact: each cell coloured by its score and naming the risks that sit there
    (shortened, at most RISK_NAMES_SHOWN and "+n"); hovering lists them in full. `risks` holds (title, probability,
    impact)."""
    names: list[list[list[str]]] = [[[] for _ in range(5)] for _ in range(5)]
    for name, probability, impact in risks:
        names[probability - 1][impact - 1].append(name)

    def cell(row: int, column: int, *, narrow: bool = False) -> str:
        here = names[row][column]
        text = [_label(name, RISK_NARROW_COLUMNS, 1) if narrow else _label(name, RISK_NAME_COLUMNS, 2) for name in here[:RISK_NAMES_SHOWN]]
        if len(here) > RISK_NAMES_SHOWN:
            text.append(f"+{len(here) - RISK_NAMES_SHOWN}")
        return "<br>".join(text)

    figure = go.Figure(
        go.Heatmap(
            z=[[(row + 1) * (column + 1) for column in range(5)] for row in range(5)],
            x=list(range(1, 6)),
            y=list(range(1, 6)),
            text=[[cell(row, column) for column in range(5)] for row in range(5)],
            meta={"narrow_text": [[cell(row, column, narrow=True) for column in range(5)] for row in range(5)]},
            texttemplate="%{text}",
            textfont={"size": 10},
            customdata=[["<br>".join(chart_text(name) for name in names[row][column]) or "—" for column in range(5)] for row in range(5)],
            hovertemplate=f"{labels['probability']} %{{y}} × {labels['impact']} %{{x}}<br>%{{customdata}}<extra></extra>",
            colorscale=HEAT_SCALE,
            showscale=False,
        )
    )
    figure.update_layout(
        **chart_layout(title, height=520),
        xaxis={"title": {"text": labels["impact"]}, "dtick": 1, "fixedrange": True},
        yaxis={"title": {"text": labels["probability"]}, "dtick": 1, "fixedrange": True},
    )
    return figure
