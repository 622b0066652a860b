"""The metrics a test card measures on a dataset's events, each with a 95 % interval, and the verdict it gives against
a threshold. Pure: a pandas frame of events in (columns `user_id`, `timestamp`, and `amount`/`event` where the
metric needs them), frozen dataclasses out.

Definitions (the page shows each):
- `repeat_rate` {window_days}: of the customers whose first purchase is at least `window_days` before the data's last
  event, the share with another purchase at a later time within `window_days` of it. A purchase is a row with an
  amount above 0 when the dataset has amounts, else any row; `event` (optional) keeps only rows of that event.
- `retention` {period: week|month, k}: of the customers in the cohorts (by the week from Monday, or month, of their
  first event, as ingest/cohorts.py) whose k-th period after the first is complete in the data, the share with any
  event in it.
- `conversion` {event_a, event_b, window_days}: of the users whose first `event_a` is at least `window_days` before
  the data's last event, the share with an `event_b` at the same time or later, within `window_days` of it.
- `arpu` {period: week|month, periods}: over the last `periods` complete periods, the amount summed ÷ the
  customer-periods with any event (revenue per active customer per period).
- `growth` {measure: revenue|active, period: week|month, periods}: the compound growth per period of the revenue, or
  of the customers active, from the complete period `periods` before the last complete one to the last complete one.

Intervals: Wilson's score interval for the shares; for `arpu` and `growth` a bias-corrected and accelerated (BCa)
bootstrap over customers (seeded, so an evaluation is repeatable). Verdict for comparison `gte` (`lte` mirrored):
`supported` when the whole interval is at or above the threshold, `refuted` when it is wholly below, `inconclusive`
otherwise, with the number of customers that would make it conclusive at the observed value. Coverage over simulated
logs: bench/assumption_metrics.py (bench/README.md).
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.stats.proportion import proportion_confint

KINDS = ("repeat_rate", "retention", "conversion", "arpu", "growth")
COMPARISONS = ("gte", "lte")
VERDICTS = ("supported", "refuted", "inconclusive")
PERIODS = ("week", "month")
MEASURES = ("revenue", "active")
CONFIDENCE = 0.95
MAX_WINDOW_DAYS = 3660
MAX_PERIODS = 520


class MetricParamsError(ValueError):
    """A metric's parameters are wrong: `field` names the parameter, `code` says how (`required`, `invalid`,
    `unknown`)."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True)
class Measurement:
    """A metric measured on a log. `value` and the interval are None when no unit could be counted (`reason` then
    says why: a code of REASONS, with `reason_params`). `n` is the number of units the value rests on (customers or
    users). `details` holds the counts behind the value (e.g. `successes`), for the learning card's sentence."""

    kind: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    method: str  # "wilson" or "bootstrap_bca"
    reason: str = ""
    reason_params: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    """A measurement judged against a threshold. `n_needed`: the number of units that would make an inconclusive
    verdict conclusive if the value stayed where it is (None when it is already conclusive, or never would be)."""

    measurement: Measurement
    comparison: str
    threshold: float
    verdict: str
    n_needed: int | None


# Why a measurement has no value: codes, English templates (the app translates them with their params).
REASONS = {
    "window_longer_than_data": "The window of {window_days} days is longer than the data allows: no customer was seen "
    "for that long after their first purchase.",
    "no_customers": "No customer in the data matches the metric.",
    "period_not_reached": "No cohort is old enough to have a complete period {k}.",
    "too_few_periods": "The data has {available} complete periods; the metric needs {needed}.",
    "no_base": "The first period compared has no revenue or no active customer: growth from zero is not a number.",
}


def required_columns(kind: str, params: dict[str, Any]) -> tuple[str, ...]:
    """The event columns a metric reads beyond `user_id` and `timestamp`: `amount` for money, `event` for events."""
    if kind == "arpu" or (kind == "growth" and params.get("measure", "revenue") == "revenue"):
        return ("amount",)
    if kind == "conversion" or (kind == "repeat_rate" and params.get("event")):
        return ("event",)
    return ()


