"""Forecast intervals: conformal ones from the backtest, ones from the naive errors without it, and their bounds.

Conformal: backtest errors over an interval shape at each origin and step (`ml.forecast_models._interval_shape`), the
series' quantile per level weighed against the run's pooled one, multiply the final forecast's shape. Without a
backtest, the naive forecast's own errors in the history set the width. Non-negative series keep a positive lower bound unless zeros were seen.
"""

import math
from dataclasses import dataclass

import numpy as np

from ml.forecast_models import _seasonal_naive

LEVELS = (80, 95)
INTERVAL_METHOD = "conformal"
# The series' own conformal quantile weighs its n ratios against this many for the run's pooled one.
CALIBRATION_PRIOR = 50
# One-point (or flat) histories have no error to learn from: the 80 % interval is ± this share of the level at the
# first step, growing with the square root of the step (the 95 % one in the normal ratio, 1.96 / 1.28).
LEVEL_SHARE_80 = 0.2
Z = {80: 1.2816, 95: 1.9600}
# Student's t (two-sided 80 % and 95 %) for intervals from a handful of differences; z beyond the table.
T_TABLE = {
    80: (3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372),
    95: (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228),
}


@dataclass(frozen=True)
class _Pooled:
    """The run's ratios reduced to what the multipliers use, their count and conformal quantile per level: sorted
    once per run, not once per series."""

    count: int
    quantile: dict[int, float]

    @classmethod
    def of(cls, ratios: np.ndarray) -> "_Pooled":
        return cls(len(ratios), {level: _conformal(ratios, level) for level in LEVELS})


def _multipliers(own: np.ndarray, pooled: "np.ndarray | _Pooled | None" = None) -> dict[int, float]:
    """The conformal multiplier per level: the quantile at rank ⌈(n + 1) · level⌉ of n (the largest when that is
    beyond n) of the series' own ratios, and of the run's (`pooled`, when given), weighted n : `CALIBRATION_PRIOR`."""
    run = _Pooled.of(pooled) if isinstance(pooled, np.ndarray) else pooled
    out = {}
    for level in LEVELS:
        value = _conformal(own, level)
        if run is not None and run.count > len(own):
            value = (len(own) * value + CALIBRATION_PRIOR * run.quantile[level]) / (len(own) + CALIBRATION_PRIOR)
        out[level] = value
    return out


def _conformal(ratios: np.ndarray, level: int) -> float:
    if not len(ratios):
        return 0.0
    ordered = np.sort(ratios)
    rank = min(len(ordered), math.ceil((len(ordered) + 1) * level / 100))
    return float(ordered[rank - 1])


def _scaled(mean: np.ndarray, shape: np.ndarray, multiplier: dict[int, float]) -> dict[str, np.ndarray]:
    """The conformal intervals around `mean`: the final forecast's interval `shape` times each level's multiplier."""
    values = {"yhat": mean}
    for level in LEVELS:
        half = multiplier[level] * shape
        values[f"lo{level}"], values[f"hi{level}"] = mean - half, mean + half
    return values


def _fallback_intervals(y: np.ndarray, season_length: int, horizon: int, notes: list[str]) -> tuple[int, dict[str, np.ndarray]]:
    """The season used (`season_length`, or 1 when the history is not longer than it) and the seasonal-naive forecast
    with intervals from its own errors in the history (Student's t for a handful of them), growing with √step. With no
    error to learn from (one point, or a flat history that is not all zero), ± `LEVEL_SHARE_80` of the level."""
    season = season_length if len(y) > season_length else 1
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
    return season, values


def _bounded(values: dict[str, np.ndarray], nonnegative: bool, *, zeros_seen: bool, notes: list[str]) -> list[np.ndarray]:
    """The forecast and its bounds, ordered (lo95 ≤ lo80 ≤ yhat ≤ hi80 ≤ hi95). A non-negative series' forecast is
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
    return [yhat, lo80, hi80, lo95, hi95]
