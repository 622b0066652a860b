"""Demand forecasts, one per series: statsforecast candidates, chosen per series by a rolling-origin backtest.

Each candidate's backtest MASE is pooled with the run's: on the log scale against the seasonal naive, `POOL_WEIGHT` of
the series' own and the rest that model's mean over the run's series (one series' few windows are a noisy score). The
forecast is what the pooled scores support: the best single candidate, the mean of the best `COMBINATION_SIZE` only
when it scores lower still, the better naive baseline when neither beats it. Intervals are conformal: backtest errors
over AutoETS's own interval width at each origin and step, the series' quantile per level weighed against the run's
pooled one, multiply the final AutoETS width. Non-negative series keep a positive lower bound unless zeros were seen.
Measurements behind the candidates, windows, pooling and intervals, and the M3 bench: bench/README.md.
"""

import dataclasses
import math
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from statsforecast.models import (
    ADIDA,
    IMAPA,
    AutoARIMA,
    AutoCES,
    AutoETS,
    CrostonOptimized,
    DynamicOptimizedTheta,
    OptimizedTheta,
)

from ml.accuracy import NIL, mase, smape
from ml.forecast_plan import BacktestPlan, PreparedSeries, prepare_series
from ml.series import statsforecast_freq

NAIVE = "SeasonalNaive"  # repeating the last season
LAST_VALUE = "Naive"  # repeating the last value
BASELINES = (NAIVE, LAST_VALUE)
COMBINATION = "Combination"
COMBINATION_SIZE = 3
FOURIER = "SeasonalFourier"  # a smooth seasonal profile from as little as one season, plus a theta model
FOURIER_TERMS = 3
BATCH_SIZE = 50
BACKTEST_SHARE = 0.8  # of the progress: the backtests; the rest is the final fits
# The choice: on the log scale relative to the seasonal naive, each score is this share of the series' own backtest and
# the rest the run's mean for that model (bench/README.md: M3 replay).
POOL_WEIGHT = 0.3
SCORE_FLOOR = 1e-3  # MASE below this is taken as this on the log scale
# Intervals: the series' own conformal quantile weighs its n ratios against this many for the run's pooled one.
CALIBRATION_PRIOR = 50
LEVELS = (80, 95)
INTERVAL_METHOD = "conformal"
# One-point (or flat) histories have no error to learn from: the 80 % interval is ± this share of the level at the
# first step, growing with the square root of the step (the 95 % one in the normal ratio, 1.96 / 1.28).
LEVEL_SHARE_80 = 0.2
Z = {80: 1.2816, 95: 1.9600}
# Student's t (two-sided 80 % and 95 %) for intervals from a handful of differences; z beyond the table.
T_TABLE = {
    80: (3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372),
    95: (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228),
}
SHD = "SESHoltDamped"  # the M4 "Comb" benchmark: mean of SES, Holt and damped Holt on seasonally adjusted data
SHD_FORMS = (("ANN", False), ("AAN", False), ("AAN", True))
CANDIDATES = ("AutoETS", "DynamicOptimizedTheta", "AutoCES", SHD)
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
    "fallback_<note>". Otherwise each candidate is backtested (`_roll`), scored by MASE against the seasonal naive
    of each window's training data (sMAPE beside it), the scores pooled with the run's (`_Backtest.pool`), and the
    forecast chosen as the module docstring says; the chosen model(s) and AutoETS (for the interval shape) are
    refitted on the whole history. Candidates: `CANDIDATES`; SeasonalFourier for seasons over 24 or histories of one
    to two seasons; the Croston family when more than 30 % of the periods are zero; `THOROUGH_CANDIDATES` when
    `thorough` (several times slower).

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
    candidates = CANDIDATES + (THOROUGH_CANDIDATES if thorough else ())
    total = max(len(prepared), 1)
    with ProcessPoolExecutor(max_workers=n_jobs) if n_jobs > 1 and len(prepared) > BATCH_SIZE else nullcontext() as pool:
        mapper = pool.map if pool is not None else map
        backtests: dict[str, _Backtest] = {}
        with_plan = [item for item in prepared if item.plan is not None]
        for batch_backtests in mapper(_backtest_batch, [(batch, candidates) for batch in _batches(with_plan, BATCH_SIZE)]):
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


def _backtest_batch(job: tuple[list[PreparedSeries], tuple[str, ...]]) -> dict[str, "_Backtest"]:
    batch, candidates = job
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {item.key: _backtest_one(item, candidates) for item in batch}


