"""Demand forecasts, one per series: statsforecast candidates, chosen per series by a rolling-origin backtest.

Two passes over the run: every series' candidates are backtested (`ml.forecast_models`) and scored, the scores and
interval errors pooled over the run and each forecast chosen (`ml.forecast_scoring`); then the chosen model(s) are
refitted on the whole history with conformal intervals (`ml.forecast_intervals`). Series preparation and backtest
plans: `ml.forecast_plan`. Measurements behind the candidates, windows, pooling and intervals: bench/README.md.
"""

import functools
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ml.forecast_intervals import LEVELS, _bounded, _fallback_intervals, _scaled
from ml.forecast_models import FOURIER, LAST_VALUE, NAIVE, _final
from ml.forecast_plan import BacktestPlan, PreparedSeries, prepare_series
from ml.forecast_scoring import BASELINES, COMBINATION, _Backtest, _Choice, _choose_all
from ml.series import statsforecast_freq

__all__ = [
    "BASELINES",
    "CANDIDATES",
    "COMBINATION",
    "LAST_VALUE",
    "LEVELS",
    "NAIVE",
    "NONSEASONAL_CANDIDATES",
    "THOROUGH_CANDIDATES",
    "ForecastPoint",
    "SeriesForecast",
    "forecast",
    "improvement_over_naive",
]

BATCH_SIZE = 50
BACKTEST_SHARE = 0.8  # of the progress: the backtests; the rest is the final fits
# Theta (the standard theta method) took the place of SES/Holt/damped: as accurate on M3 for much less CPU.
CANDIDATES = ("AutoETS", "DynamicOptimizedTheta", "AutoCES", "Theta")
# Without a season in the models (model_season 1) AutoETS's own search spans SES, Holt and damped Holt, and AutoCES and
# SES/Holt/damped bought no accuracy for two thirds of the CPU on M3 "other"; Theta was less accurate on M1 (bench/README.md).
NONSEASONAL_CANDIDATES = ("AutoETS", "DynamicOptimizedTheta")
THOROUGH_CANDIDATES = ("AutoARIMA",)
INTERMITTENT = ("CrostonOptimized", "ADIDA", "IMAPA")

T = TypeVar("T")


@dataclass(frozen=True)
class ForecastPoint:
    ds: str
    yhat: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


@dataclass(frozen=True)
class SeriesForecast:
    """One series' forecast and how it was chosen; plain data (`dataclasses.asdict` gives JSON-ready dicts).

    `model` is a candidate's name, "Combination", "SeasonalNaive" or "Naive"; `members` the models averaged ([model]
    for one, [] after a fallback). `reason`: "single_best", "combination_best", "naive_best" (no candidate beat the
    better naive baseline, which is then the forecast), or "fallback_<note>" when there was no backtest. `backtest`
    maps each scored model (always both baselines, and "Combination" when scored) to its backtest "mase" (pooled with
    the run's when the run had several series, note backtest_pooled: the scores the choice used) and "smape" (the
    series' own); empty after a fallback. `accuracy`: "error_share" (mean absolute backtest error / mean absolute actual),
    "baseline" (the better naive one), "vs_baseline" (1 − MASE ratio), "interval" ("conformal"); all None without a
    backtest. `notes` are codes: too_few_points, all_zero, constant, long_gap, short_history, one_season,
    intermittent, intermittent_short, leading_zeros_trimmed, missing_values_zeroed, model_failed,
    interval_from_level, interval_from_few_points, lower_bound_ratio, backtest_pooled.
    """

    key: str
    model: str
    reason: str
    horizon: int
    history: list[tuple[str, float]]
    forecast: list[ForecastPoint]
    backtest: dict[str, dict[str, float]]
    notes: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    accuracy: dict[str, Any] = field(default_factory=dict)


def improvement_over_naive(sf: SeriesForecast) -> float | None:
    """1 − MASE(chosen) / MASE(better naive baseline) in the backtest; None when there was no backtest."""
    value = sf.accuracy.get("vs_baseline") if sf.accuracy else None
    return None if value is None else float(value)


