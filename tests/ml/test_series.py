"""ml.series: an events table becomes regular series in statsforecast's format."""

import numpy as np
import pandas as pd
import pytest

from ml.series import SeriesError, build_series, propose_frequency, statsforecast_freq


def events(rows: list[tuple]) -> pd.DataFrame:
    """A normalised events table from (user_id, ISO timestamp, event, amount, quantity, product, channel) rows."""
    frame = pd.DataFrame(rows, columns=["user_id", "timestamp", "event", "amount", "quantity", "product", "channel"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    for column in ("user_id", "event", "product", "channel"):
        frame[column] = frame[column].astype("string")
    return frame.astype({"amount": "float64", "quantity": "float64"})


@pytest.fixture
def shop() -> pd.DataFrame:
    # Week of Mon 2024-01-01: two sales by a, one by b, a view; week of 01-08: nothing; week of 01-15: a sale and a refund.
    return events(
        [
            ("a", "2024-01-01T09:00:00Z", "purchase", 10.0, 1.0, "tea", "web"),
            ("a", "2024-01-01T09:00:00Z", "purchase", 5.0, 2.0, "mug", "web"),  # same basket: one order
            ("b", "2024-01-03T12:00:00Z", "purchase", 20.0, 1.0, "tea", "app"),
            ("b", "2024-01-07T23:59:00Z", "view", np.nan, np.nan, pd.NA, "app"),  # Sunday: still week 1
            ("a", "2024-01-15T08:00:00Z", "purchase", 7.0, 1.0, "tea", pd.NA),
            ("c", "2024-01-16T08:00:00Z", "refund", -4.0, np.nan, "tea", "web"),
        ]
    )


def values(frame: pd.DataFrame, key: str = "total") -> list[float]:
    return frame[frame["unique_id"] == key]["y"].tolist()


def test_weekly_bins_start_monday_and_empty_weeks_are_zero(shop):
    result = build_series(shop, "revenue", "W")

    assert result.frame["ds"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-01-08", "2024-01-15"]
    assert (result.frame["ds"].dt.dayofweek == 0).all()
    assert list(result.frame.columns) == ["unique_id", "ds", "y"]


def test_revenue_subtracts_refunds(shop):
    assert values(build_series(shop, "revenue", "W").frame) == [35.0, 0.0, 3.0]


def test_orders_count_baskets_not_lines_or_refunds(shop):
    assert values(build_series(shop, "orders", "W").frame) == [2.0, 0.0, 1.0]


def test_active_users_are_distinct_per_period(shop):
    assert values(build_series(shop, "active_users", "W").frame) == [2.0, 0.0, 2.0]


def test_quantity_sums_known_quantities(shop):
    assert values(build_series(shop, "quantity", "W").frame) == [4.0, 0.0, 1.0]


def test_event_count_counts_one_event(shop):
    assert values(build_series(shop, "event_count", "W", event_name="view").frame) == [1.0, 0.0, 0.0]


def test_daily_index_runs_over_the_whole_dataset_for_every_split(shop):
    result = build_series(shop, "orders", "D", split_by="channel")

    assert set(result.frame["unique_id"]) == {"web", "app", "(missing)"}
    assert result.frame.groupby("unique_id").size().eq(16).all()  # 2024-01-01 .. 2024-01-16
    assert values(result.frame, "(missing)")[14] == 1.0


def test_monthly_bins_start_on_the_first(shop):
    result = build_series(shop, "revenue", "M")

    assert result.frame["ds"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01"]
    assert {"code": "partial_last_period", "days_covered": 16, "days_in_period": 31} in result.notes


def test_split_cap_keeps_the_largest_and_merges_the_rest_into_other():
    rows = [(f"u{i}", "2024-03-04T10:00:00Z", "purchase", 1.0, 1.0, f"p{i % 5}", "web") for i in range(15)]
    rows += [("big", "2024-03-05T10:00:00Z", "purchase", 1.0, 1.0, "p0", "web")] * 10
    result = build_series(events(rows), "revenue", "D", split_by="product", max_series=2)

    assert {"code": "split_capped", "kept": 2, "merged": 3, "merged_key": "other"} in result.notes
    assert set(result.frame["unique_id"]) == {"p0", "p1", "other"}
    assert result.frame["y"].sum() == 25.0  # nothing lost in the merge


def test_merged_active_users_are_recounted_not_summed():
    rows = [("u1", "2024-03-04T10:00:00Z", "view", np.nan, np.nan, product, "web") for product in ("a", "b", "c")]
    rows += [("u2", "2024-03-04T11:00:00Z", "view", np.nan, np.nan, "a", "web")]
    result = build_series(events(rows), "active_users", "D", split_by="product", max_series=1)

    assert values(result.frame, "other") == [1.0]  # u1 viewed b and c: one user


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"metric": "profit", "freq": "D"}, "unknown_metric"),
        ({"metric": "event_count", "freq": "D"}, "event_name_required"),
        ({"metric": "orders", "freq": "H"}, "unknown_frequency"),
        ({"metric": "orders", "freq": "D", "split_by": "region"}, "unknown_split"),
        ({"metric": "revenue", "freq": "D", "split_by": "channel"}, "split_column_empty"),
    ],
)
def test_bad_parameters_raise_series_error_with_a_code(kwargs, code):
    table = events([("a", "2024-01-01T00:00:00Z", "view", 1.0, 1.0, "tea", pd.NA)])

    with pytest.raises(SeriesError) as raised:
        build_series(table, **kwargs)
    assert raised.value.code == code