def _backtest_one(item: PreparedSeries, candidates: tuple[str, ...]) -> "_Backtest":
    plan = _plan(item)
    names = list(candidates)
    if plan.season_length > 1 and (plan.model_season < plan.season_length or plan.season_length > 24):
        names.append(FOURIER)
    if plan.intermittent:
        names.extend(INTERMITTENT)
    return _Backtest.run(item.y, plan, names)


def _plan(item: PreparedSeries) -> BacktestPlan:
    if item.plan is None:  # pragma: no cover - only series with a plan are backtested
        raise ValueError(f"series {item.key} has no backtest plan")
    return item.plan


def _choose_all(backtests: dict[str, "_Backtest"]) -> dict[str, "_Choice"]:
    """Every series' choice, from its scores pooled with the run's, and its interval multipliers, from its errors
    pooled with the run's (both as the module docstring says)."""
    means = _run_means([backtest.relative() for backtest in backtests.values()])
    choices = {}
    for key, backtest in backtests.items():
        backtest.pool(means, pooled=len(backtests) > 1)
        choices[key] = backtest.choose(multipliers=False)
    run_ratios = [backtests[key].ratios(choice.model) for key, choice in choices.items()]
    pooled = np.concatenate(run_ratios) if run_ratios else np.array([])
    return {
        key: dataclasses.replace(choice, multiplier=backtests[key].multipliers(choice.model, pooled)) for key, choice in choices.items()
    }


def _run_means(relatives: list[dict[str, float]]) -> dict[str, float]:
    sums: dict[str, list[float]] = {}
    for relative in relatives:
        for name, value in relative.items():
            sums.setdefault(name, []).append(value)
    return {name: float(np.mean(values)) for name, values in sums.items()}


def _finish_batch(job: tuple[list[tuple[PreparedSeries, "_Backtest | None", "_Choice | None"]], int, str]) -> list[SeriesForecast]:
    batch, horizon, future_freq = job
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [
            _finish_one(item, backtest, choice, horizon, future_freq) if backtest and choice else _fallback(item, horizon, future_freq)
            for item, backtest, choice in batch
        ]


def _finish_one(item: PreparedSeries, backtest: "_Backtest", choice: "_Choice", horizon: int, future_freq: str) -> SeriesForecast:
    plan = backtest.plan
    try:
        final = _final(item.y, plan, horizon, choice.members, backtest.fitted)
    except Exception:
        final = None
    if final is None or not all(np.isfinite(array).all() for array in final.values()):
        return _fallback(
            item, horizon, future_freq, notes=[*item.notes, "model_failed"], reason="fallback_model_failed", backtest=backtest.table()
        )
    mean, shape = final["yhat"], final["shape"]
    values = {"yhat": mean}
    for level in LEVELS:
        half = choice.multiplier[level] * shape
        values[f"lo{level}"], values[f"hi{level}"] = mean - half, mean + half
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


@dataclass(frozen=True)
class _Choice:
    model: str
    members: tuple[str, ...]
    reason: str
    multiplier: dict[int, float]


