"""The dataset page's figures, checked on their JSON: counts and revenue ticks as plain thousands ("3,630"), never
"0.21k" or "3.63k" (d3's default SI letters, which a Chinese page cannot read either)."""

from core.charts import NUMBER_FORMAT
from datasets.figures import build_activity_figure, build_counts_figure, build_new_returning_figure


def test_every_numeric_axis_of_the_dataset_figures_has_the_house_number_format():
    daily = {"day": ["2025-01-06", "2025-01-07"], "events": [210, 3630], "revenue": [210.5, 3630.25]}
    weekly = {"week": ["2025-01-06"], "new": [3], "returning": [4]}

    activity = build_activity_figure(daily, {"title": "t", "events": "e", "revenue": "r"})
    counts = build_counts_figure({"name": ["订阅"], "count": [3630]}, "t")
    customers = build_new_returning_figure(weekly, {"title": "t", "new": "n", "returning": "r"})

    assert activity.layout.yaxis.tickformat == activity.layout.yaxis2.tickformat == NUMBER_FORMAT
    assert counts.layout.xaxis.tickformat == NUMBER_FORMAT
    assert customers.layout.yaxis.tickformat == NUMBER_FORMAT
    assert "s" not in NUMBER_FORMAT  # no SI prefix


def test_data_without_amounts_draws_no_flat_revenue_line():
    daily = {"day": ["2025-01-06", "2025-01-07"], "events": [3, 4], "revenue": [0.0, 0.0]}

    figure = build_activity_figure(daily, {"title": "t", "events": "e", "revenue": "r"})

    assert [trace.name for trace in figure.data] == ["e"]
