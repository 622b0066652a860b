"""The metrics a test card measures on a dataset's events, each with a 95 % interval, and the verdict it gives against
a threshold. Pure: a pandas frame of events in (columns `user_id`, `timestamp`, and `amount`/`event` where the
metric needs them), frozen dataclasses out.

Definitions (the page shows each; `definition(kind)` gives the English sentence):
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

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

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
    clean: dict[str, Any] = {}
    if "window_days" in known:
        clean["window_days"] = _integer(params, "window_days", default=30 if kind == "repeat_rate" else 7, low=1, high=MAX_WINDOW_DAYS)
    if "period" in known:
        clean["period"] = _choice(params, "period", PERIODS, default="month")
    if kind == "retention":
        clean["k"] = _integer(params, "k", default=1, low=1, high=MAX_PERIODS)
    if kind in ("arpu", "growth"):
        clean["periods"] = _integer(params, "periods", default=3, low=1, high=MAX_PERIODS)
    if kind == "growth":
        clean["measure"] = _choice(params, "measure", MEASURES, default="revenue")
    if kind == "conversion":
        for name in ("event_a", "event_b"):
            clean[name] = _text(params, name, required=True)
    if kind == "repeat_rate" and params.get("event") not in (None, ""):
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


def measure(events: "pd.DataFrame", kind: str, params: dict[str, Any], *, seed: int = 0) -> Measurement:
    """The metric `kind` with `params` (as params_clean returns them) on `events`."""
    raise NotImplementedError("being written on main")


def judge(measurement: Measurement, *, comparison: str, threshold: float) -> Evaluation:
    """The verdict of `measurement` against `threshold` (see the module's docstring)."""
    raise NotImplementedError("being written on main")


def evaluate(events: "pd.DataFrame", kind: str, params: dict[str, Any], *, comparison: str, threshold: float, seed: int = 0) -> Evaluation:
    """measure, then judge."""
    return judge(measure(events, kind, params_clean(kind, params), seed=seed), comparison=comparison, threshold=threshold)