@dataclass
class _Backtest:
    """Every model's predictions at each origin, the actual values, and the models the final fit reuses (AutoETS's
    and AutoCES's whole-history search). `shape` is AutoETS's 80 % half-width at each origin and step (or √step × the
    naive scale). `mase` is each model's own mean MASE over the windows; `scores` what the choice uses: `mase` pooled
    with the run's (`pool`), or `mase` itself."""

    plan: BacktestPlan
    trains: list[np.ndarray]
    actuals: list[np.ndarray]
    predictions: dict[str, list[np.ndarray]]
    shape: list[np.ndarray]
    fitted: dict[str, Any]
    mase: dict[str, float] = field(default_factory=dict)
    smape: dict[str, float] = field(default_factory=dict)
    errors: dict[str, np.ndarray] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    members: tuple[str, ...] = ()
    pooled: bool = False

    @classmethod
    def run(cls, y: np.ndarray, plan: BacktestPlan, names: list[str]) -> "_Backtest":
        origins = [len(y) - plan.cv_horizon - (plan.n_windows - 1 - index) * plan.step for index in range(plan.n_windows)]
        trains = [y[:origin] for origin in origins]
        actuals = [y[origin : origin + plan.cv_horizon] for origin in origins]
        predictions: dict[str, list[np.ndarray]] = {
            name: [_seasonal_naive(train, season, plan.cv_horizon) for train in trains]
            for name, season in ((NAIVE, plan.season_length), (LAST_VALUE, 1))
        }
        fitted: dict[str, Any] = {}
        shape: list[np.ndarray] | None = None
        for name in names:
            try:
                rolled, model, widths = _roll(name, y, trains, plan)
            except Exception:  # noqa: S112 - a candidate that fails on a series is left out there
                continue
            if all(np.isfinite(prediction).all() for prediction in rolled):
                predictions[name] = rolled
                if model is not None:
                    fitted[name] = model
                if widths is not None:
                    shape = widths
        if shape is None:
            shape = [_sqrt_shape(train, plan.cv_horizon) for train in trains]
        backtest = cls(plan, trains, actuals, predictions, shape, fitted)
        for name, predicted in predictions.items():
            backtest.score(name, predicted)
        backtest.combine()
        return backtest

    def score(self, name: str, predicted: list[np.ndarray]) -> None:
        season = self.plan.season_length
        self.mase[name] = float(np.mean([mase(a, p, t, season) for a, p, t in zip(self.actuals, predicted, self.trains, strict=True)]))
        self.smape[name] = float(np.mean([smape(a, p) for a, p in zip(self.actuals, predicted, strict=True)]))
        self.errors[name] = np.concatenate([a - p for a, p in zip(self.actuals, predicted, strict=True)])
        self.scores[name] = self.mase[name]

    def singles(self, scores: dict[str, float]) -> list[str]:
        return sorted((name for name in self.predictions if name not in (*BASELINES, COMBINATION)), key=lambda name: (scores[name], name))

    def combine(self) -> None:
        """Scores "Combination": the mean of the best `COMBINATION_SIZE` candidates by their own backtest MASE."""
        self.members = tuple(self.singles(self.mase)[:COMBINATION_SIZE])
        if len(self.members) > 1:
            combined = [np.mean([self.predictions[name][index] for name in self.members], axis=0) for index in range(self.plan.n_windows)]
            self.predictions[COMBINATION] = combined
            self.score(COMBINATION, combined)

    def relative(self) -> dict[str, float]:
        """Each scored model's log MASE relative to the seasonal naive's, the scale on which scores are pooled."""
        reference = math.log(max(self.mase[NAIVE], SCORE_FLOOR))
        return {name: math.log(max(value, SCORE_FLOOR)) - reference for name, value in self.mase.items()}

    def pool(self, means: dict[str, float], *, pooled: bool) -> None:
        """Scores pulled toward the run's: on the log scale relative to the seasonal naive, `POOL_WEIGHT` of the
        series' own relative score and the rest the mean of that model's over the run's series (`means`)."""
        reference = max(self.mase[NAIVE], SCORE_FLOOR)
        for name, value in self.relative().items():
            if name != NAIVE:
                self.scores[name] = reference * math.exp(POOL_WEIGHT * value + (1 - POOL_WEIGHT) * means.get(name, value))
        self.pooled = pooled

    def choose(self, *, multipliers: bool = True) -> _Choice:
        if COMBINATION not in self.mase and not self.members:
            self.combine()
        scores = self.scores
        baseline = self.baseline()
        singles = self.singles(scores)
        best: tuple[str, tuple[str, ...], str] = (baseline, (baseline,), "naive_best")
        if singles:
            best_single = singles[0]
            if COMBINATION in scores and scores[COMBINATION] < scores[best_single]:
                candidate: tuple[str, tuple[str, ...], str] = (COMBINATION, self.members, "combination_best")
            else:
                candidate = (best_single, (best_single,), "single_best")
            if scores[candidate[0]] < scores[baseline]:
                best = candidate
        model, members, reason = best
        return _Choice(model, members, reason, self.multipliers(model) if multipliers else {})

    def baseline(self) -> str:
        return min(BASELINES, key=lambda name: (self.scores[name], name != NAIVE))

    def ratios(self, model: str) -> np.ndarray:
        """|backtest error| / AutoETS's 80 % half-width at that origin and step (the errors' scale-free size)."""
        scores = np.abs(self.errors[model]) / np.concatenate(self.shape)
        return np.asarray(scores[np.isfinite(scores)], dtype="float64")

    def multipliers(self, model: str, pooled: np.ndarray | None = None) -> dict[int, float]:
        """The conformal multiplier per level: the quantile at rank ⌈(n + 1) · level⌉ of n (the largest when that is
        beyond n) of the series' own ratios, and of the run's (`pooled`, when given), weighted n : `CALIBRATION_PRIOR`."""
        own = self.ratios(model)
        out = {}
        for level in LEVELS:
            value = _conformal(own, level)
            if pooled is not None and len(pooled) > len(own):
                value = (len(own) * value + CALIBRATION_PRIOR * _conformal(pooled, level)) / (len(own) + CALIBRATION_PRIOR)
            out[level] = value
        return out

    def table(self) -> dict[str, dict[str, float]]:
        return {name: {"mase": self.scores[name], "smape": self.smape[name]} for name in self.mase}

    def accuracy(self, choice: _Choice) -> dict[str, Any]:
        baseline = self.baseline()
        actual = float(np.mean(np.abs(np.concatenate(self.actuals))))
        error = float(np.mean(np.abs(self.errors[choice.model])))
        if choice.model == baseline:
            vs: float | None = 0.0
        elif self.scores[baseline] <= NIL:
            vs = None
        else:
            vs = 1.0 - self.scores[choice.model] / self.scores[baseline]
        return {"error_share": error / actual if actual > 0 else None, "baseline": baseline, "vs_baseline": vs, "interval": INTERVAL_METHOD}