def forecast(
    series: pd.DataFrame,
    freq: str,
    horizon: int,
    *,
    levels: Iterable[int] = LEVELS,
    progress: Callable[[float], None] | None = None,
    n_jobs: int = 1,
    thorough: bool = False,
) -> list[SeriesForecast]:
    """Forecast every series of a long (unique_id, ds, y) frame `horizon` periods ahead, in the input's key order.

    Per series: `ml.forecast_plan.prepare_series` cleans it (leading zeros dropped) and plans a backtest; a
    degenerate history (too short, all zero, constant, gone quiet) gets the naive forecast with reason
    "fallback_<note>". Otherwise each candidate is backtested (`ml.forecast_models._roll`), scored by MASE against the
    seasonal naive of each window's training data (sMAPE beside it), the scores pooled with the run's and the forecast
    chosen (`ml.forecast_scoring`); the chosen model(s) are refitted on the whole history. Candidates: `CANDIDATES` (`NONSEASONAL_CANDIDATES` when the models get no season: a yearly series, or a
    history too short for two seasons); SeasonalFourier for seasons over 24 or histories of one to two seasons; the
    Croston family when more than 30 % of the periods are zero; `THOROUGH_CANDIDATES` when `thorough` (several times
    slower).

    `freq` is "D", "W", "M", "Q" or "Y". `levels` must be (80, 95). `progress`, when given, is called with
    non-decreasing fractions from 0.0 to 1.0 as batches complete. `n_jobs` > 1 runs batches in that many processes.
    """
    if tuple(sorted(levels)) != LEVELS:
        raise ValueError("levels must be (80, 95): ForecastPoint has fields for exactly these two.")
    if horizon < 1:
        raise ValueError("horizon must be at least 1.")
    report = progress or (lambda _fraction: None)
    report(0.0)
    future_freq = statsforecast_freq(freq)
    prepared = [prepare_series(key, group, freq, horizon) for key, group in series.groupby("unique_id", sort=False)]
    extra = THOROUGH_CANDIDATES if thorough else ()
    total = max(len(prepared), 1)
    with ProcessPoolExecutor(max_workers=n_jobs) if n_jobs > 1 and len(prepared) > BATCH_SIZE else nullcontext() as pool:
        mapper = pool.map if pool is not None else map
        backtests: dict[str, _Backtest] = {}
        with_plan = [item for item in prepared if item.plan is not None]
        for batch_backtests in mapper(_backtest_batch, [(batch, extra, horizon) for batch in _batches(with_plan, BATCH_SIZE)]):
            backtests.update(batch_backtests)
            report(BACKTEST_SHARE * len(backtests) / total)
        choices = _choose_all(backtests)
        results: dict[str, SeriesForecast] = {}
        jobs = [
            ([(item, backtests.get(item.key), choices.get(item.key)) for item in batch], horizon, future_freq)
            for batch in _batches(prepared, BATCH_SIZE)
        ]
        start = BACKTEST_SHARE * len(backtests) / total
        for batch_results in mapper(_finish_batch, jobs):
            results.update((result.key, result) for result in batch_results)
            report(start + (1 - start) * len(results) / total)
    report(1.0)
    return [results[item.key] for item in prepared]


def _backtest_batch(job: tuple[list[PreparedSeries], tuple[str, ...], int]) -> dict[str, _Backtest]:
    batch, extra, horizon = job
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {item.key: _backtest_one(item, horizon, extra) for item in batch}


def _backtest_one(item: PreparedSeries, horizon: int, extra: tuple[str, ...] = ()) -> _Backtest:
    """`CANDIDATES` (`NONSEASONAL_CANDIDATES` when the models get no season), `extra`, and the special-purpose ones."""
    plan = _plan(item)
    names = [*(CANDIDATES if plan.model_season > 1 else NONSEASONAL_CANDIDATES), *extra]
    if plan.season_length > 1 and (plan.model_season < plan.season_length or plan.season_length > 24):
        names.append(FOURIER)
    if plan.intermittent:
        names.extend(INTERMITTENT)
    return _Backtest.run(item.y, plan, names, horizon)


