"""The candidate models on one series: each rolled over a backtest's origins, and the chosen ones fitted on the whole history.

statsforecast's AutoETS, theta models, AutoCES, AutoARIMA and Croston family, plus SeasonalFourier (ours: a harmonic
profile from as little as one season). The statsforecast plumbing lives here so that the scoring and the choice read
without it.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
from statsforecast.models import (
    ADIDA,
    IMAPA,
    AutoARIMA,
    AutoCES,
    AutoETS,
    CrostonOptimized,
    DynamicOptimizedTheta,
    OptimizedTheta,
    Theta,
)

from ml.forecast_plan import BacktestPlan

NAIVE = "SeasonalNaive"  # repeating the last season
LAST_VALUE = "Naive"  # repeating the last value
FOURIER = "SeasonalFourier"  # a smooth seasonal profile from as little as one season, plus a theta model
FOURIER_TERMS = 3
# Fitted at some backtest origins and rolled forward to the others (`_fit_origins`); refitted on the whole history if chosen.
ROLLING = ("DynamicOptimizedTheta", "Theta", "OptimizedTheta", "AutoARIMA")
FITTED_ONCE = ("AutoETS", "Theta")  # on the first backtest window only, whatever the season


def _seasonal_naive(y: np.ndarray, season: int, horizon: int) -> np.ndarray:
    """The last season repeated (the last value when the history is not longer than a season)."""
    if season <= 1 or len(y) <= season:
        return np.full(horizon, float(y[-1]))
    return np.resize(y[-season:], horizon).astype("float64")


def _sqrt_shape(train: np.ndarray, horizon: int) -> np.ndarray:
    """√step × the spread of the period-to-period changes in `train` (their standard deviation; their mean absolute
    size when that is 0, the mean absolute level when that is 0 too): the conformal ratios' yardstick."""
    steps = np.sqrt(np.arange(1, horizon + 1, dtype="float64"))
    changes = np.diff(train)
    for scale in (float(np.std(changes)) if len(changes) > 1 else 0.0, float(np.mean(np.abs(changes))) if len(changes) else 0.0):
        if scale > 0:
            return np.asarray(steps * scale, dtype="float64")
    return np.asarray(steps * max(float(np.mean(np.abs(train))), 1.0), dtype="float64")


def _ets_spec(model: Any) -> tuple[str, bool]:
    components = str(model.model_["components"])
    return components[:3], components[3] == "D"


def _refits(n_windows: int) -> set[int]:
    """The windows whose training data get a fresh fit (every other one from the first, and the last); the windows in
    between roll the previous fit forward (`_fit_origins` says which models)."""
    return set(range(0, n_windows, 2)) | {n_windows - 1}


def _fit_origins(name: str, plan: BacktestPlan) -> set[int]:
    """Where a rolling model is fitted afresh: AutoETS and Theta once, on the first window, the fit rolled forward to
    the later origins; the others at `_refits` when the models get a season, once too when they do not. Refits beyond
    these bought no accuracy on M3 (and on M1 as a check) for their CPU (bench/README.md)."""
    return {0} if name in FITTED_ONCE or plan.model_season == 1 else _refits(plan.n_windows)


def _roll(name: str, y: np.ndarray, trains: list[np.ndarray], plan: BacktestPlan) -> tuple[list[np.ndarray], Any]:
    """One candidate's backtest, its forecasts at each origin; also the model the final forecast reuses (AutoETS,
    AutoCES: searched on the whole history)."""
    h, season = plan.cv_horizon, plan.model_season
    if name == "AutoETS":
        # The form (error, trend, season, damping) is searched once, on the whole history (searching on the first
        # window chose worse forms for short series); the backtest fits its parameters (`_fit_origins`).
        full = AutoETS(season_length=season).fit(y)
        form, damped = _ets_spec(full)
        results = _rolled(lambda: AutoETS(season_length=season, model=form, damped=damped), trains, _fit_origins(name, plan), h)
        return [r["mean"] for r in results], full
    if name in ROLLING:
        return [r["mean"] for r in _rolled(lambda: _rolling_factory(name, season), trains, _fit_origins(name, plan), h)], None
    if name == "AutoCES":
        # AutoCES's roll forward (`forward`) is broken in statsforecast 2.1.1: refitted at each origin, in the form
        # searched on the whole history (a fit of one form is cheap).
        full = AutoCES(season_length=season).fit(y)
        kind = _ces_kind(full)
        return [AutoCES(season_length=season, model=kind).forecast(y=train, h=h)["mean"] for train in trains], full
    if name == FOURIER:
        return [_fourier(train, plan.season_length, h) for train in trains], None
    return [_intermittent(name).forecast(y=train, h=h)["mean"] for train in trains], None


def _interval_shape(y: np.ndarray, trains: list[np.ndarray], plan: BacktestPlan, horizon: int) -> tuple[list[np.ndarray], np.ndarray]:
    """The yardstick of the conformal ratios at each backtest origin and step (`_sqrt_shape` of the data so far), and
    for the final forecast (of the whole history). AutoETS's own widths at each origin, the yardstick before, cost
    more CPU than its fits (a scipy distribution per interval); what each yardstick covered: bench/README.md."""
    return [_sqrt_shape(train, plan.cv_horizon) for train in trains], _sqrt_shape(y, horizon)


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


def _ces_kind(model: Any) -> str:
    return str(model.model_["seasontype"]) if hasattr(model, "model_") else "N"


def _rolling_factory(name: str, season: int) -> Any:
    if name == "DynamicOptimizedTheta":
        return DynamicOptimizedTheta(season_length=season)
    if name == "OptimizedTheta":
        return OptimizedTheta(season_length=season)
    if name == "Theta":
        return Theta(season_length=season)
    return AutoARIMA(season_length=season)


def _intermittent(name: str) -> Any:
    return {"CrostonOptimized": CrostonOptimized, "ADIDA": ADIDA, "IMAPA": IMAPA}[name]()


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


def _final(y: np.ndarray, plan: BacktestPlan, horizon: int, members: tuple[str, ...], fitted: dict[str, Any]) -> np.ndarray:
    """The chosen forecast on the whole history: the mean of its members, each refitted there (AutoETS and AutoCES
    reuse their whole-history search)."""
    season = plan.model_season
    means = []
    for name in members:
        if name == NAIVE:
            means.append(_seasonal_naive(y, plan.season_length, horizon))
        elif name == LAST_VALUE:
            means.append(_seasonal_naive(y, 1, horizon))
        elif name in ("AutoETS", "AutoCES"):
            means.append(fitted[name].predict(horizon)["mean"])
        elif name in ROLLING:
            means.append(_rolling_factory(name, season).forecast(y=y, h=horizon)["mean"])
        elif name == FOURIER:
            means.append(_fourier(y, plan.season_length, horizon))
        else:
            means.append(_intermittent(name).forecast(y=y, h=horizon)["mean"])
    return np.asarray(np.mean(means, axis=0), dtype="float64")