def _conformal(ratios: np.ndarray, level: int) -> float:
    if not len(ratios):
        return 0.0
    ordered = np.sort(ratios)
    rank = min(len(ordered), math.ceil((len(ordered) + 1) * level / 100))
    return float(ordered[rank - 1])


def _seasonal_naive(y: np.ndarray, season: int, horizon: int) -> np.ndarray:
    """The last season repeated (the last value when the history is not longer than a season)."""
    if season <= 1 or len(y) <= season:
        return np.full(horizon, float(y[-1]))
    return np.resize(y[-season:], horizon).astype("float64")


def _sqrt_shape(train: np.ndarray, horizon: int) -> np.ndarray:
    steps = np.arange(1, horizon + 1, dtype="float64")
    scale = float(np.mean(np.abs(np.diff(train)))) if len(train) > 1 else 0.0
    return np.asarray(np.sqrt(steps) * (scale if scale > 0 else max(float(np.mean(np.abs(train))), 1.0)), dtype="float64")


def _half_width(result: dict[str, np.ndarray]) -> np.ndarray:
    half: np.ndarray = (np.asarray(result["hi-80"]) - np.asarray(result["lo-80"])) / 2
    return half


def _ets_spec(model: Any) -> tuple[str, bool]:
    components = str(model.model_["components"])
    return components[:3], components[3] == "D"


def _refits(n_windows: int) -> set[int]:
    """The windows whose training data get a fresh fit (every other one from the first, and the last); the windows in
    between roll the previous fit forward. Parameters fitted on the short first window alone and rolled to every later
    origin made AutoETS's and SES/Holt/damped's later windows worse than their first (bench/README.md)."""
    return set(range(0, n_windows, 2)) | {n_windows - 1}


def _roll(name: str, y: np.ndarray, trains: list[np.ndarray], plan: BacktestPlan) -> tuple[list[np.ndarray], Any, list[np.ndarray] | None]:
    """One candidate's backtest: fitted afresh at the `_refits` origins, rolled forward to the others; also the model the
    final forecast reuses (AutoETS, AutoCES: searched on the whole history), and (AutoETS) its 80 % half-widths at each
    origin."""
    h, season = plan.cv_horizon, plan.model_season
    refits = _refits(len(trains))
    if name == "AutoETS":
        # The form (error, trend, season, damping) is searched once, on the whole history; the backtest fits its
        # parameters. Searching on the first window instead chose worse forms for short series.
        full = AutoETS(season_length=season).fit(y)
        form, damped = _ets_spec(full)
        results = _rolled(lambda: AutoETS(season_length=season, model=form, damped=damped), trains, refits, h, level=[80])
        return [r["mean"] for r in results], full, [_valid_shape(_half_width(r), train) for r, train in zip(results, trains, strict=True)]
    if name in ("DynamicOptimizedTheta", "OptimizedTheta", "AutoARIMA"):
        return [r["mean"] for r in _rolled(lambda: _rolling_factory(name, season), trains, refits, h)], None, None
    if name == "AutoCES":
        # AutoCES's roll forward (`forward`) is broken in statsforecast 2.1.1: refitted at each origin, in the form
        # searched on the whole history (a fit of one form is cheap).
        full = AutoCES(season_length=season).fit(y)
        kind = _ces_kind(full)
        return [AutoCES(season_length=season, model=kind).forecast(y=train, h=h)["mean"] for train in trains], full, None
    if name == FOURIER:
        return [_fourier(train, plan.season_length, h) for train in trains], None, None
    if name == SHD:
        means: list[np.ndarray] = []
        for index, train in enumerate(trains):
            if index in refits:
                seasonal = seasonal_index(train, season)
                adjusted = train / _tile(seasonal, 0, len(train))
                models = [AutoETS(model=form, damped=damped).fit(adjusted) for form, damped in SHD_FORMS]
                forms = [model.predict(h)["mean"] for model in models]
            else:
                adjusted = train / _tile(seasonal, 0, len(train))
                forms = [model.forward(y=adjusted, h=h)["mean"] for model in models]
            means.append(np.mean(forms, axis=0) * _tile(seasonal, len(train), h))
        return means, None, None
    return [_intermittent(name).forecast(y=train, h=h)["mean"] for train in trains], None, None