def params_clean(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """The metric's parameters checked and completed with their defaults; MetricParamsError names what is wrong."""
    if kind not in KINDS:
        raise MetricParamsError("kind", "invalid", f"Unknown metric {kind!r}: one of {', '.join(KINDS)}.")
    known = {
        "repeat_rate": {"window_days", "event"},
        "retention": {"period", "k"},
        "conversion": {"event_a", "event_b", "window_days"},
        "arpu": {"period", "periods"},
        "growth": {"measure", "period", "periods"},
    }[kind]
    unknown = sorted(set(params) - known)
    if unknown:
        raise MetricParamsError(unknown[0], "unknown", f"{kind} takes no parameter {unknown[0]!r}.")
    return _params_of(kind, params, known)


def _params_of(kind: str, params: dict[str, Any], known: set[str]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "window_days" in known:
        clean["window_days"] = _integer(params, "window_days", default=30 if kind == "repeat_rate" else 7, low=1, high=MAX_WINDOW_DAYS)
    if "period" in known:
        clean["period"] = _choice(params, "period", PERIODS, default="month")
    if "k" in known:
        clean["k"] = _integer(params, "k", default=1, low=1, high=MAX_PERIODS)
    if "periods" in known:
        clean["periods"] = _integer(params, "periods", default=3, low=1, high=MAX_PERIODS)
    if "measure" in known:
        clean["measure"] = _choice(params, "measure", MEASURES, default="revenue")
    for name in ("event_a", "event_b"):
        if name in known:
            clean[name] = _text(params, name, required=True)
    if "event" in known and params.get("event") not in (None, ""):
        clean["event"] = _text(params, "event", required=True)
    return clean


def _integer(params: dict[str, Any], name: str, *, default: int, low: int, high: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise MetricParamsError(name, "invalid", f"{name} must be a whole number.")
    try:
        number = int(value)
    except ValueError:
        raise MetricParamsError(name, "invalid", f"{name} must be a whole number.") from None
    if not low <= number <= high:
        raise MetricParamsError(name, "invalid", f"{name} must be between {low} and {high}.")
    return number


def _choice(params: dict[str, Any], name: str, choices: tuple[str, ...], *, default: str) -> str:
    value = params.get(name, default)
    if value not in choices:
        raise MetricParamsError(name, "invalid", f"{name} must be one of {', '.join(choices)}.")
    return str(value)


def _text(params: dict[str, Any], name: str, *, required: bool) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value.strip():
        raise MetricParamsError(name, "required", f"{name} is required: the name of an event in the data.")
    return value.strip()


BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_MAX_UNITS = 100_000  # above it the bootstrap costs seconds; the normal (delta) interval is as good there
_INDEX_CELLS = 20_000_000  # bootstrap indices drawn per chunk (160 MB): bounded memory whatever the customers


def measure(events: pd.DataFrame, kind: str, params: dict[str, Any], *, seed: int = 0) -> Measurement:
    """The metric `kind` with `params` (as params_clean returns them) on `events`."""
    log = _Log(events)
    if log.empty:
        return _no_value(kind, "no_customers", method=_METHODS[kind])
    measure_kind = {
        "repeat_rate": _repeat_rate,
        "retention": _retention,
        "conversion": _conversion,
        "arpu": _arpu,
        "growth": _growth,
    }[kind]
    return measure_kind(log, params, np.random.default_rng(seed))


def judge(measurement: Measurement, *, comparison: str, threshold: float) -> Evaluation:
    """The verdict of `measurement` against `threshold` (see the module's docstring)."""
    if comparison not in COMPARISONS:
        raise ValueError(comparison)
    low, high, value = measurement.ci_low, measurement.ci_high, measurement.value
    if value is None or low is None or high is None:
        return Evaluation(measurement, comparison, threshold, "inconclusive", None)
    right, wrong = (low >= threshold, high < threshold) if comparison == "gte" else (high <= threshold, low > threshold)
    if right or wrong:
        return Evaluation(measurement, comparison, threshold, "supported" if right else "refuted", None)
    return Evaluation(measurement, comparison, threshold, "inconclusive", _n_needed(measurement, threshold))


def evaluate(events: pd.DataFrame, kind: str, params: dict[str, Any], *, comparison: str, threshold: float, seed: int = 0) -> Evaluation:
    """params_clean, measure, then judge."""
    measurement = measure(events, kind, params_clean(kind, params), seed=seed)
    return judge(measurement, comparison=comparison, threshold=threshold)


_METHODS = {"repeat_rate": "wilson", "retention": "wilson", "conversion": "wilson", "arpu": "bootstrap_bca", "growth": "bootstrap_bca"}
_EPOCH_MONDAY = -3  # 1970-01-01 was a Thursday: weeks are counted from Monday 1969-12-29


class _Log:
    """The events a metric reads: users as integer codes, times as datetime64, days as integers since 1970, with the
    data's first and last day (the span every metric is judged within)."""

    def __init__(self, events: pd.DataFrame) -> None:
        frame = events.dropna(subset=["user_id", "timestamp"])
        self.empty = frame.empty
        self.user = pd.factorize(frame["user_id"])[0] if not self.empty else np.empty(0, dtype=np.int64)
        times = pd.to_datetime(frame["timestamp"])
        if getattr(times.dt, "tz", None) is not None:
            times = times.dt.tz_convert("UTC").dt.tz_localize(None)
        self.time = times.to_numpy(dtype="datetime64[ns]")
        self.day = self.time.astype("datetime64[D]").astype(np.int64)
        amount = frame["amount"] if "amount" in frame else pd.Series(np.nan, index=frame.index)
        self.amount: np.ndarray = amount.to_numpy(dtype=float, na_value=np.nan)
        self.event = frame["event"].to_numpy(dtype=object) if "event" in frame else None
        self.users = int(self.user.max()) + 1 if not self.empty else 0
        self.last_time: np.datetime64 = self.time.max() if not self.empty else np.datetime64("NaT", "ns")
        self.first_day = int(self.day.min()) if not self.empty else 0
        self.last_day = int(self.day.max()) if not self.empty else 0

    def periods(self, period: str) -> np.ndarray:
        """Each event's period as an integer (weeks from Monday, or months since 1970)."""
        if period == "week":
            return (self.day - _EPOCH_MONDAY) // 7
        months = self.time.astype("datetime64[M]").astype(np.int64)
        return months

    def complete(self, period: str) -> tuple[int, int]:
        """The first and last periods the data covers entirely (first > last when none is)."""
        if period == "week":
            first = -((self.first_day - _EPOCH_MONDAY) // -7)  # the week starting on or after the first day
            last = (self.last_day - _EPOCH_MONDAY + 1) // 7 - 1  # the week ending on or before the last day
            return first, last
        first_month = np.datetime64(self.first_day, "D").astype("datetime64[M]")
        last_month = np.datetime64(self.last_day, "D").astype("datetime64[M]")
        first = int(first_month.astype(np.int64)) + (first_month.astype("datetime64[D]").astype(np.int64) != self.first_day)
        ends_on_last_day = (last_month + 1).astype("datetime64[D]").astype(np.int64) - 1 == self.last_day
        return first, int(last_month.astype(np.int64)) - (not ends_on_last_day)

    @staticmethod
    def period_start(period: str, index: int) -> str:
        if period == "week":
            return str(np.datetime64(index * 7 + _EPOCH_MONDAY, "D"))
        return str(np.datetime64(index, "M").astype("datetime64[D]"))


def _no_value(kind: str, reason: str, *, method: str, **params: Any) -> Measurement:
    return Measurement(kind, None, None, None, 0, method, reason=reason, reason_params=params)


def _share(kind: str, successes: int, n: int, details: dict[str, Any]) -> Measurement:
    low, high = proportion_confint(successes, n, alpha=1 - CONFIDENCE, method="wilson")
    value = successes / n
    details = {"successes": successes, **details}
    # clamped: at 0 or n successes the formula's rounding leaves an end a hair off the share itself
    return Measurement(kind, value, min(float(low), value), max(float(high), value), n, "wilson", details=details)


def _within_window(log: _Log, starts: np.ndarray, window_days: int) -> np.ndarray:
    """Which of the users' start times (NaT: none) leave `window_days` of data after them."""
    window = np.timedelta64(window_days, "D")
    within: np.ndarray = ~np.isnat(starts) & (starts + window <= log.last_time)
    return within


def _first_times(log: _Log, rows: np.ndarray) -> np.ndarray:
    """Each user's first time among `rows` (NaT for users without one)."""
    first = np.full(log.users, np.datetime64("NaT"), dtype="datetime64[ns]")
    order = np.argsort(log.time[rows], kind="stable")[::-1]  # latest first, so the earliest is written last
    first[log.user[rows][order]] = log.time[rows][order]
    return first


def _followed_within(log: _Log, first: np.ndarray, rows: np.ndarray, window_days: int, *, strictly_after: bool) -> np.ndarray:
    """Which users have one of `rows` after their `first` time (strictly, or at the same time or later) and within
    `window_days` of it."""
    users, times = log.user[rows], log.time[rows]
    start = first[users]
    after = times > start if strictly_after else times >= start
    hit = after & (times <= start + np.timedelta64(window_days, "D"))
    found = np.zeros(log.users, dtype=bool)
    found[users[hit]] = True
    return found


def _repeat_rate(log: _Log, params: dict[str, Any], rng: np.random.Generator) -> Measurement:
    if params.get("event"):
        purchases = log.event == params["event"]
    elif not np.isnan(log.amount).all():
        purchases = np.nan_to_num(log.amount) > 0
    else:
        purchases = np.ones(len(log.user), dtype=bool)
    if not purchases.any():
        return _no_value("repeat_rate", "no_customers", method="wilson")
    first = _first_times(log, purchases)
    eligible = _within_window(log, first, params["window_days"])
    if not eligible.any():
        return _no_value("repeat_rate", "window_longer_than_data", method="wilson", window_days=params["window_days"])
    repeated = _followed_within(log, first, purchases, params["window_days"], strictly_after=True)
    customers = int((~np.isnat(first)).sum())
    details = {"window_days": params["window_days"], "customers": customers}
    return _share("repeat_rate", int((repeated & eligible).sum()), int(eligible.sum()), details)


def _conversion(log: _Log, params: dict[str, Any], rng: np.random.Generator) -> Measurement:
    did_a = log.event == params["event_a"]
    if not did_a.any():
        return _no_value("conversion", "no_customers", method="wilson")
    first = _first_times(log, did_a)
    eligible = _within_window(log, first, params["window_days"])
    if not eligible.any():
        return _no_value("conversion", "window_longer_than_data", method="wilson", window_days=params["window_days"])
    converted = _followed_within(log, first, log.event == params["event_b"], params["window_days"], strictly_after=False)
    details = {"window_days": params["window_days"], "users_with_a": int((~np.isnat(first)).sum())}
    return _share("conversion", int((converted & eligible).sum()), int(eligible.sum()), details)


def _retention(log: _Log, params: dict[str, Any], rng: np.random.Generator) -> Measurement:
    period, k = params["period"], params["k"]
    periods = log.periods(period)
    cohort = np.full(log.users, np.iinfo(np.int64).max)
    np.minimum.at(cohort, log.user, periods)
    _, last_complete = log.complete(period)
    eligible = cohort + k <= last_complete
    if not eligible.any():
        return _no_value("retention", "period_not_reached", method="wilson", k=k)
    active = np.zeros(log.users, dtype=bool)
    active[log.user[periods == cohort[log.user] + k]] = True
    details = {"period": period, "k": k, "cohorts": int(np.unique(cohort[eligible]).size)}
    return _share("retention", int((active & eligible).sum()), int(eligible.sum()), details)


def _window(log: _Log, period: str, periods: int, kind: str) -> tuple[int, int] | Measurement:
    """The last `periods` + 1 complete periods (`growth` compares the first and last) or the last `periods` (`arpu`)."""
    first, last = log.complete(period)
    needed = periods + 1 if kind == "growth" else periods
    available = max(0, last - first + 1)
    if available < needed:
        return _no_value(kind, "too_few_periods", method="bootstrap_bca", available=available, needed=needed)
    return last - needed + 1, last


def _arpu(log: _Log, params: dict[str, Any], rng: np.random.Generator) -> Measurement:
    window = _window(log, params["period"], params["periods"], "arpu")
    if isinstance(window, Measurement):
        return window
    periods = log.periods(params["period"])
    rows = (periods >= window[0]) & (periods <= window[1])
    users = log.user[rows]
    revenue = np.bincount(users, weights=np.nan_to_num(log.amount[rows]), minlength=log.users)
    pairs = np.unique(users.astype(np.int64) * (window[1] - window[0] + 1) + (periods[rows] - window[0]))
    active_periods = np.bincount(pairs // (window[1] - window[0] + 1), minlength=log.users).astype(float)
    present = active_periods > 0
    if not present.any():
        return _no_value("arpu", "no_customers", method="bootstrap_bca")
    details = {
        "period": params["period"],
        "first_period": log.period_start(params["period"], window[0]),
        "last_period": log.period_start(params["period"], window[1]),
        "revenue": float(revenue.sum()),
        "customer_periods": int(active_periods.sum()),
    }
    return _ratio("arpu", revenue[present], active_periods[present], rng, details)


def _growth(log: _Log, params: dict[str, Any], rng: np.random.Generator) -> Measurement:
    window = _window(log, params["period"], params["periods"], "growth")
    if isinstance(window, Measurement):
        return window
    periods = log.periods(params["period"])
    ends = []
    for index in window:
        rows = periods == index
        if params["measure"] == "revenue":
            ends.append(np.bincount(log.user[rows], weights=np.nan_to_num(log.amount[rows]), minlength=log.users))
        else:
            ends.append(np.bincount(log.user[rows], minlength=log.users).clip(max=1).astype(float))
    start, end = ends
    present = (start != 0) | (end != 0)
    details = {
        "measure": params["measure"],
        "period": params["period"],
        "first_period": log.period_start(params["period"], window[0]),
        "last_period": log.period_start(params["period"], window[1]),
        "start_value": float(start.sum()),
        "end_value": float(end.sum()),
    }
    if start.sum() <= 0 or end.sum() < 0:
        return Measurement("growth", None, None, None, int(present.sum()), "bootstrap_bca", reason="no_base", details=details)
    ratio = _ratio("growth", end[present], start[present], rng, details)
    steps = params["periods"]

    def compound(value: float | None) -> float | None:
        return None if value is None else max(value, 0.0) ** (1 / steps) - 1

    return Measurement(
        "growth", compound(ratio.value), compound(ratio.ci_low), compound(ratio.ci_high), ratio.n, ratio.method, details=details
    )


def _ratio(kind: str, numerator: np.ndarray, denominator: np.ndarray, rng: np.random.Generator, details: dict[str, Any]) -> Measurement:
    """Σ numerator ÷ Σ denominator over customers, with its 95 % interval: BCa bootstrap over customers (Efron &
    Tibshirani 1993, ch. 14; the jackknife in closed form, so it costs O(n)), or the normal interval of the ratio
    estimator (delta method) above BOOTSTRAP_MAX_UNITS customers."""
    n = len(numerator)
    total_num, total_den = numerator.sum(), denominator.sum()
    value = total_num / total_den
    if n > BOOTSTRAP_MAX_UNITS:
        error = np.sqrt(n / (n - 1) * np.square(numerator - value * denominator).sum()) / total_den
        spread = norm.ppf(0.5 + CONFIDENCE / 2) * error
        return Measurement(kind, float(value), float(value - spread), float(value + spread), n, "normal_delta", details=details)
    if n < 2:
        return Measurement(kind, float(value), None, None, n, "bootstrap_bca", details=details)
    replicates = []
    chunk = max(1, _INDEX_CELLS // n)
    for done in range(0, BOOTSTRAP_RESAMPLES, chunk):
        rows = rng.integers(0, n, size=(min(chunk, BOOTSTRAP_RESAMPLES - done), n))
        with np.errstate(divide="ignore", invalid="ignore"):
            replicates.append(numerator[rows].sum(axis=1) / denominator[rows].sum(axis=1))
    boot = np.concatenate(replicates)
    boot = boot[np.isfinite(boot)]
    with np.errstate(divide="ignore", invalid="ignore"):
        jackknife = (total_num - numerator) / (total_den - denominator)
    jackknife = jackknife[np.isfinite(jackknife)]
    low, high = _bca(value, boot, jackknife)
    return Measurement(kind, float(value), low, high, n, "bootstrap_bca", details=details)


def _bca(value: float, boot: np.ndarray, jackknife: np.ndarray) -> tuple[float, float]:
    """The BCa interval's ends from the bootstrap replicates and the leave-one-out values."""
    below = (np.count_nonzero(boot < value) + 0.5 * np.count_nonzero(boot == value)) / len(boot)
    bias = norm.ppf(np.clip(below, 1 / len(boot), 1 - 1 / len(boot)))
    spread = jackknife.mean() - jackknife
    denominator = 6 * np.square(spread).sum() ** 1.5
    acceleration = float(np.power(spread, 3).sum() / denominator) if denominator > 0 else 0.0
    ends = []
    for z in norm.ppf([(1 - CONFIDENCE) / 2, (1 + CONFIDENCE) / 2]):
        level = norm.cdf(bias + (bias + z) / (1 - acceleration * (bias + z)))
        ends.append(float(np.quantile(boot, level)))
    return ends[0], ends[1]


def _n_needed(measurement: Measurement, threshold: float) -> int | None:
    """Units that would make the verdict conclusive at the observed value: for a share, the smallest n whose Wilson
    interval around the same share leaves out the threshold; otherwise the interval's half-width towards the
    threshold shrunk as 1/√n."""
    value, low, high, n = measurement.value, measurement.ci_low, measurement.ci_high, measurement.n
    if value is None or low is None or high is None or value == threshold or n == 0:
        return None
    if measurement.method == "wilson":
        if value in (0.0, 1.0) and threshold in (0.0, 1.0):
            return None

        def excludes(units: int) -> bool:
            lo, hi = proportion_confint(value * units, units, alpha=1 - CONFIDENCE, method="wilson")
            return bool(lo > threshold) if value > threshold else bool(hi < threshold)

        upper = max(n, 1)
        while not excludes(upper):
            upper *= 2
            if upper > 10**12:
                return None
        lower = max(upper // 2, n)
        while lower < upper:
            middle = (lower + upper) // 2
            if excludes(middle):
                upper = middle
            else:
                lower = middle + 1
        return upper
    half_width = value - low if value > threshold else high - value
    distance = abs(value - threshold)
    return int(np.ceil(n * (half_width / distance) ** 2)) + 1 if half_width > 0 else None
