"""Coverage of the test cards' 95 % intervals (ml/assumption_metrics.py) on simulated logs whose true value is known,
against a named baseline in the same run: the textbook normal (Wald) interval, p ± 1.96·√(p(1−p)/n) for the shares
and value ± 1.96·SE of the ratio estimator (delta method) for arpu and growth, on the very same draws.

  python bench/assumption_metrics.py                         # 1,000 draws per metric, 300 customers each
  python bench/assumption_metrics.py --draws 200 --customers 100 --metrics repeat_rate,arpu

Each draw simulates a log (users from a fixed seed sequence) from a process with a known value of the metric:
- repeat_rate: first purchases spread over 300 days from Monday 2024-01-01; each customer buys again with probability
  0.6, after an exponential delay with mean 40 days: true share within 30 days 0.6·(1 − e^(−30/40)).
- retention: customers first seen in months 0–8; each active in each later month with probability 0.35: true 0.35.
- conversion: users do "signup" over 300 days; 45 % of them "buy" after an exponential delay with mean 5 days: true
  0.45·(1 − e^(−7/5)) within 7 days.
- arpu: customers each active in each of 8 months with probability 0.4, then 1 + Poisson(1) purchases of lognormal
  amounts (μ 3, σ 1): true 2·e^(3.5) per active customer-month.
- growth (active customers, weekly, 4 periods): each customer active in week t with probability 0.1·1.08^t: true 8 %.
A method's coverage is the share of draws whose interval holds the true value; target within ±2 points of 95 %.
Recorded runs: bench/README.md."""

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ml.assumption_metrics import Measurement, measure, params_clean

START = np.datetime64("2024-01-01T00:00")  # a Monday
DAY = np.timedelta64(1, "D")
Z = 1.959964


def _frame(users: np.ndarray, times: np.ndarray, amounts: np.ndarray | None = None, events: np.ndarray | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"user_id": users, "timestamp": times})
    frame["amount"] = amounts if amounts is not None else np.nan
    frame["event"] = events if events is not None else None
    return frame


def repeat_rate(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, float]:
    first = START + (rng.uniform(0, 300, n) * 86400).astype("timedelta64[s]")
    again = rng.random(n) < 0.6
    later = first + (rng.exponential(40, n) * 86400).astype("timedelta64[s]")
    # the data runs to day 400 for everyone (a last purchase of the shop's own: no customer of the metric)
    users = np.concatenate([np.arange(n), np.arange(n)[again], [-1]])
    times = np.concatenate([first, later[again], [START + 400 * DAY]])
    frame = _frame(users, times, amounts=np.concatenate([np.full(n + again.sum(), 10.0), [0.0]]))
    return frame, 0.6 * (1 - math.exp(-30 / 40))


def retention(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, float]:
    months = np.arange(12)
    month_start = START.astype("datetime64[M]") + months
    cohort = rng.integers(0, 9, n)
    active = (rng.random((n, 12)) < 0.35) & (months[None, :] > cohort[:, None])
    active[np.arange(n), cohort] = True
    user, month = np.nonzero(active)
    times = month_start[month].astype("datetime64[s]") + (rng.uniform(0, 27, len(user)) * 86400).astype("timedelta64[s]")
    times = np.concatenate([times, [np.datetime64("2024-12-31T12:00")]])
    return _frame(np.concatenate([user, [user[0]]]), times), 0.35


def conversion(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, float]:
    signup = START + (rng.uniform(0, 300, n) * 86400).astype("timedelta64[s]")
    buys = rng.random(n) < 0.45
    buy = signup + (rng.exponential(5, n) * 86400).astype("timedelta64[s]")
    users = np.concatenate([np.arange(n), np.arange(n)[buys], [-1]])
    times = np.concatenate([signup, buy[buys], [START + 400 * DAY]])
    events = np.concatenate([np.full(n, "signup"), np.full(buys.sum(), "buy"), ["other"]]).astype(object)
    return _frame(users, times, events=events), 0.45 * (1 - math.exp(-7 / 5))