def _plan(item: PreparedSeries) -> BacktestPlan:
    if item.plan is None:  # pragma: no cover - only series with a plan are backtested
        raise ValueError(f"series {item.key} has no backtest plan")
    return item.plan


def _finish_batch(job: tuple[list[tuple[PreparedSeries, _Backtest | None, _Choice | None]], int, str]) -> list[SeriesForecast]:
    batch, horizon, future_freq = job
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [
            _finish_one(item, backtest, choice, horizon, future_freq) if backtest and choice else _fallback(item, horizon, future_freq)
            for item, backtest, choice in batch
        ]


def _finish_one(item: PreparedSeries, backtest: _Backtest, choice: _Choice, horizon: int, future_freq: str) -> SeriesForecast:
    plan = backtest.plan
    try:
        final: np.ndarray | None = _final(item.y, plan, horizon, choice.members, backtest.fitted)
    except Exception:
        final = None
    if final is None or not np.isfinite(final).all():
        return _fallback(
            item, horizon, future_freq, notes=[*item.notes, "model_failed"], reason="fallback_model_failed", backtest=backtest.table()
        )
    values = _scaled(final, backtest.final_shape, choice.multiplier)
    notes = list(item.notes)
    if backtest.pooled:
        notes.append("backtest_pooled")
    points = _points(_future(item, horizon, future_freq), values, item.nonnegative, zeros_seen=bool((item.y == 0).any()), notes=notes)
    return SeriesForecast(
        key=item.key,
        model=choice.model,
        reason=choice.reason,
        horizon=horizon,
        history=item.history,
        forecast=points,
        backtest=backtest.table(),
        notes=notes,
        members=list(choice.members),
        accuracy=backtest.accuracy(choice),
    )


def _fallback(
    item: PreparedSeries,
    horizon: int,
    future_freq: str,
    *,
    notes: list[str] | None = None,
    reason: str | None = None,
    backtest: dict[str, dict[str, float]] | None = None,
) -> SeriesForecast:
    """The seasonal-naive forecast (naive when the history is not longer than a season), with intervals from the
    naive forecast's own errors in the history (`ml.forecast_intervals._fallback_intervals`)."""
    notes = list(item.notes if notes is None else notes)
    season, values = _fallback_intervals(item.y, item.season_length, horizon, notes)
    points = _points(_future(item, horizon, future_freq), values, item.nonnegative, zeros_seen=bool((item.y == 0).any()), notes=notes)
    return SeriesForecast(
        key=item.key,
        model=NAIVE if season > 1 else LAST_VALUE,
        reason=reason or f"fallback_{item.fallback}",
        horizon=horizon,
        history=item.history,
        forecast=points,
        backtest=backtest or {},
        notes=notes,
        members=[],
        accuracy={"error_share": None, "baseline": None, "vs_baseline": None, "interval": None},
    )


def _future(item: PreparedSeries, horizon: int, future_freq: str) -> tuple[str, ...]:
    return _future_dates(item.last_ds, horizon, future_freq)


@functools.lru_cache(maxsize=256)
def _future_dates(last: pd.Timestamp, horizon: int, future_freq: str) -> tuple[str, ...]:
    """The `horizon` dates after `last` (a run's series mostly end on the same date: built once for all of them)."""
    return tuple(pd.date_range(last, periods=horizon + 1, freq=future_freq)[1:].strftime("%Y-%m-%d"))


def _points(
    dates: tuple[str, ...], values: dict[str, np.ndarray], nonnegative: bool, *, zeros_seen: bool, notes: list[str]
) -> list[ForecastPoint]:
    """Forecast points at `dates`, with ordered bounds that stay non-negative for a non-negative series
    (`ml.forecast_intervals._bounded`)."""
    arrays = _bounded(values, nonnegative, zeros_seen=zeros_seen, notes=notes)
    return [ForecastPoint(date, *(float(array[index]) for array in arrays)) for index, date in enumerate(dates)]


def _batches(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
