"""The models' result figures, checked on their JSON: colours that say better or worse where a feature has a good
direction, a neutral scale where it has none, and tick labels without SI letters."""

from analysis.figures import (
    build_forecast_figure,
    build_segment_profiles_figure,
    build_segment_sizes_figure,
    build_value_by_segment_figure,
    build_value_distribution_figure,
)
from core.charts import GOOD_BAD_SCALE, NEUTRAL_SCALE, NUMBER_FORMAT

SEGMENTS = [
    {"label": "忠诚客户", "profile": {"recency": 10.0, "frequency": 12.0, "event_share__退款": 0.1}},
    {"label": "流失客户", "profile": {"recency": 200.0, "frequency": 1.0, "event_share__退款": 0.4}},
]
FEATURES = {"recency": "距上次购买天数", "frequency": "订单数", "event_share__退款": "退款占比"}


def test_the_profile_heatmap_colours_better_green_and_worse_red_whichever_way_the_number_goes():
    figure = build_segment_profiles_figure(SEGMENTS, FEATURES, {"title": "t"})

    directed = next(trace for trace in figure.data if [list(pair) for pair in trace.colorscale] == GOOD_BAD_SCALE)
    names = dict(zip(figure.layout.xaxis.tickvals, figure.layout.xaxis.ticktext, strict=True))
    columns = [names[x] for x in directed.x]
    recency, frequency = columns.index("距上次购买天数"), columns.index("订单数")
    loyal, lost = 0, 1
    assert directed.z[loyal][recency] > 0 > directed.z[lost][recency]  # fewer days since the last purchase: better
    assert directed.z[loyal][frequency] > 0 > directed.z[lost][frequency]  # more orders: better
    assert directed.zmid == 0
    assert directed.text[lost][recency] == "200.0"  # the text is the real mean, not the colour's number


def test_a_feature_that_is_neither_good_nor_bad_gets_the_neutral_scale():
    figure = build_segment_profiles_figure(SEGMENTS, FEATURES, {"title": "t", "notes": ["绿色：较好", "紫色：较多"]})

    neutral = next(trace for trace in figure.data if [list(pair) for pair in trace.colorscale] == NEUTRAL_SCALE)
    names = dict(zip(figure.layout.xaxis.tickvals, figure.layout.xaxis.ticktext, strict=True))
    assert [names[x] for x in neutral.x] == ["退款占比"]  # a column of its own, right of the directed ones
    assert neutral.customdata[1][0] == "退款占比"  # the hover names it
    assert neutral.z[1][0] > 0  # more refunds: "more", drawn blue, not red
    assert figure.layout.title.text == "t<br><sup>绿色：较好</sup><br><sup>紫色：较多</sup>"  # short lines: a phone shows them whole


def test_sizes_and_forecast_axes_use_plain_thousands_not_si_letters():
    sizes = build_segment_sizes_figure(
        [{"label": "a", "share": 0.5, "revenue_share": 0.25}], {"title": "t", "customers": "c", "revenue": "r"}
    )
    series = {
        "history": [["2025-01-06", 210.0], ["2025-01-13", 3630.0]],
        "forecast": [{"ds": "2025-01-20", "yhat": 1.0, **dict.fromkeys(("lo80", "hi80", "lo95", "hi95"), 1.0)}],
    }
    labels = {"title": "t", "history": "h", "forecast": "f", "interval80": "80", "interval95": "95"}

    forecast = build_forecast_figure(series, labels)

    assert sizes.layout.xaxis.tickformat == NUMBER_FORMAT == ",~f"
    assert sizes.layout.xaxis.ticksuffix == " %"
    assert sizes.data[0].orientation == "h"  # names on the left: readable on a phone
    assert forecast.layout.yaxis.tickformat == NUMBER_FORMAT


def test_the_value_histogram_names_each_bar_by_its_range_and_the_last_as_open():
    distribution = {"bins": [{"low": 0.0, "high": 50.0, "customers": 7}, {"low": 50.0, "high": 100.0, "customers": 2}]}
    labels = {"title": "t", "value": "价值", "customers": "位客户", "customers_axis": "客户"}

    [bars] = build_value_distribution_figure(distribution, labels).data

    assert list(bars.y) == [7, 2]
    assert list(bars.customdata) == ["0–50", "≥ 50"]
    assert "位客户" in bars.hovertemplate


def test_value_by_segment_puts_the_first_segment_on_top_with_its_share():
    rows = [
        {"label": "冠军客户", "average_value": 300.0, "value_share": 0.7, "customers": 10},
        {"label": "已流失客户", "average_value": 5.0, "value_share": 0.01, "customers": 90},
    ]

    [bars] = build_value_by_segment_figure(rows, {"title": "t", "value": "价值", "customers": "位客户"}).data

    assert list(bars.y) == ["已流失客户", "冠军客户"]
    assert list(bars.text) == ["1 %", "70 %"]
