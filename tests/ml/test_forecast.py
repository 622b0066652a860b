"""ml.forecast: model choice by backtest, intervals, and degenerate histories that must not crash."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from ml.forecast import BASELINES, CANDIDATES, NAIVE, NONSEASONAL_CANDIDATES, SeriesForecast, forecast, improvement_over_naive

REASONS = ("single_best", "combination_best", "naive_best")

HORIZON = 6
MONTHS = pd.date_range("2019-01-01", periods=72, freq="MS")
SEASONAL_SHAPE = 100 + 20 * np.sin(np.arange(len(MONTHS) + HORIZON) * 2 * np.pi / 12)


def series(key: str, y, ds=MONTHS) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": key, "ds": ds[: len(y)], "y": np.asarray(y, dtype="float64")})


@pytest.fixture(scope="module")
def monthly() -> dict[str, SeriesForecast]:
    """One forecast run over every kind of history, as the app sends them: in one frame."""
    rng = np.random.default_rng(42)
    frame = pd.concat(
        [
            series("seasonal", SEASONAL_SHAPE[: len(MONTHS)]),
            series("random_walk", 500 + np.cumsum(rng.normal(0, 10, len(MONTHS)))),
            series("intermittent", rng.poisson(0.4, len(MONTHS)) * rng.integers(1, 5, len(MONTHS))),
            series("short", [3, 5, 4, 6, 5]),
            series("all_zero", np.zeros(30)),
            series("constant", np.full(40, 7.0)),
            series("gone_quiet", np.r_[rng.poisson(20, 40), np.zeros(20)]),
            series("under_two_seasons", 50 + np.cumsum(rng.normal(0, 2, 20))),
            series("late_start", np.r_[np.zeros(30), 40 + rng.normal(0, 3, 42)]),
        ]
    )
    return {result.key: result for result in forecast(frame, "M", HORIZON)}


def test_every_series_comes_back_in_input_order(monthly):
    assert list(monthly) == [
        "seasonal",
        "random_walk",
        "intermittent",
        "short",
        "all_zero",
        "constant",
        "gone_quiet",
        "under_two_seasons",
        "late_start",
    ]
    assert all(len(result.forecast) == HORIZON for result in monthly.values())


def test_a_pure_seasonal_series_is_forecast_almost_exactly(monthly):
    result = monthly["seasonal"]
    expected = SEASONAL_SHAPE[len(MONTHS) :]

    assert np.allclose([point.yhat for point in result.forecast], expected, atol=0.2)
    assert [point.ds for point in result.forecast][:2] == ["2025-01-01", "2025-02-01"]


def test_a_random_walk_gets_a_model_no_worse_than_naive_in_backtest(monthly):
    result = monthly["random_walk"]

    assert result.backtest[result.model]["mase"] <= min(result.backtest[name]["mase"] for name in BASELINES)
    assert improvement_over_naive(result) >= 0
    assert result.reason in REASONS


def test_intervals_nest_and_widen_with_the_horizon(monthly):
    points = monthly["random_walk"].forecast

    for point in points:
        assert point.lo95 <= point.lo80 <= point.yhat <= point.hi80 <= point.hi95
    assert points[-1].hi95 - points[-1].lo95 > points[0].hi95 - points[0].lo95
    assert points[-1].hi80 - points[-1].lo80 > points[0].hi80 - points[0].lo80


@pytest.mark.parametrize(
    ("key", "note", "expected_yhat"),
    [("short", "too_few_points", 5.0), ("all_zero", "all_zero", 0.0), ("constant", "constant", 7.0), ("gone_quiet", "long_gap", 0.0)],
)
def test_degenerate_histories_get_the_naive_forecast_and_a_note(monthly, key, note, expected_yhat):
    result = monthly[key]

    assert result.model in BASELINES
    assert result.members == []
    assert result.reason == f"fallback_{note}"
    assert note in result.notes
    assert [point.yhat for point in result.forecast] == [expected_yhat] * HORIZON
    assert improvement_over_naive(result) is None


def test_intermittent_series_also_try_the_croston_family(monthly):
    result = monthly["intermittent"]

    assert "intermittent" in result.notes
    assert {"CrostonOptimized", "ADIDA", "IMAPA", NAIVE} <= set(result.backtest)
    assert all(point.lo95 >= 0 for point in result.forecast)  # counts: bounds clipped at 0


def test_under_two_seasons_uses_one_season_models(monthly):
    result = monthly["under_two_seasons"]

    assert "one_season" in result.notes  # 20 months: more than one season, less than two
    assert {"SeasonalFourier", NAIVE, "Naive"} <= set(result.backtest)
    assert result.reason in REASONS


def test_leading_zeros_are_not_history(monthly):
    result = monthly["late_start"]

    assert "leading_zeros_trimmed" in result.notes
    assert len(result.history) == len(MONTHS)  # the chart still shows them
    assert 30 < result.forecast[0].yhat < 50


def test_results_are_plain_json_without_nan(monthly):
    for result in monthly.values():
        payload = json.dumps(dataclasses.asdict(result), allow_nan=False)
        assert json.loads(payload)["key"] == result.key


def test_the_default_candidates_leave_autoarima_out(monthly):
    assert {*BASELINES, *CANDIDATES} <= set(monthly["random_walk"].backtest)
    assert "AutoARIMA" not in monthly["random_walk"].backtest


def test_models_without_a_season_backtest_the_nonseasonal_candidates_only(monthly):
    years = pd.date_range("1990-01-01", periods=30, freq="YS")
    rng = np.random.default_rng(3)
    yearly = forecast(series("y", 100 + np.cumsum(rng.normal(2, 5, 30)), years), "Y", 4)[0]
    scored = set(yearly.backtest) - {*BASELINES, "Combination"}

    assert scored == set(NONSEASONAL_CANDIDATES)
    assert "one_season" in monthly["under_two_seasons"].notes  # the models get no season there either
    assert set(monthly["under_two_seasons"].backtest).isdisjoint(set(CANDIDATES) - set(NONSEASONAL_CANDIDATES))
    assert set(CANDIDATES) <= set(monthly["seasonal"].backtest)


def test_an_unsorted_series_is_forecast_as_its_sorted_self(monthly):
    rng = np.random.default_rng(42)
    walk = 500 + np.cumsum(rng.normal(0, 10, len(MONTHS)))
    frame = series("walk", walk)
    shuffled = frame.iloc[rng.permutation(len(frame))]

    forward, mixed = forecast(frame, "M", HORIZON)[0], forecast(shuffled, "M", HORIZON)[0]

    assert mixed.history == forward.history
    assert mixed.forecast == forward.forecast


def test_thorough_adds_autoarima_to_the_backtest_and_the_choice():
    rng = np.random.default_rng(5)
    noise = rng.normal(0, 1, len(MONTHS) + 2)
    ar2 = np.zeros(len(MONTHS) + 2)
    for index in range(2, len(ar2)):  # an AR(2) process: ARIMA's home ground
        ar2[index] = 1.2 * ar2[index - 1] - 0.5 * ar2[index - 2] + noise[index]
    frame = pd.concat([series("ar2", 50 + ar2[2:]), series("seasonal", SEASONAL_SHAPE[: len(MONTHS)])])

    results = {result.key: result for result in forecast(frame, "M", HORIZON, thorough=True)}

    for result in results.values():
        scores = result.backtest["AutoARIMA"]
        assert np.isfinite(scores["mase"])
        assert np.isfinite(scores["smape"])
        assert result.model in result.backtest
        assert len(result.forecast) == HORIZON
    assert results["ar2"].backtest["AutoARIMA"]["mase"] < results["ar2"].backtest[NAIVE]["mase"]


def test_progress_rises_to_one():
    seen: list[float] = []
    frame = pd.concat([series(f"s{index}", 10 + np.arange(30) % 7 + index) for index in range(3)] + [series("z", np.zeros(30))])

    forecast(frame, "M", 3, progress=seen.append)

    assert seen[0] == 0.0
    assert seen[-1] == 1.0
    assert seen == sorted(seen)


def test_daily_and_weekly_frequencies_step_by_their_period():
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    weeks = pd.date_range("2024-01-01", periods=40, freq="W-MON")
    y_days = 20 + 5 * (days.dayofweek >= 5)

    daily = forecast(series("d", y_days, days), "D", 7)[0]
    weekly = forecast(series("w", 10 + np.arange(40) % 3, weeks), "W", 4)[0]

    assert [point.ds for point in daily.forecast][:2] == ["2024-03-01", "2024-03-02"]
    assert np.allclose([point.yhat for point in daily.forecast], [20, 25, 25, 20, 20, 20, 20], atol=0.5)  # Fri..Thu
    assert weekly.forecast[0].ds == "2024-10-07"
    assert "short_history" in weekly.notes  # 40 weeks is less than two years


def test_levels_other_than_80_and_95_are_refused():
    with pytest.raises(ValueError, match="80, 95"):
        forecast(series("x", np.arange(30)), "M", 3, levels=(50, 90))
