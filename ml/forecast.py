"""Demand forecasts, one per series: statsforecast candidates, chosen per series by a rolling-origin backtest.

Per series, the mean of the best `COMBINATION_SIZE` candidates by backtest MASE is forecast, unless one model's
backtest MASE is below `1 - SINGLE_MODEL_MARGIN` times the combination's: two backtest windows are too small a sample
to trust a narrow win, and on M3 combining beat picking the lowest backtest MASE outright. The combination's interval
is the envelope of its members' (each member's own is too narrow out of sample); the forecast of a series without a
negative value is clipped at 0. `forecast` says how a series goes through it. The measurements behind the candidates,
the margin and the intervals, and the M3 bench against single models, are in bench/README.md.
"""

import warnings
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TypeVar

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import (
    ADIDA,
    IMAPA,
    AutoARIMA,
    AutoCES,
    AutoETS,
    CrostonOptimized,
    DynamicOptimizedTheta,
    OptimizedTheta,
    SeasonalNaive,
)
from statsforecast.utils import ConformalIntervals

from ml.accuracy import NIL, mase, smape
from ml.forecast_plan import BacktestPlan, PreparedSeries, prepare_series
from ml.series import statsforecast_freq

NAIVE = "SeasonalNaive"
COMBINATION = "Combination"
COMBINATION_SIZE = 4
SINGLE_MODEL_MARGIN = 0.5
CONFORMAL_WINDOWS = 5
BATCH_SIZE = 50
LEVELS = (80, 95)
# The candidates: always, and also when the analyst asks for `thorough` (AutoARIMA costs several times AutoETS's CPU
# and did not make the forecast more accurate on the M3 sample, so the default leaves it out).
CANDIDATES = (NAIVE, "AutoETS", "DynamicOptimizedTheta", "OptimizedTheta", "AutoCES")
THOROUGH_CANDIDATES = ("AutoARIMA",)
# Refitted for the backtest's second window instead of rolled forward: AutoCES's roll forward (`forward`) is broken in
# statsforecast 2.1.1 (backtest MASE in the thousands on about 10 % of M3 series); refitting it is cheap.
REFIT_CANDIDATES = ("AutoCES",)
# In a combination these give their point forecast only: AutoCES's intervals are simulated (5,000 paths per series,
# about as much CPU as all of AutoETS) and too narrow on their own; alone, it keeps them.
POINT_ONLY = ("AutoCES",)

