"""Unit economics on constructed inputs whose answers are worked out by hand."""

from datetime import date

import pytest

from ml.unit_economics import ORGANIC, ChannelValue, MonthCohort, SpendRow, unit_economics

JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)
COHORTS = (
    MonthCohort(JAN, 10, {"ads": 4, "seo": 5, None: 1}, (10.0, 5.0, 5.0)),
    MonthCohort(FEB, 10, {"ads": 6, "seo": 4}, (20.0, 10.0)),
)
SPEND = (SpendRow(JAN, "ads", 400.0), SpendRow(FEB, "ads", 300.0), SpendRow(JAN, "tv", 100.0))


def test_cac_per_channel_and_month_is_spend_over_the_new_customers_of_that_channel_and_month():
    result = unit_economics(spend=SPEND, cohorts=COHORTS, margin=None)

    assert [(row.month, row.channel, row.new_customers, row.cac) for row in result.by_month] == [
        (JAN, "ads", 4, 100.0),
        (JAN, "tv", 0, None),  # spend without a new customer has no CAC
        (FEB, "ads", 6, 50.0),
    ]
    assert result.blended_cac == 40.0  # 800 spent, 20 new customers in January and February (every channel)
    assert result.paid_new_customers == 10  # ads: 4 + 6; tv: none
    assert result.paid_cac == 80.0  # 800 spent ÷ the paid channels' 10, not flattered by organic customers


def test_channels_paid_first_organic_without_cac_and_unseen_ones_flagged():
    result = unit_economics(spend=SPEND, cohorts=COHORTS, margin=None)

    channels = {row.channel: row for row in result.channels}
    assert [row.channel for row in result.channels] == ["ads", "tv", "seo"]
    assert (channels["ads"].kind, channels["ads"].cac, channels["ads"].new_customers, channels["ads"].share_of_new) == (
        "paid",
        70.0,
        10,
        0.5,
    )
    assert (channels["seo"].kind, channels["seo"].cac, channels["seo"].share_of_new) == (ORGANIC, None, 0.45)
    assert channels["ads"].new_customers_in_spend_months == 10  # the CAC's divisor: 700 ÷ 10
    assert (channels["tv"].new_customers_in_spend_months, channels["tv"].cac) == (0, None)
    assert not channels["tv"].seen_in_data
    assert channels["ads"].seen_in_data
    assert channels["seo"].seen_in_data


def test_ltv_to_cac_is_margin_times_the_runs_value_over_cac():
    result = unit_economics(
        spend=SPEND,
        cohorts=COHORTS,
        margin=0.5,
        average_value=200.0,
        channel_values=(ChannelValue("ads", 10, 300.0), ChannelValue("seo", 9, 90.0)),
    )

    # the paid channels' customers (ads: 300) over the paid CAC; not the run's 200 over every customer, organic ones too
    assert result.ltv_to_cac == pytest.approx(0.5 * 300 / 80)
    channels = {row.channel: row for row in result.channels}
    assert channels["ads"].ltv_to_cac == pytest.approx(0.5 * 300 / 70)
    assert channels["seo"].ltv_to_cac is None  # organic: nothing to pay back
    assert channels["seo"].average_value == 90.0


def test_ltv_to_cac_weighs_the_paid_channels_by_their_customers_and_falls_back_to_all_without_channels():
    weighted = unit_economics(
        spend=(*SPEND, SpendRow(JAN, "seo", 50.0)),  # seo paid now too
        cohorts=COHORTS,
        margin=0.5,
        average_value=200.0,
        channel_values=(ChannelValue("ads", 10, 300.0), ChannelValue("seo", 9, 90.0)),
    )
    no_channels = unit_economics(spend=SPEND, cohorts=COHORTS, margin=0.5, average_value=200.0)

    assert weighted.ltv_to_cac == pytest.approx(0.5 * ((10 * 300 + 9 * 90) / 19) / weighted.paid_cac)
    assert no_channels.ltv_to_cac == pytest.approx(0.5 * 200 / 80)


def test_payback_curve_averages_the_cohorts_old_enough_weighted_by_size():
    result = unit_economics(spend=SPEND, cohorts=COHORTS, margin=0.5)

    # Age 0: (10×10 + 10×20) / 20 = 15; age 1: (10×15 + 10×30) / 20 = 22.5; age 2: January alone, 20.
    assert result.payback.cumulative_margin == pytest.approx((7.5, 11.25, 10.0))
    assert result.payback.cohorts == (2, 2, 1)
    assert result.payback.months is None  # the paid CAC, 80, is never reached


def test_payback_months_are_the_first_month_the_cumulative_margin_reaches_cac():
    cohort = MonthCohort(JAN, 2, {"ads": 2}, (10.0, 10.0, 10.0, 10.0))

    result = unit_economics(spend=(SpendRow(JAN, "ads", 30.0),), cohorts=(cohort,), margin=0.5)

    assert result.paid_cac == 15.0
    assert result.payback.cumulative_margin == (5.0, 10.0, 15.0, 20.0)
    assert result.payback.months == 3


def test_missing_pieces_leave_their_figures_empty():
    no_spend = unit_economics(spend=(), cohorts=COHORTS, margin=0.5, average_value=100.0)
    no_margin = unit_economics(spend=SPEND, cohorts=COHORTS, margin=None, average_value=100.0)
    no_run = unit_economics(spend=SPEND, cohorts=COHORTS, margin=0.5)

    assert (no_spend.paid_cac, no_spend.ltv_to_cac, no_spend.payback.months) == (None, None, None)
    assert all(row.kind == ORGANIC for row in no_spend.channels)
    assert (no_margin.ltv_to_cac, no_margin.payback) == (None, None)
    assert no_run.ltv_to_cac is None
    assert no_run.paid_cac == 80.0


def test_months_the_data_does_not_cover_entirely_are_left_out_of_cac():
    spend = (*SPEND, SpendRow(date(2025, 3, 1), "ads", 900.0), SpendRow(date(2025, 5, 1), "ads", 50.0))

    result = unit_economics(spend=spend, cohorts=COHORTS, margin=None, covered=(JAN, date(2025, 3, 4)))

    assert [(month.month, month.spend, month.days_covered) for month in result.left_out] == [
        (date(2025, 3, 1), 900.0, 4),
        (date(2025, 5, 1), 50.0, 0),
    ]
    assert result.spend == 800.0
    assert result.paid_cac == 80.0  # as without those months