def arpu(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, float]:
    months = 8
    month_start = START.astype("datetime64[M]") + np.arange(months + 1)
    user, month = np.nonzero(rng.random((n, months)) < 0.4)
    purchases = 1 + rng.poisson(1, len(user))
    user, month = np.repeat(user, purchases), np.repeat(month, purchases)
    times = month_start[month].astype("datetime64[s]") + (rng.uniform(0, 28, len(user)) * 86400).astype("timedelta64[s]")
    amounts = rng.lognormal(3, 1, len(user))
    # the data covers the eight months exactly: first and last day marked by a customer of no revenue
    edges = np.array([START, (month_start[months] - 1).astype("datetime64[s]") + np.timedelta64(12, "h")]).astype("datetime64[s]")
    frame = _frame(np.concatenate([user, [-1, -1]]), np.concatenate([times, edges]), amounts=np.concatenate([amounts, [0.0, 0.0]]))
    return frame, 2 * math.exp(3 + 0.5)


def growth(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, float]:
    weeks = 6
    chance = 0.1 * 1.08 ** np.arange(weeks)
    user, week = np.nonzero(rng.random((n, weeks)) < chance[None, :])
    times = START + (week * 7 * 86400 + rng.uniform(0, 6.9, len(user)) * 86400).astype("timedelta64[s]")
    frame = _frame(user, times)
    frame = pd.concat([frame, _frame(np.array([-1]), np.array([START + (weeks * 7 - 1) * DAY + np.timedelta64(12, "h")]))])
    return frame, 0.08


SIMULATIONS = {
    "repeat_rate": (repeat_rate, {"window_days": 30}),
    "retention": (retention, {"period": "month", "k": 2}),
    "conversion": (conversion, {"event_a": "signup", "event_b": "buy", "window_days": 7}),
    "arpu": (arpu, {"period": "month", "periods": 6}),
    "growth": (growth, {"measure": "active", "period": "week", "periods": 4}),
}


def wald(measurement: Measurement) -> tuple[float, float]:
    """The baseline interval on the same draw."""
    value, n = measurement.value, measurement.n
    if measurement.method == "wilson":
        half = Z * math.sqrt(max(value * (1 - value), 0.0) / n)
        return value - half, value + half
    if measurement.method == "normal_delta":
        return measurement.ci_low, measurement.ci_high
    return math.nan, math.nan  # filled by the caller for the ratio metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--metrics", default=",".join(SIMULATIONS))
    parser.add_argument("--seed", type=int, default=20261206)
    args = parser.parse_args()
    print(f"{args.draws} draws per metric, {args.customers} customers per draw, 95 % intervals")
    print(f"{'metric':<12} {'true':>10} {'ours':>8} {'method':>14} {'baseline (Wald)':>16} {'mean n':>7} {'width':>9} {'s/draw':>7}")
    for kind in args.metrics.split(","):
        simulate, params = SIMULATIONS[kind]
        params = params_clean(kind, params)
        rng = np.random.default_rng([args.seed, list(SIMULATIONS).index(kind)])
        ours = base = 0
        sizes, widths = [], []
        started = time.process_time()
        for draw in range(args.draws):
            frame, truth = simulate(rng, args.customers)
            measurement = measure(frame, kind, params, seed=draw)
            ours += measurement.ci_low <= truth <= measurement.ci_high
            if measurement.method == "wilson":
                low, high = wald(measurement)
            else:
                low, high = _ratio_wald(frame, kind, params, measurement)
            base += low <= truth <= high
            sizes.append(measurement.n)
            widths.append(measurement.ci_high - measurement.ci_low)
        seconds = (time.process_time() - started) / args.draws
        print(
            f"{kind:<12} {truth:>10.4f} {100 * ours / args.draws:>7.1f}% {measurement.method:>14} "
            f"{100 * base / args.draws:>15.1f}% {np.mean(sizes):>7.0f} {np.mean(widths):>9.4f} {seconds:>7.3f}"
        )


def _ratio_wald(frame: pd.DataFrame, kind: str, params: dict, measurement: Measurement) -> tuple[float, float]:
    """The delta-method interval on the same draw: the metric measured with the bootstrap switched off."""
    import ml.assumption_metrics as metrics

    saved = metrics.BOOTSTRAP_MAX_UNITS
    metrics.BOOTSTRAP_MAX_UNITS = 0
    try:
        normal = measure(frame, kind, params)
    finally:
        metrics.BOOTSTRAP_MAX_UNITS = saved
    return normal.ci_low, normal.ci_high


if __name__ == "__main__":
    main()