# One backtest window: the training values, the actual values, and each model's predictions.
Window = tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


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

    `reason` is "lowest_backtest_mase", "combination_preferred" (a single model was better in the backtest, by less
    than the margin), or "fallback_<note>" when the history was
    degenerate. `backtest` maps each scored model (always including "SeasonalNaive") to its backtest "mase" and
    "smape"; it is empty after a fallback. `notes` are codes: too_few_points, all_zero, constant, long_gap,
    short_history, intermittent, intermittent_short (too short for the Croston family's intervals), leading_zeros_trimmed, missing_values_zeroed, model_failed.
    """

    key: str
    model: str
    reason: str
    horizon: int
    history: list[tuple[str, float]]
    forecast: list[ForecastPoint]
    backtest: dict[str, dict[str, float]]
    notes: list[str] = field(default_factory=list)


def improvement_over_naive(sf: SeriesForecast) -> float | None:
    """1 − MASE(chosen model) / MASE(seasonal naive) in the backtest; None when there was no backtest to compare."""
    chosen, naive = sf.backtest.get(sf.model), sf.backtest.get(NAIVE)
    if chosen is None or naive is None or naive["mase"] <= NIL:  # naive already perfect: nothing to improve on
        return None
    return 1.0 - chosen["mase"] / naive["mase"]


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

    Per series, in batches: `ml.forecast_plan.prepare_series` cleans it (leading zeros dropped) and plans a backtest;
    a degenerate history (too short, all zero, constant, gone quiet) gets the naive forecast instead, with reason
    "fallback_<note>". The backtest is statsforecast's `cross_validation` over two windows, each candidate fitted on
    the first and rolled forward to the second (`REFIT_CANDIDATES` and the Croston family are refitted), scored by
    MASE against the seasonal naive of each window's training data (sMAPE beside it). Candidates: `CANDIDATES`, the
    Croston family (with conformal intervals) when more than 30 % of the periods are zero and the history holds two
    backtests of the full horizon, and `THOROUGH_CANDIDATES` when `thorough`. `_score` chooses (see the module
    docstring); the chosen model(s) are then refitted on the whole history.

    `freq` is "D", "W" or "M" (as `ml.series` builds them). `levels` must be (80, 95): ForecastPoint has a field
    for each. `progress`, when given, is called with non-decreasing fractions from 0.0 to 1.0 as batches complete.
    `thorough` adds AutoARIMA to the candidates (several times slower; see CANDIDATES).
    """
    if tuple(sorted(levels)) != LEVELS:
        raise ValueError("levels must be (80, 95): ForecastPoint has fields for exactly these two.")
    if horizon < 1:
        raise ValueError("horizon must be at least 1.")
    report = progress or (lambda _fraction: None)
    report(0.0)
    prepared = [prepare_series(key, group, freq, horizon) for key, group in series.groupby("unique_id", sort=False)]
    results: dict[str, SeriesForecast] = {}
    for item in prepared:
        if item.plan is None:
            results[item.key] = _fallback(item, horizon, freq)
    modelled = [item for item in prepared if item.plan is not None]
    done = len(results)
    total = max(len(prepared), 1)
    report(done / total)
    runner = _Runner(freq=freq, horizon=horizon, n_jobs=n_jobs, candidates=CANDIDATES + (THOROUGH_CANDIDATES if thorough else ()))
    for batch in _batches(modelled, BATCH_SIZE):
        scores = runner.backtest(batch)
        report((done + 0.5 * len(batch)) / total)
        results.update(runner.final(batch, scores))
        done += len(batch)
        report(done / total)
    report(1.0)
    return [results[item.key] for item in prepared]


@dataclass
class _Scores:
    """One series' backtest: each model's (and the combination's) mean MASE and sMAPE over the windows, and the
    model(s) chosen for the final forecast (several: their combination)."""

    mase: dict[str, float]
    smape: dict[str, float]
    chosen: list[str]
    reason: str


@dataclass
class _Runner:
    """Runs statsforecast on one batch: the backtest of every candidate, then the final fit of what was chosen.

    Series are grouped so that each statsforecast call sees one plan (backtest) or one model set (final fit). A
    model that raises on a series is replaced there by the naive forecast (statsforecast's `fallback_model`)."""

    freq: str
    horizon: int
    n_jobs: int
    candidates: tuple[str, ...]

    def backtest(self, batch: list[PreparedSeries]) -> dict[str, _Scores]:
        scores: dict[str, _Scores] = {}
        for plan, items in _group_by(batch, _plan).items():
            frame = _long_frame(items)
            rolling = [_model(name, plan.season_length, None) for name in self.candidates if name not in REFIT_CANDIDATES]
            refitted = [_model(name, plan.season_length, None) for name in self.candidates if name in REFIT_CANDIDATES]
            refitted += _intermittent_models(None) if plan.intermittent else []
            cv = self._cross_validation(frame, plan, rolling, refit=False)
            if refitted:
                cv = cv.merge(self._cross_validation(frame, plan, refitted, refit=True).drop(columns="y"), on=["unique_id", "ds", "cutoff"])
            for item in items:
                scores[item.key] = _score(item, cv[cv["unique_id"] == item.key], plan)
        return scores

    def final(self, batch: list[PreparedSeries], scores: dict[str, _Scores]) -> dict[str, SeriesForecast]:
        results: dict[str, SeriesForecast] = {}
        for members, items in _group_by(batch, lambda item: tuple(sorted(scores[item.key].chosen))).items():
            plan_items = _group_by(items, lambda item: _plan(item).season_length)
            with_intervals = [name for name in members if len(members) == 1 or name not in POINT_ONLY]
            point_only = [name for name in members if name not in with_intervals]
            for season_length, same_season in plan_items.items():
                history = _long_frame(same_season)
                frame = self._forecast(history, [_model(name, season_length, self.horizon) for name in with_intervals], LEVELS)
                if point_only:
                    points = self._forecast(history, [_model(name, season_length, None) for name in point_only], ())
                    frame = frame.merge(points, on=["unique_id", "ds"])
                for item in same_season:
                    rows = frame[frame["unique_id"] == item.key]
                    results[item.key] = _assemble(item, scores[item.key], rows, list(members), with_intervals, self.horizon, self.freq)
        return results

    def _cross_validation(self, frame: pd.DataFrame, plan: BacktestPlan, models: list[object], *, refit: bool) -> pd.DataFrame:
        engine = StatsForecast(models=models, freq=statsforecast_freq(self.freq), n_jobs=self.n_jobs, fallback_model=SeasonalNaive(1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return engine.cross_validation(df=frame, h=plan.cv_horizon, n_windows=2, step_size=plan.step, refit=refit)

    def _forecast(self, frame: pd.DataFrame, models: list[object], levels: tuple[int, ...]) -> pd.DataFrame:
        engine = StatsForecast(models=models, freq=statsforecast_freq(self.freq), n_jobs=self.n_jobs, fallback_model=SeasonalNaive(1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return engine.forecast(df=frame, h=self.horizon, level=list(levels) or None)


def _plan(item: PreparedSeries) -> BacktestPlan:
    """The backtest plan of a series that has one: only those reach the runner (the others get `_fallback`)."""
    if item.plan is None:
        raise ValueError(f"series {item.key!r} has no backtest plan: it gets the fallback forecast, not the runner")
    return item.plan


def _intermittent_models(horizon: int | None) -> list[object]:
    """The Croston family; with a horizon, with the conformal intervals they need to give intervals at all."""
    intervals = ConformalIntervals(n_windows=CONFORMAL_WINDOWS, h=horizon) if horizon else None
    return [CrostonOptimized(prediction_intervals=intervals), ADIDA(prediction_intervals=intervals), IMAPA(prediction_intervals=intervals)]


_FACTORIES: dict[str, Callable[[int], object]] = {
    NAIVE: lambda season_length: SeasonalNaive(season_length, alias=NAIVE),
    "AutoETS": lambda season_length: AutoETS(season_length=season_length),
    "DynamicOptimizedTheta": lambda season_length: DynamicOptimizedTheta(season_length=season_length),
    "OptimizedTheta": lambda season_length: OptimizedTheta(season_length=season_length),
    "AutoCES": lambda season_length: AutoCES(season_length=season_length, alias="AutoCES"),
    "AutoARIMA": lambda season_length: AutoARIMA(season_length=season_length),
}


def _model(name: str, season_length: int, horizon: int | None) -> object:
    """A fresh model by its name in the results; the Croston family's with conformal intervals for `horizon`."""
    if name in _FACTORIES:
        return _FACTORIES[name](season_length)
    return next(model for model in _intermittent_models(horizon) if repr(model) == name)


def _score(item: PreparedSeries, cv: pd.DataFrame, plan: BacktestPlan) -> _Scores:
    """Score every model and the combination of the best ones on the backtest windows, and choose."""
    model_names = [column for column in cv.columns if column not in ("unique_id", "ds", "cutoff", "y")]
    windows: list[Window] = []
    for cutoff, window in cv.groupby("cutoff", sort=True):
        # pandas-stubs types a group's key as any scalar; a cutoff is a Timestamp, which a DatetimeIndex compares with.
        train = item.y[item.ds <= cutoff]  # type: ignore[operator]
        windows.append((train, window["y"].to_numpy(), {name: window[name].to_numpy() for name in model_names}))
    mase_by: dict[str, float] = {}
    smape_by: dict[str, float] = {}
    for name in model_names:
        mase_by[name], smape_by[name] = _window_scores(windows, itemgetter(name), plan.season_length)
    ranked = sorted((name for name in model_names if name != NAIVE), key=lambda name: (mase_by[name], name))
    members = ranked[:COMBINATION_SIZE]
    if len(members) > 1:
        mase_by[COMBINATION], smape_by[COMBINATION] = _window_scores(
            windows, lambda predictions: np.mean([predictions[name] for name in members], axis=0), plan.season_length
        )
    best = min(mase_by, key=lambda name: (mase_by[name], name != NAIVE))
    if COMBINATION in mase_by and not mase_by[best] < (1 - SINGLE_MODEL_MARGIN) * mase_by[COMBINATION]:
        reason = "lowest_backtest_mase" if best == COMBINATION else "combination_preferred"
        return _Scores(mase_by, smape_by, members, reason)
    return _Scores(mase_by, smape_by, [best], "lowest_backtest_mase")


def _window_scores(
    windows: list[Window], predict: Callable[[dict[str, np.ndarray]], np.ndarray], season_length: int
) -> tuple[float, float]:
    mases = [mase(actual, predict(predictions), train, season_length) for train, actual, predictions in windows]
    smapes = [smape(actual, predict(predictions)) for _train, actual, predictions in windows]
    return float(np.mean(mases)), float(np.mean(smapes))


def _assemble(
    item: PreparedSeries, scores: _Scores, rows: pd.DataFrame, members: list[str], with_intervals: list[str], horizon: int, freq: str
) -> SeriesForecast:
    """The forecast: the mean of the members, in the envelope of the intervals of those that give one here."""

    def column(member: str, suffix: str) -> np.ndarray:
        return rows[member + suffix].to_numpy(dtype="float64")

    values = {"yhat": np.mean([column(member, "") for member in members], axis=0)}
    for level in LEVELS:
        values[f"lo{level}"] = np.min([column(member, f"-lo-{level}") for member in with_intervals], axis=0)
        values[f"hi{level}"] = np.max([column(member, f"-hi-{level}") for member in with_intervals], axis=0)
    notes = list(item.notes)
    model = COMBINATION if len(members) > 1 else members[0]
    if not all(np.isfinite(array).all() for array in values.values()):
        notes.append("model_failed")
        return _fallback(item, horizon, freq, notes=notes, reason="fallback_model_failed", backtest=_backtest(scores))
    points = _points(rows["ds"], values, item.nonnegative)
    return SeriesForecast(
        key=item.key,
        model=model,
        reason=scores.reason,
        horizon=horizon,
        history=item.history,
        forecast=points,
        backtest=_backtest(scores),
        notes=notes,
    )


def _backtest(scores: _Scores) -> dict[str, dict[str, float]]:
    return {name: {"mase": float(scores.mase[name]), "smape": float(scores.smape[name])} for name in scores.mase}


def _fallback(
    item: PreparedSeries,
    horizon: int,
    freq: str,
    *,
    notes: list[str] | None = None,
    reason: str | None = None,
    backtest: dict[str, dict[str, float]] | None = None,
) -> SeriesForecast:
    """The seasonal-naive forecast (naive when the history is shorter than a season), with its own intervals.

    Intervals come from the naive model's residuals; with fewer than two points, or a history without variation,
    there is no spread to estimate and the bounds equal the forecast."""
    notes = list(item.notes if notes is None else notes)
    season = item.season_length if len(item.y) > item.season_length else 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = SeasonalNaive(season).forecast(y=item.y, h=horizon, level=list(LEVELS)) if len(item.y) else {}
    mean = raw.get("mean", np.zeros(horizon))
    values = {"yhat": mean}
    for name, key in (("lo80", "lo-80"), ("hi80", "hi-80"), ("lo95", "lo-95"), ("hi95", "hi-95")):
        bound = np.asarray(raw.get(key, mean), dtype="float64")
        values[name] = np.where(np.isfinite(bound), bound, mean)
    future = pd.date_range(item.last_ds, periods=horizon + 1, freq=statsforecast_freq(freq))[1:]
    return SeriesForecast(
        key=item.key,
        model=NAIVE,
        reason=reason or f"fallback_{item.fallback}",
        horizon=horizon,
        history=item.history,
        forecast=_points(pd.Series(future), values, item.nonnegative),
        backtest=backtest or {},
        notes=notes,
    )


def _points(ds: pd.Series, values: dict[str, np.ndarray], nonnegative: bool) -> list[ForecastPoint]:
    """Forecast points with ordered bounds (lo95 ≤ lo80 ≤ yhat ≤ hi80 ≤ hi95), clipped at 0 for non-negative series."""
    yhat = values["yhat"]
    lo80, hi80 = np.minimum(values["lo80"], yhat), np.maximum(values["hi80"], yhat)
    lo95, hi95 = np.minimum(values["lo95"], lo80), np.maximum(values["hi95"], hi80)
    arrays = [yhat, lo80, hi80, lo95, hi95]
    if nonnegative:
        arrays = [np.clip(array, 0.0, None) for array in arrays]
    dates = pd.to_datetime(ds).dt.strftime("%Y-%m-%d").tolist()
    return [ForecastPoint(date, *(float(array[index]) for array in arrays)) for index, date in enumerate(dates)]


def _long_frame(items: list[PreparedSeries]) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"unique_id": item.key, "ds": item.ds, "y": item.y}) for item in items], ignore_index=True)


def _group_by(items: list[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def _batches(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
