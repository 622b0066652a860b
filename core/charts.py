"""The one chart theme every Plotly figure uses: the font (with Chinese glyphs), the margins, the palette, and the
escaping of user text that Plotly would otherwise draw as HTML. Figure builders stay pure (plain data in, a figure
out); only the look is said here."""

from html import escape

import plotly.io as pio

FONT = "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"
MARGIN = {"l": 50, "r": 20, "t": 50, "b": 40}
HEIGHT = 360
COLORS = {
    "ink": "#344054",  # history, main lines
    "primary": "#2e90fa",  # forecasts, new
    "light": "#84adff",  # counts
    "accent": "#3056d3",  # radar outline
    "positive": "#12b76a",  # revenue, value, strengths
    "warning": "#f79009",  # costs, weaknesses
    "negative": "#f04438",  # threats
    "muted": "#98a2b3",  # reference lines, returning
}
# One colour per series or segment, in order (Plotly's default cycle, toned to the palette above).
SERIES_COLORS = ["#2e90fa", "#12b76a", "#f79009", "#9e77ed", "#f04438", "#0ba5ec", "#ee46bc", "#667085", "#b54708", "#099250"]
HEAT_SCALE = [[0, "#d1fadf"], [0.5, "#fef0c7"], [1, "#fecdca"]]  # low → high risk
SEQUENTIAL_SCALE = [[0, "#ffffff"], [1, "#2e90fa"]]  # none → most, where more is simply more (retention, revenue)
# Diverging scales for "how far from the others": one where the sign means worse/better (red … white … green), and a
# neutral one for measures where more is neither good nor bad (purple … white … teal: no traffic-light reading).
GOOD_BAD_SCALE = [[0, "#f04438"], [0.5, "#ffffff"], [1, "#12b76a"]]  # worse → better
NEUTRAL_SCALE = [[0, "#9e77ed"], [0.5, "#ffffff"], [1, "#0ba5ec"]]  # less → more
# Tick labels as d3 formats: whole numbers with a thousands separator ("3,630", never "3.63k" or "0.21k", and no SI
# letter in a Chinese page), decimals only where the axis needs them.
NUMBER_FORMAT = ",~f"
PERCENT_SUFFIX = " %"


# Plotly's default template ("plotly") rides in every figure's JSON: 7 KB of defaults for 24 trace types and for maps,
# 3-D scenes and ternary plots, which plotly.js then merges into each figure before drawing (about a third of the
# first chart's drawing time on a cold page, measured with bench/page_load.py). The house template keeps the same look
# for what we draw: the "plotly" layout without those subplots, and trace defaults only for our trace types.
HOUSE_TEMPLATE = "bizcanvas"
_TRACE_TYPES = ("bar", "heatmap", "scatter", "scatterpolar", "scattergl")
_UNUSED_LAYOUT = ("geo", "mapbox", "scene", "ternary", "shapedefaults", "annotationdefaults", "coloraxis", "colorscale")


def _house_template() -> dict:
    plotly = pio.templates["plotly"].to_plotly_json()
    layout = {key: value for key, value in plotly["layout"].items() if key not in _UNUSED_LAYOUT}
    return {"layout": layout, "data": {kind: plotly["data"][kind] for kind in _TRACE_TYPES}}


pio.templates[HOUSE_TEMPLATE] = _house_template()
pio.templates.default = HOUSE_TEMPLATE


def chart_layout(title: str, **extra: object) -> dict:
    """A figure's layout in the house style: `extra` adds to it or overrides it (height, margin, axes…)."""
    return {"title": {"text": title}, "font": {"family": FONT}, "margin": MARGIN, "height": HEIGHT, **extra}


def number_axis(**extra: object) -> dict:
    """A numeric axis (counts, money, scores) with the house tick and hover formats; `extra` adds to it."""
    return {"tickformat": NUMBER_FORMAT, "hoverformat": ",.2~f", **extra}


def chart_text(text: str) -> str:
    """User text for a figure: Plotly draws <a>, <b>, <span style> in labels and hovers, so escape it."""
    return escape(text, quote=False)
