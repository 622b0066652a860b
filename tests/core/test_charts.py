"""The house chart theme: figures carry the small house template (the "plotly" look for our trace types only), not
Plotly's 7 KB default that plotly.js would merge into every figure before drawing."""

import json

import plotly.graph_objects as go
import plotly.io as pio

from core.charts import HOUSE_TEMPLATE


def test_figures_carry_the_house_template_with_the_plotly_look_for_our_traces_only():
    figure = json.loads(go.Figure(go.Bar(x=[1], y=[2])).to_json())
    template = figure["layout"]["template"]
    plotly = pio.templates["plotly"].to_plotly_json()

    assert pio.templates.default == HOUSE_TEMPLATE
    assert sorted(template["data"]) == ["bar", "heatmap", "scatter", "scattergl", "scatterpolar"]
    assert template["data"]["bar"] == plotly["data"]["bar"]
    assert template["layout"]["plot_bgcolor"] == plotly["layout"]["plot_bgcolor"]
    assert "geo" not in template["layout"]
    assert "scene" not in template["layout"]
    assert len(json.dumps(template)) < len(json.dumps(plotly)) / 3