def test_missing_split_column_and_no_rows_are_reported():
    table = events([("a", "2024-01-01T00:00:00Z", "view", 1.0, 1.0, "tea", "web")]).drop(columns="channel")

    with pytest.raises(SeriesError, match="channel") as raised:
        build_series(table, "orders", "D", split_by="channel")
    assert raised.value.code == "split_column_missing"
    with pytest.raises(SeriesError) as raised:
        build_series(table.iloc[:0], "orders", "D")
    assert raised.value.code == "no_rows"


def stamps(start: str, periods: int, every: str) -> pd.Series:
    return pd.Series(pd.date_range(start, periods=periods, freq=every, tz="UTC"))


@pytest.mark.parametrize(
    ("timestamps", "expected"),
    [
        (stamps("2024-01-01", 300, "D"), "D"),  # dense, under a year
        (stamps("2024-01-01", 30, "D"), "D"),  # a month: anything coarser leaves too few points
        (stamps("2023-01-01", 100, "W"), "W"),  # two years, weekly activity
        (stamps("2024-01-01", 60, "5D"), "W"),  # under a year but only one day in five
        (stamps("2016-01-01", 100, "MS"), "M"),  # eight years
        (stamps("2023-01-01", 20, "MS"), "M"),  # two years, one event a month: weeks would be mostly empty
    ],
)
def test_propose_frequency(timestamps, expected):
    assert propose_frequency(timestamps) == expected


def test_an_incomplete_last_period_is_left_out_when_enough_periods_remain():
    # Four full weeks of one sale a day, then the export stops on the Tuesday of the fifth week.
    rows = [
        (f"u{d}", f"{day.date()}T12:00:00Z", "purchase", 10.0, 1.0, "p", "web")
        for d, day in enumerate(pd.date_range("2024-03-04", "2024-04-02"))
    ]
    result = build_series(events(rows), "revenue", "W")

    assert result.frame["ds"].dt.strftime("%Y-%m-%d").tolist() == ["2024-03-04", "2024-03-11", "2024-03-18", "2024-03-25"]
    assert result.frame["y"].tolist() == [70.0] * 4
    assert {"code": "partial_last_period_dropped", "days_covered": 2, "days_in_period": 7} in result.notes


def test_quarterly_and_yearly_bins_start_on_their_first_day(shop):
    quarterly = build_series(shop, "revenue", "Q")
    yearly = build_series(shop, "revenue", "Y")

    assert quarterly.frame["ds"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01"]
    assert yearly.frame["ds"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01"]
    assert {"code": "partial_last_period", "days_covered": 16, "days_in_period": 91} in quarterly.notes
    assert values(quarterly.frame) == [38.0]


@pytest.mark.parametrize(
    ("timestamps", "expected"),
    [
        (stamps("2010-01-01", 40, "QS"), "Q"),  # ten years, one event a quarter: months would be mostly empty
        (stamps("1990-01-01", 15, "2YS"), "Y"),  # thirty years, an event every other year
    ],
)
def test_propose_frequency_goes_coarser_for_long_sparse_histories(timestamps, expected):
    assert propose_frequency(timestamps) == expected


def test_statsforecast_freq_knows_every_frequency():
    assert [statsforecast_freq(freq) for freq in ("D", "W", "M", "Q", "Y")] == ["D", "W-MON", "MS", "QS-JAN", "YS-JAN"]
