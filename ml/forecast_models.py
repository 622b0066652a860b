"""The candidate models on one series: each rolled over a backtest's origins, and the chosen ones fitted on the whole history.

statsforecast's AutoETS, theta, AutoCES, AutoARIMA and Croston family, plus two of ours: SeasonalFourier (a harmonic
profile from as little as one season) and SESHoltDamped (the M4 "Comb" benchmark). The statsforecast plumbing lives
here so that the scoring and the choice read without it.
"""

from collections.abc import Callable
from typing import Any

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

from ml.forecast_plan import BacktestPlan

NAIVE = "SeasonalNaive"  # repeating the last season
LAST_VALUE = "Naive"  # repeating the last value
FOURIER = "SeasonalFourier"  # a smooth seasonal profile from as little as one season, plus a theta model
FOURIER_TERMS = 3
SHD = "SESHoltDamped"  # the M4 "Comb" benchmark: mean of SES, Holt and damped Holt on seasonally adjusted data
SHD_FORMS = (("ANN", False), ("AAN", False), ("AAN", True))


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
