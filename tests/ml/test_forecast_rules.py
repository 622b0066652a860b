"""ml.forecast's rules: the choice follows the backtest, intervals cover what they say, every frequency, short
histories, and non-negative bounds that do not collapse to 0."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from statsforecast.models import AutoETS, DynamicOptimizedTheta, Theta

from ml.forecast import BASELINES, COMBINATION, LAST_VALUE, NAIVE, forecast
from ml.forecast_intervals import CALIBRATION_PRIOR
from ml.forecast_models import _ets_spec, _interval_shape, _refits, _roll
from ml.forecast_plan import BacktestPlan
from ml.forecast_scoring import _Backtest, _choose_all


def series(key: str, y, start: str = "2019-01-01", freq: str = "MS") -> pd.DataFrame:
    y = np.asarray(y, dtype="float64")
    return pd.DataFrame({"unique_id": key, "ds": pd.date_range(start, periods=len(y), freq=freq), "y": y})


def constructed(predictions: dict[str, list[np.ndarray]], actuals: list[np.ndarray]) -> _Backtest:
    """A backtest over hand-made predictions: two windows of four steps after a training window of eight."""
    plan = BacktestPlan(season_length=1, model_season=1, cv_horizon=4, step=4, n_windows=2, intermittent=False)
    trains = [np.arange(8.0) % 3, np.arange(12.0) % 3]
    shape = [np.ones(4), np.ones(4)]
    backtest = _Backtest(plan, trains, actuals, predictions, shape, {})
    for name, predicted in predictions.items():
        backtest.score(name, predicted)
    backtest.combine()
    return backtest


ACTUAL = [np.array([10.0, 11, 12, 13]), np.array([14.0, 15, 16, 17])]


def shifted(offset: float) -> list[np.ndarray]:
    return [window + offset for window in ACTUAL]


def test_a_single_model_that_clearly_wins_is_chosen_alone():
    backtest = constructed(
        {NAIVE: shifted(5), LAST_VALUE: shifted(4), "AutoETS": shifted(0.1), "DynamicOptimizedTheta": shifted(3), "AutoCES": shifted(3.5)},
        ACTUAL,
    )

    choice = backtest.choose()

    assert (choice.model, choice.members, choice.reason) == ("AutoETS", ("AutoETS",), "single_best")
    assert backtest.mase[COMBINATION] > backtest.mase["AutoETS"]  # scored, and lost


def test_a_combination_is_chosen_only_when_it_beats_the_best_single_model():
    backtest = constructed(
        {NAIVE: shifted(5), LAST_VALUE: shifted(4), "AutoETS": shifted(1), "DynamicOptimizedTheta": shifted(-1), "AutoCES": shifted(1.2)},
        ACTUAL,
    )

    choice = backtest.choose()

    assert choice.model == COMBINATION
    assert choice.reason == "combination_best"
    assert set(choice.members) == {"AutoETS", "DynamicOptimizedTheta", "AutoCES"}
    assert backtest.mase[COMBINATION] < backtest.mase["AutoETS"]


def test_the_better_naive_baseline_wins_when_no_candidate_beats_it():
    backtest = constructed({NAIVE: shifted(2), LAST_VALUE: shifted(0.5), "AutoETS": shifted(0.6), "AutoCES": shifted(0.7)}, ACTUAL)

    choice = backtest.choose()

    assert (choice.model, choice.members, choice.reason) == (LAST_VALUE, (LAST_VALUE,), "naive_best")
    assert backtest.accuracy(choice)["vs_baseline"] == 0.0
    assert backtest.accuracy(choice)["baseline"] == LAST_VALUE


def test_the_accuracy_summary_compares_with_the_better_baseline():
    backtest = constructed({NAIVE: shifted(2), LAST_VALUE: shifted(4), "AutoETS": shifted(1), "AutoCES": shifted(3)}, ACTUAL)

    accuracy = backtest.accuracy(backtest.choose())

    assert accuracy["baseline"] == NAIVE
    assert accuracy["vs_baseline"] == pytest.approx(0.5)  # error 1 against 2
    assert accuracy["error_share"] == pytest.approx(1 / 13.5)  # mean |error| / mean |actual|
    assert accuracy["interval"] == "conformal"


@pytest.fixture(scope="module")
def simulated():
    """60 random walks with drift and noise, 72 months of history and 6 held out."""
    rng = np.random.default_rng(11)
    frames, future = [], {}
    for index in range(60):
        steps = rng.normal(rng.normal(0, 1), rng.uniform(2, 6), 78)
        y = 200 + np.cumsum(steps) + rng.normal(0, 3, 78)
        frames.append(series(f"s{index}", y[:72]))
        future[f"s{index}"] = y[72:]
    return forecast(pd.concat(frames), "M", 6), future


def test_intervals_cover_about_their_level_on_simulated_series(simulated):
    results, future = simulated
    inside = {80: [], 95: []}
    for result in results:
        actual = future[result.key]
        for level in (80, 95):
            lo = np.array([getattr(point, f"lo{level}") for point in result.forecast])
            hi = np.array([getattr(point, f"hi{level}") for point in result.forecast])
            inside[level].extend((actual >= lo) & (actual <= hi))

    assert 0.68 <= np.mean(inside[80]) <= 0.92
    assert 0.87 <= np.mean(inside[95]) <= 1.0


def test_the_contract_fields_are_filled_after_a_backtest(simulated):
    for result in simulated[0]:
        assert set(BASELINES) <= set(result.backtest)
        assert result.model in result.backtest
        assert result.reason in ("single_best", "combination_best", "naive_best")
        assert result.members == ([result.model] if result.model != COMBINATION else result.members)
        assert len(result.members) >= 1
        assert set(result.accuracy) == {"error_share", "baseline", "vs_baseline", "interval"}
        assert result.backtest[result.model]["mase"] <= result.backtest[result.accuracy["baseline"]]["mase"]
        if result.model == COMBINATION:
            singles = [name for name in result.backtest if name not in (*BASELINES, COMBINATION)]
            assert result.backtest[COMBINATION]["mase"] < min(result.backtest[name]["mase"] for name in singles)


@pytest.mark.parametrize(("freq", "pandas_freq", "second"), [("Q", "QS", "2025-04-01"), ("Y", "YS", "1941-01-01")])
def test_quarterly_and_yearly_series_step_by_their_period(freq, pandas_freq, second):
    rng = np.random.default_rng(2)
    quarters = np.tile([80.0, 100, 120, 90], 10) + rng.normal(0, 2, 40)
    start = "2015-01-01" if freq == "Q" else "1900-01-01"
    y = quarters if freq == "Q" else 100 + np.cumsum(rng.normal(1, 3, 40))

    result = forecast(series("x", y, start, pandas_freq), freq, 4)[0]

    assert result.forecast[1].ds == second
    assert result.reason in ("single_best", "combination_best", "naive_best")
    if freq == "Q":  # the quarterly pattern is learnt: next year repeats it
        assert np.allclose([point.yhat for point in result.forecast], [80, 100, 120, 90], atol=6)


@pytest.mark.parametrize("y", [[120.0], [120.0, 90.0], [120.0, 90, 130, 110, 100]])
def test_short_histories_get_a_naive_forecast_with_an_interval(y):
    result = forecast(series("short", y), "M", 3)[0]

    assert result.reason == "fallback_too_few_points"
    assert result.model == LAST_VALUE
    assert result.accuracy == {"error_share": None, "baseline": None, "vs_baseline": None, "interval": None}
    for point in result.forecast:
        assert point.yhat == y[-1]
        assert 0 < point.lo95 < point.lo80 < point.yhat < point.hi80 < point.hi95
    assert ("interval_from_level" if len(y) == 1 else "interval_from_few_points") in result.notes


def test_a_constant_history_gets_an_interval_from_the_level_but_zero_stays_zero():
    constant, zero = forecast(pd.concat([series("c", np.full(30, 50.0)), series("z", np.zeros(30))]), "M", 3)

    assert "interval_from_level" in constant.notes
    assert all(point.lo80 < 50 < point.hi80 for point in constant.forecast)
    assert all(point.lo95 == point.hi95 == 0 for point in zero.forecast)


def test_lower_bounds_of_a_positive_series_stay_above_zero():
    rng = np.random.default_rng(4)
    y = np.exp(rng.normal(3, 0.8, 60))  # positive and very noisy: a symmetric 95 % interval would go below 0

    result = forecast(series("noisy", y), "M", 6)[0]

    assert all(point.lo95 > 0 for point in result.forecast)
    assert all(point.lo95 <= point.lo80 <= point.yhat for point in result.forecast)


def test_weekly_revenue_with_a_year_and_a_half_of_history_beats_both_naive_forecasts():
    rng = np.random.default_rng(8)
    weeks = np.arange(78)
    y = 15000 * (1 + 0.3 * np.sin(2 * np.pi * weeks / 52) + 0.15 * np.cos(4 * np.pi * weeks / 52)) * (1 + rng.normal(0, 0.06, 78))

    result = forecast(series("revenue", y, "2023-01-02", "W-MON"), "W", 12)[0]

    assert "one_season" in result.notes
    assert result.reason != "naive_best"
    assert result.backtest[result.model]["mase"] < result.backtest[NAIVE]["mase"]
    assert result.backtest[result.model]["mase"] < result.backtest[LAST_VALUE]["mase"]
    assert result.accuracy["vs_baseline"] > 0


def test_a_short_quarterly_history_still_backtests_autoets():
    """Nine years of quarters, two forecast: the first backtest window holds enough points for every AutoETS form (with
    8 it held too few, and AutoETS dropped out of the backtest of most M3 quarterly series)."""
    rng = np.random.default_rng(5)
    y = np.tile([80.0, 100, 120, 90], 9) * np.linspace(1, 1.3, 36) + rng.normal(0, 3, 36)

    result = forecast(series("q", y, "2015-01-01", "QS"), "Q", 8)[0]

    assert {"AutoETS", "Theta"} <= set(result.backtest)


def three_windows(season: int) -> tuple[np.ndarray, BacktestPlan, list[np.ndarray]]:
    rng = np.random.default_rng(8)
    y = 100 + np.cumsum(rng.normal(1, 4, 60)) + 10 * np.sin(np.arange(60) * 2 * np.pi / 12)
    plan = BacktestPlan(season_length=season, model_season=season, cv_horizon=6, step=6, n_windows=3, intermittent=False)
    return y, plan, [y[:42], y[:48], y[:54]]


@pytest.mark.parametrize(("name", "season"), [("AutoETS", 12), ("Theta", 12), ("DynamicOptimizedTheta", 1)])
def test_some_models_are_fitted_once_on_the_first_window_and_rolled_forward(name, season):
    y, plan, trains = three_windows(season)

    rolled, _ = _roll(name, y, trains, plan)

    if name == "AutoETS":  # the form is the whole history's, the parameters the first window's
        form, damped = _ets_spec(AutoETS(season_length=season).fit(y))
        first = AutoETS(season_length=season, model=form, damped=damped).fit(trains[0])
    else:
        first = {"Theta": Theta, "DynamicOptimizedTheta": DynamicOptimizedTheta}[name](season_length=season).fit(trains[0])
    np.testing.assert_allclose(rolled[0], first.predict(6)["mean"])
    for train, predicted in zip(trains[1:], rolled[1:], strict=True):
        np.testing.assert_allclose(predicted, first.forward(y=train, h=6)["mean"])


def test_with_a_season_dynamic_optimized_theta_is_refitted_at_the_last_window():
    y, plan, trains = three_windows(12)

    rolled, _ = _roll("DynamicOptimizedTheta", y, trains, plan)

    np.testing.assert_allclose(rolled[2], DynamicOptimizedTheta(season_length=12).fit(trains[2]).predict(6)["mean"])


def test_errors_are_measured_against_the_spread_of_the_changes_so_far():
    y, plan, trains = three_windows(12)

    shape, final = _interval_shape(y, trains, plan, 9)

    for train, widths in zip(trains, shape, strict=True):
        np.testing.assert_allclose(widths, np.sqrt(np.arange(1, 7)) * np.std(np.diff(train)))
    np.testing.assert_allclose(final, np.sqrt(np.arange(1, 10)) * np.std(np.diff(y)))


def test_a_straight_line_still_gets_a_positive_yardstick():
    line = np.arange(20.0)
    plan = BacktestPlan(season_length=1, model_season=1, cv_horizon=3, step=3, n_windows=1, intermittent=False)

    shape, final = _interval_shape(line, [line[:17]], plan, 4)

    np.testing.assert_allclose(shape[0], np.sqrt(np.arange(1, 4)))  # no spread in its changes: their mean size, 1
    np.testing.assert_allclose(final, np.sqrt(np.arange(1, 5)))


def averaging_wins(ets: float, theta: float, ces: float) -> _Backtest:
    return constructed(
        {
            NAIVE: shifted(5),
            LAST_VALUE: shifted(4),
            "AutoETS": shifted(ets),
            "DynamicOptimizedTheta": shifted(theta),
            "AutoCES": shifted(ces),
        },
        ACTUAL,
    )


def test_a_run_where_averaging_wins_pulls_a_narrow_single_win_to_the_combination():
    """AutoETS beats the mean of three on this series' own windows (error 0.3 against 0.37), but on the run's eight
    other series the mean wins clearly (0.4 against 1): pooled with the run, the combination is chosen."""
    narrow = averaging_wins(0.3, -1.2, 2.0)
    assert narrow.choose().model == "AutoETS"  # alone, its own backtest decides
    run = {f"s{index}": averaging_wins(1.0, -1.0, 1.2) for index in range(8)} | {"narrow": averaging_wins(0.3, -1.2, 2.0)}

    choices = _choose_all(run)

    assert (choices["narrow"].model, choices["narrow"].reason) == (COMBINATION, "combination_best")
    table = run["narrow"].table()
    assert table[COMBINATION]["mase"] < table["AutoETS"]["mase"]  # the table shows the pooled scores the choice used
    assert run["narrow"].pooled


def test_a_run_of_one_series_keeps_its_own_backtest():
    backtest = averaging_wins(0.3, -1.2, 2.0)

    choice = _choose_all({"only": backtest})["only"]

    assert choice.model == "AutoETS"
    assert backtest.table()["AutoETS"]["mase"] == pytest.approx(backtest.mase["AutoETS"])
    assert not backtest.pooled


def test_interval_multipliers_weigh_the_series_own_errors_against_the_run():
    backtest = averaging_wins(1.0, -1.0, 1.2)  # every error of AutoETS is 1, its shape 1: 8 ratios of 1
    run = np.linspace(0, 10, 1001)  # the run's ratios: rank ⌈1002 · 0.8⌉ = 802 is 8.01

    multiplier = backtest.multipliers("AutoETS", run)

    assert backtest.multipliers("AutoETS")[80] == pytest.approx(1.0)
    assert multiplier[80] == pytest.approx((8 * 1.0 + CALIBRATION_PRIOR * 8.01) / (8 + CALIBRATION_PRIOR))


@pytest.mark.parametrize(("windows", "refits"), [(1, {0}), (2, {0, 1}), (3, {0, 2}), (5, {0, 2, 4})])
def test_backtest_models_are_refitted_every_other_window_and_at_the_last(windows, refits):
    assert _refits(windows) == refits


def test_processes_pool_the_same_run_as_one_process():
    """With n_jobs > 1 the backtests and final fits run in processes, the pooling over the run in this one: the same
    forecasts either way."""
    rng = np.random.default_rng(3)
    frame = pd.concat([series(f"s{index}", 100 + np.cumsum(rng.normal(0.5, 4, 30))) for index in range(55)])

    one, two = forecast(frame, "M", 3), forecast(frame, "M", 3, n_jobs=2)

    assert [dataclasses.asdict(result) for result in one] == [dataclasses.asdict(result) for result in two]
    assert all("backtest_pooled" in result.notes for result in one)