def _rolled(factory: Callable[[], Any], trains: list[np.ndarray], refits: set[int], h: int, **kwargs: Any) -> list[dict[str, Any]]:
    """A model's forecasts at each origin: fitted afresh where `refits` says, the last fit rolled forward elsewhere."""
    results = []
    for index, train in enumerate(trains):
        if index in refits:
            model = factory().fit(train)
            results.append(model.predict(h, **kwargs))
        else:
            results.append(model.forward(y=train, h=h, **kwargs))
    return results


def _valid_shape(widths: np.ndarray, train: np.ndarray) -> np.ndarray:
    if np.isfinite(widths).all() and (widths > 0).all():
        return widths
    return _sqrt_shape(train, len(widths))


def _ces_kind(model: Any) -> str:
    return str(model.model_["seasontype"]) if hasattr(model, "model_") else "N"


def _rolling_factory(name: str, season: int) -> Any:
    if name == "DynamicOptimizedTheta":
        return DynamicOptimizedTheta(season_length=season)
    if name == "OptimizedTheta":
        return OptimizedTheta(season_length=season)
    return AutoARIMA(season_length=season)


def _intermittent(name: str) -> Any:
    return {"CrostonOptimized": CrostonOptimized, "ADIDA": ADIDA, "IMAPA": IMAPA}[name]()


def _tile(index: np.ndarray, start: int, length: int) -> np.ndarray:
    """The seasonal indices of periods start … start + length − 1 (period 0 is the first of the history)."""
    return index[np.arange(start, start + length) % len(index)]


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


