"""Look at one series before forecasting it: clean it, spot degenerate histories, and plan its backtest."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SEASON_LENGTH = {"D": 7, "W": 52, "M": 12}
MIN_TRAIN_POINTS = 8  # the smallest first training window for non-seasonal models
INTERMITTENT_ZERO_SHARE = 0.3
LONG_GAP_SHARE = 0.25  # a trailing run of zeros this long (share of the history, and ≥ 4 periods) means "gone quiet"
LONG_GAP_MIN_PERIODS = 4


@dataclass(frozen=True)
class BacktestPlan:
    """Two backtest windows: forecasts of `cv_horizon` periods from origins `step` periods apart, the last one
    ending with the history. `season_length` is 1 when the history is too short for seasonal models."""

    season_length: int
    cv_horizon: int
    step: int
    intermittent: bool


@dataclass(frozen=True)
class PreparedSeries:
    """A series ready to forecast: `y`/`ds` after cleaning; `plan` None means the naive fallback for `fallback`."""

    key: str
    y: np.ndarray
    ds: pd.DatetimeIndex
    history: list[tuple[str, float]]
    season_length: int
    nonnegative: bool
    plan: BacktestPlan | None
    fallback: str | None
    notes: list[str] = field(default_factory=list)

    @property
    def last_ds(self) -> pd.Timestamp:
        return self.ds[-1]


def prepare_series(key: object, group: pd.DataFrame, freq: str, horizon: int) -> PreparedSeries:
    """Clean one series (sorted by ds, missing values as 0, leading zeros dropped) and decide how to forecast it."""
    ordered = group.sort_values("ds")
    ds = pd.DatetimeIndex(pd.to_datetime(ordered["ds"]))
    y = ordered["y"].to_numpy(dtype="float64")
    notes: list[str] = []
    if np.isnan(y).any():
        y = np.nan_to_num(y, nan=0.0)
        notes.append("missing_values_zeroed")
    history = [(stamp.strftime("%Y-%m-%d"), float(value)) for stamp, value in zip(ds, y, strict=True)]
    nonnegative = bool((y >= 0).all())
    nonzero = np.flatnonzero(y)
    if len(nonzero) and nonzero[0] > 0:
        y, ds = y[nonzero[0] :], ds[nonzero[0] :]
        notes.append("leading_zeros_trimmed")
    season = SEASON_LENGTH[freq]
    fallback = _degenerate(y)
    plan = None if fallback else _plan(y, horizon, season)
    if fallback is None and plan is None:
        fallback = "too_few_points"
    if fallback:
        notes.append(fallback)
    elif plan is not None and plan.season_length < season:
        notes.append("short_history")
    if plan and float(np.mean(y == 0)) > INTERMITTENT_ZERO_SHARE:
        notes.append("intermittent" if plan.intermittent else "intermittent_short")
    return PreparedSeries(
        key=str(key), y=y, ds=ds, history=history, season_length=season, nonnegative=nonnegative, plan=plan, fallback=fallback, notes=notes
    )


def _degenerate(y: np.ndarray) -> str | None:
    if len(y) == 0 or not y.any():
        return "all_zero"
    if np.all(y == y[0]):
        return "constant"
    trailing_zeros = len(y) - 1 - np.flatnonzero(y)[-1]
    if trailing_zeros >= max(LONG_GAP_MIN_PERIODS, LONG_GAP_SHARE * len(y)):
        return "long_gap"
    return None


def _plan(y: np.ndarray, horizon: int, season: int) -> BacktestPlan | None:
    """The backtest plan, seasonal if the first training window can hold two seasons, else non-seasonal.

    The backtest horizon is the forecast horizon when the history allows, shorter otherwise; the step between the
    two origins is the backtest horizon when there is room (non-overlapping windows) and smaller when there is not.
    None when even a non-seasonal backtest does not fit: the series is too short to choose a model for.
    """
    n = len(y)
    # The Croston family's conformal intervals need two backtests of the full horizon.
    intermittent = float(np.mean(y == 0)) > INTERMITTENT_ZERO_SHARE and n >= 2 * horizon + 1
    for season_length in (season, 1) if season > 1 else (1,):
        min_train = 2 * season_length if season_length > 1 else MIN_TRAIN_POINTS
        room = n - min_train  # points left for the two windows' tests
        if room < 2:
            continue
        cv_horizon = min(horizon, room - 1)
        step = min(cv_horizon, room - cv_horizon)
        return BacktestPlan(season_length=season_length, cv_horizon=cv_horizon, step=step, intermittent=intermittent)
    return None
