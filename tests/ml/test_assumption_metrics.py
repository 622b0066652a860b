"""The test cards' metrics: each equal to plain pandas statements on random logs (hypothesis), the verdict rule at
its boundaries, the sample size that would settle an inconclusive test, and the reasons a metric has no value.
Coverage of the intervals: bench/assumption_metrics.py."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from ml.assumption_metrics import Measurement, MetricParamsError, evaluate, judge, measure, params_clean, required_columns

DAY = pd.Timedelta(days=1)


@st.composite
def logs(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, 25),  # user
                st.integers(0, 240 * 24),  # hours after the start
                st.one_of(st.none(), st.sampled_from([0.0, -5.0, 3.5, 20.0, 120.0])),
                st.sampled_from(["visit", "signup", "buy"]),
            ),
            min_size=1,
            max_size=120,
        )
    )
    start = pd.Timestamp(draw(st.sampled_from(["2024-01-01", "2024-02-14", "2024-03-31 18:00"])))
    return pd.DataFrame(
        {
            "user_id": [f"u{user}" for user, *_ in rows],
            "timestamp": [start + pd.Timedelta(hours=hours) for _, hours, *_ in rows],
            "amount": [np.nan if amount is None else amount for *_, amount, _ in rows],
            "event": [event for *_, event in rows],
        }
    )


def period_of(times: pd.Series, period: str) -> pd.Series:
    return times.dt.to_period("W-SUN" if period == "week" else "M")


def complete_periods(events: pd.DataFrame, period: str) -> tuple[pd.Period, pd.Period]:
    """The first and last periods the log covers from their first day to their last."""
    first_day, last_day = events.timestamp.min().normalize(), events.timestamp.max().normalize()
    first, last = period_of(pd.Series([first_day]), period)[0], period_of(pd.Series([last_day]), period)[0]
    if first.start_time.normalize() != first_day:
        first += 1
    if last.end_time.normalize() != last_day:
        last -= 1
    return first, last


def pandas_repeat_rate(events: pd.DataFrame, window: int) -> tuple[int, int]:
    purchases = events[events.amount > 0] if events.amount.notna().any() else events
    first = purchases.groupby("user_id").timestamp.min().rename("first")
    eligible = first[first + window * DAY <= events.timestamp.max()]
    joined = purchases.join(first, on="user_id")
    again = joined[(joined.timestamp > joined["first"]) & (joined.timestamp <= joined["first"] + window * DAY)]
    return int(eligible.index.isin(again.user_id).sum()), len(eligible)


def pandas_conversion(events: pd.DataFrame, a: str, b: str, window: int) -> tuple[int, int]:
    first = events[events.event == a].groupby("user_id").timestamp.min().rename("first")
    eligible = first[first + window * DAY <= events.timestamp.max()]
    joined = events[events.event == b].join(first, on="user_id", how="inner")
    converted = joined[(joined.timestamp >= joined["first"]) & (joined.timestamp <= joined["first"] + window * DAY)]
    return int(eligible.index.isin(converted.user_id).sum()), len(eligible)


def pandas_retention(events: pd.DataFrame, period: str, k: int) -> tuple[int, int]:
    events = events.assign(period=period_of(events.timestamp, period))
    cohort = events.groupby("user_id").period.min()
    _, last = complete_periods(events, period)
    eligible = cohort[cohort.map(lambda start: start + k <= last)]
    active = events[events.period == events.user_id.map(cohort) + k].user_id.unique()
    return int(eligible.index.isin(active).sum()), len(eligible)


def pandas_window(events: pd.DataFrame, period: str, periods: int) -> list[pd.Period] | None:
    first, last = complete_periods(events, period)
    if first > last or (last - first).n + 1 < periods:
        return None
    return [last - offset for offset in range(periods)][::-1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=logs(), window=st.integers(1, 60))
def test_repeat_rate_and_conversion_equal_pandas(events: pd.DataFrame, window: int) -> None:
    expected = pandas_repeat_rate(events, window)
    result = measure(events, "repeat_rate", params_clean("repeat_rate", {"window_days": window}))
    assert (result.details.get("successes"), result.n) == expected if expected[1] else result.value is None

    expected = pandas_conversion(events, "signup", "buy", window)
    params = params_clean("conversion", {"event_a": "signup", "event_b": "buy", "window_days": window})
    result = measure(events, "conversion", params)
    if expected[1]:
        assert (result.details["successes"], result.n) == expected
        assert result.value == pytest.approx(expected[0] / expected[1])
        assert result.ci_low <= result.value <= result.ci_high
    else:
        assert result.value is None
        assert result.reason in ("window_longer_than_data", "no_customers")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=logs(), period=st.sampled_from(["week", "month"]), k=st.integers(1, 6))
def test_retention_equals_pandas(events: pd.DataFrame, period: str, k: int) -> None:
    expected = pandas_retention(events, period, k)
    result = measure(events, "retention", params_clean("retention", {"period": period, "k": k}))
    if expected[1]:
        assert (result.details["successes"], result.n) == expected
        low, high = proportion_confint(*expected, alpha=0.05, method="wilson")
        assert (result.ci_low, result.ci_high) == pytest.approx((low, high))
    else:
        assert result.value is None
        assert result.reason == "period_not_reached"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=logs(), period=st.sampled_from(["week", "month"]), periods=st.integers(1, 5))
def test_arpu_equals_pandas(events: pd.DataFrame, period: str, periods: int) -> None:
    window = pandas_window(events, period, periods)
    result = measure(events, "arpu", params_clean("arpu", {"period": period, "periods": periods}))
    if window is None:
        assert result.value is None
        assert result.reason == "too_few_periods"
        return
    inside = events.assign(period=period_of(events.timestamp, period)).query("period in @window")
    if inside.empty:
        assert result.value is None
        return
    customer_periods = inside.groupby(["user_id", "period"]).ngroups
    assert result.value == pytest.approx(inside.amount.fillna(0).sum() / customer_periods)
    assert result.n == inside.user_id.nunique()
    assert result.details["customer_periods"] == customer_periods


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=logs(), period=st.sampled_from(["week", "month"]), periods=st.integers(1, 4), measure_of=st.sampled_from(["revenue", "active"])
)
def test_growth_equals_pandas(events: pd.DataFrame, period: str, periods: int, measure_of: str) -> None:
    window = pandas_window(events, period, periods + 1)
    params = params_clean("growth", {"period": period, "periods": periods, "measure": measure_of})
    result = measure(events, "growth", params)
    if window is None:
        assert result.value is None
        assert result.reason == "too_few_periods"
        return
    by_period = events.assign(period=period_of(events.timestamp, period)).groupby("period")
    series = by_period.amount.sum() if measure_of == "revenue" else by_period.user_id.nunique()
    start, end = series.get(window[0], 0.0), series.get(window[-1], 0.0)
    if start <= 0 or end < 0:
        assert result.value is None
        assert result.reason == "no_base"
        return
    assert result.value == pytest.approx((end / start) ** (1 / periods) - 1)
    if result.ci_low is not None:
        assert result.ci_low <= result.value + 1e-9
        assert result.value - 1e-9 <= result.ci_high


def share(value: float, low: float, high: float, n: int = 100) -> Measurement:
    return Measurement("retention", value, low, high, n, "wilson")


@pytest.mark.parametrize(
    ("comparison", "low", "high", "verdict"),
    [
        ("gte", 0.20, 0.30, "supported"),  # the whole interval at or above
        ("gte", 0.19, 0.30, "inconclusive"),
        ("gte", 0.10, 0.199, "refuted"),  # wholly below
        ("lte", 0.10, 0.20, "supported"),
        ("lte", 0.10, 0.21, "inconclusive"),
        ("lte", 0.201, 0.30, "refuted"),
    ],
)
def test_the_verdict_needs_the_whole_interval_on_one_side(comparison: str, low: float, high: float, verdict: str) -> None:
    evaluation = judge(share((low + high) / 2, low, high), comparison=comparison, threshold=0.2)

    assert evaluation.verdict == verdict
    assert (evaluation.n_needed is None) == (verdict != "inconclusive")


def test_an_inconclusive_share_says_the_sample_that_would_settle_it_at_the_observed_value() -> None:
    # 24 of 100: Wilson 95 % interval 16.7–33.2 % holds the 20 % threshold
    low, high = proportion_confint(24, 100, alpha=0.05, method="wilson")
    evaluation = judge(share(0.24, low, high), comparison="gte", threshold=0.2)

    assert evaluation.verdict == "inconclusive"
    needed = evaluation.n_needed
    assert proportion_confint(0.24 * needed, needed, alpha=0.05, method="wilson")[0] > 0.2
    assert proportion_confint(0.24 * (needed - 1), needed - 1, alpha=0.05, method="wilson")[0] <= 0.2
    assert 350 < needed < 438  # fewer than the normal formula's (1.96 · √(0.24 · 0.76) / 0.04)² = 438: Wilson leans to ½


def test_an_inconclusive_ratio_scales_its_interval_as_one_over_root_n() -> None:
    measurement = Measurement("arpu", 50.0, 40.0, 60.0, 100, "bootstrap_bca")

    evaluation = judge(measurement, comparison="gte", threshold=45.0)

    assert evaluation.n_needed == math.ceil(100 * (10 / 5) ** 2) + 1


def test_a_value_on_the_threshold_is_never_settled_and_no_value_is_inconclusive() -> None:
    assert judge(share(0.2, 0.1, 0.3), comparison="gte", threshold=0.2).n_needed is None
    empty = Measurement("repeat_rate", None, None, None, 0, "wilson", reason="window_longer_than_data")
    assert judge(empty, comparison="gte", threshold=0.2).verdict == "inconclusive"


def test_a_window_longer_than_the_data_is_inconclusive_with_its_reason() -> None:
    events = pd.DataFrame(
        {"user_id": ["a", "a", "b"], "timestamp": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-20"]), "amount": [5.0, 5.0, 5.0]}
    )

    evaluation = evaluate(events, "repeat_rate", {"window_days": 60}, comparison="gte", threshold=0.3)

    assert evaluation.verdict == "inconclusive"
    assert evaluation.measurement.reason == "window_longer_than_data"
    assert evaluation.measurement.reason_params == {"window_days": 60}


def test_repeat_rate_counts_only_the_named_event_when_one_is_given() -> None:
    events = pd.DataFrame(
        {
            "user_id": ["a", "a", "b", "b", "z"],
            "timestamp": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-01", "2024-01-02", "2024-03-01"]),
            "event": ["buy", "buy", "buy", "visit", "visit"],
            "amount": [np.nan] * 5,
        }
    )

    result = measure(events, "repeat_rate", params_clean("repeat_rate", {"window_days": 7, "event": "buy"}))

    assert (result.details["successes"], result.n) == (1, 2)  # b's second row is a visit, not a purchase


def test_big_samples_take_the_normal_interval_of_the_ratio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ml.assumption_metrics.BOOTSTRAP_MAX_UNITS", 5)
    rng = np.random.default_rng(3)
    days = pd.date_range("2024-01-01", "2024-03-31", freq="D")
    events = pd.DataFrame({"user_id": rng.integers(0, 40, 400), "timestamp": rng.choice(days, 400), "amount": rng.uniform(1, 9, 400)})
    events.loc[0, "timestamp"], events.loc[1, "timestamp"] = days[0], days[-1]

    result = measure(events, "arpu", params_clean("arpu", {"period": "month", "periods": 2}))

    assert result.method == "normal_delta"
    assert result.ci_low < result.value < result.ci_high


@pytest.mark.parametrize(
    ("kind", "params", "field", "code"),
    [
        ("churn", {}, "kind", "invalid"),
        ("conversion", {"event_a": "signup"}, "event_b", "required"),
        ("retention", {"k": 0}, "k", "invalid"),
        ("retention", {"k": True}, "k", "invalid"),
        ("arpu", {"period": "day"}, "period", "invalid"),
        ("growth", {"measure": "orders"}, "measure", "invalid"),
        ("repeat_rate", {"window": 30}, "window", "unknown"),
    ],
)
def test_wrong_parameters_name_the_field(kind: str, params: dict, field: str, code: str) -> None:
    with pytest.raises(MetricParamsError) as raised:
        params_clean(kind, params)

    assert (raised.value.field, raised.value.code) == (field, code)


def test_defaults_and_the_columns_each_metric_reads() -> None:
    assert params_clean("growth", {}) == {"period": "month", "periods": 3, "measure": "revenue"}
    assert params_clean("repeat_rate", {"window_days": "45"}) == {"window_days": 45}
    assert required_columns("arpu", {}) == ("amount",)
    assert required_columns("growth", {"measure": "active"}) == ()
    assert required_columns("conversion", {}) == ("event",)
    assert required_columns("repeat_rate", {"event": "buy"}) == ("event",)