def _fourier(y: np.ndarray, season: int, horizon: int) -> np.ndarray:
    """A seasonal profile of `FOURIER_TERMS` harmonics fitted with a linear trend (enough with one season and a bit),
    taken out; the rest forecast by DynamicOptimizedTheta without seasonality; the profile put back."""
    n = len(y)
    t = np.arange(n + horizon, dtype="float64")
    terms = min(FOURIER_TERMS, season // 2)
    harmonics = [f(2 * np.pi * k * t / season) for k in range(1, terms + 1) for f in (np.sin, np.cos)]
    design = np.column_stack([np.ones_like(t), t / max(n, 1), *harmonics])
    coefficients, *_ = np.linalg.lstsq(design[:n], y, rcond=None)
    profile = design[:, 2:] @ coefficients[2:]
    rest = DynamicOptimizedTheta(season_length=1).forecast(y=y - profile[:n], h=horizon)["mean"]
    return np.asarray(rest + profile[n:], dtype="float64")


def _final(
    y: np.ndarray, plan: BacktestPlan, horizon: int, members: tuple[str, ...], fitted: dict[str, Any]
) -> dict[str, np.ndarray] | None:
    """The chosen forecast on the whole history (members refitted with the form their backtest fit chose), and the
    interval shape: the 80 % half-width of AutoETS refitted the same way."""
    season = plan.model_season
    means = []
    for name in members:
        if name == NAIVE:
            means.append(_seasonal_naive(y, plan.season_length, horizon))
        elif name == LAST_VALUE:
            means.append(_seasonal_naive(y, 1, horizon))
        elif name == "AutoETS":
            means.append(fitted["AutoETS"].predict(horizon)["mean"])
        elif name in ("DynamicOptimizedTheta", "OptimizedTheta", "AutoARIMA"):
            means.append(_rolling_factory(name, season).forecast(y=y, h=horizon)["mean"])
        elif name == "AutoCES":
            means.append(fitted["AutoCES"].predict(horizon)["mean"])
        elif name == FOURIER:
            means.append(_fourier(y, plan.season_length, horizon))
        elif name == SHD:
            index = seasonal_index(y, season)
            adjusted = y / _tile(index, 0, len(y))
            forms = [AutoETS(model=form, damped=damped).forecast(y=adjusted, h=horizon)["mean"] for form, damped in SHD_FORMS]
            means.append(np.mean(forms, axis=0) * _tile(index, len(y), horizon))
        else:
            means.append(_intermittent(name).forecast(y=y, h=horizon)["mean"])
    shape = _valid_shape(_half_width(fitted["AutoETS"].predict(horizon, level=[80])), y) if "AutoETS" in fitted else _sqrt_shape(y, horizon)
    return {"yhat": np.mean(means, axis=0), "shape": shape}


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
    naive forecast's own errors in the history (Student's t for a handful of them), growing with √step. With no
    error to learn from (one point, or a flat history that is not all zero), ± `LEVEL_SHARE_80` of the level."""
    notes = list(item.notes if notes is None else notes)
    y = item.y
    season = item.season_length if len(y) > item.season_length else 1
    mean = _seasonal_naive(y, season, horizon) if len(y) else np.zeros(horizon)
    steps = np.sqrt(np.arange(1, horizon + 1, dtype="float64"))
    differences = y[season:] - y[:-season] if len(y) > season else np.array([])
    spread = float(np.sqrt(np.mean(differences**2))) if len(differences) else 0.0
    values = {"yhat": mean}
    level = float(np.mean(np.abs(y[-max(season, 1) :]))) if len(y) else 0.0
    for lv in LEVELS:
        if spread > 0:
            df = len(differences)
            factor = T_TABLE[lv][df - 1] if df <= len(T_TABLE[lv]) else Z[lv]
            half = factor * spread * steps
        else:
            half = LEVEL_SHARE_80 * Z[lv] / Z[80] * level * steps
        values[f"lo{lv}"], values[f"hi{lv}"] = mean - half, mean + half
    if spread > 0 and len(differences) <= len(T_TABLE[80]):
        notes.append("interval_from_few_points")
    elif spread == 0 and level > 0:
        notes.append("interval_from_level")
    points = _points(_future(item, horizon, future_freq), values, item.nonnegative, zeros_seen=bool((y == 0).any()), notes=notes)
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


def _future(item: PreparedSeries, horizon: int, future_freq: str) -> pd.Series:
    return pd.Series(pd.date_range(item.last_ds, periods=horizon + 1, freq=future_freq)[1:])


def _points(ds: pd.Series, values: dict[str, np.ndarray], nonnegative: bool, *, zeros_seen: bool, notes: list[str]) -> list[ForecastPoint]:
    """Forecast points with ordered bounds (lo95 ≤ lo80 ≤ yhat ≤ hi80 ≤ hi95). A non-negative series' forecast is
    clipped at 0; so are its lower bounds if it has had zero periods (0 is then a real outcome). A series that has
    never been 0 gets, where the symmetric bound would fall below 0, the bound as far below the forecast in ratio as
    the upper bound is above it (yhat² / hi, both levels at such a step): positive, never the 0 a clip would claim
    for a series that has never been 0 (note lower_bound_ratio)."""
    yhat = values["yhat"]
    lo80, hi80 = np.minimum(values["lo80"], yhat), np.maximum(values["hi80"], yhat)
    lo95, hi95 = np.minimum(values["lo95"], lo80), np.maximum(values["hi95"], hi80)
    if nonnegative:
        yhat = np.clip(yhat, 0.0, None)
        hi80, hi95 = np.maximum(hi80, yhat), np.maximum(hi95, yhat)
        if zeros_seen:
            lo80, lo95 = np.clip(lo80, 0.0, None), np.clip(lo95, 0.0, None)
        else:
            below = lo95 < 0  # at these steps both lower bounds mirror their upper bounds in ratio, so they stay nested
            if below.any():
                notes.append("lower_bound_ratio")
            lo80 = np.where(below, np.divide(yhat**2, hi80, out=np.zeros_like(yhat), where=hi80 > 0), lo80)
            lo95 = np.where(below, np.divide(yhat**2, hi95, out=np.zeros_like(yhat), where=hi95 > 0), lo95)
    arrays = [yhat, lo80, hi80, lo95, hi95]
    dates = pd.to_datetime(ds).dt.strftime("%Y-%m-%d").tolist()
    return [ForecastPoint(date, *(float(array[index]) for array in arrays)) for index, date in enumerate(dates)]


def _batches(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
