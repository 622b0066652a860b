"""Look at one series before forecasting it: clean it, spot degenerate histories, and plan its backtest."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SEASON_LENGTH = {"D": 7, "W": 52, "M": 12, "Q": 4, "Y": 1}
MIN_TRAIN_POINTS = 12  # the smallest first training window: AutoETS fits a form of k parameters on more than k + 4 points (k ≤ 7)
MAX_WINDOWS = 3  # backtest origins; with scores pooled over the run, five bought no accuracy for their CPU (bench/README.md)
INTERMITTENT_ZERO_SHARE = 0.3
LONG_GAP_SHARE = 0.25  # a trailing run of zeros this long (share of the history, and ≥ 4 periods) means "gone quiet"
LONG_GAP_MIN_PERIODS = 4


@dataclass(frozen=True)
class BacktestPlan:
    """`n_windows` backtest windows: forecasts of `cv_horizon` periods from origins `step` periods apart, the last
    one ending with the history. `season_length` is the season the seasonal naive, MASE and the one-season models
    use; `model_season` the one the smoothing models use: 1 when the first training window holds less than two
    seasons (`season_length` is then the series' season if it holds one season and a bit, else 1 too)."""

    season_length: int
    model_season: int
    cv_horizon: int
    step: int
    n_windows: int
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
    stamps = group["ds"]
    # to_datetime (its parse-and-cache step costs per series) only for stamps that are not dates already
    ds = pd.DatetimeIndex(stamps if pd.api.types.is_datetime64_any_dtype(stamps) else pd.to_datetime(stamps))
    y = group["y"].to_numpy(dtype="float64")
    if not ds.is_monotonic_increasing:  # sorting only when needed: a pandas sort per series was a tenth of a short run's CPU
        order = np.argsort(ds.to_numpy(), kind="stable")
        ds, y = ds[order], y[order]
    notes: list[str] = []
    if np.isnan(y).any():
        y = np.nan_to_num(y, nan=0.0)
        notes.append("missing_values_zeroed")
    history = list(zip(ds.strftime("%Y-%m-%d").tolist(), y.tolist(), strict=True))
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
    elif plan is not None and plan.model_season < season:
        notes.append("one_season" if plan.season_length == season else "short_history")
    if plan and float(np.mean(y == 0)) > INTERMITTENT_ZERO_SHARE:
        notes.append("intermittent" if plan.intermittent else "intermittent_short")
    return PreparedSeries(
        key=str(key), y=y, ds=ds, history=history, season_length=season, nonnegative=nonnegative, plan=plan, fallback=fallback, notes=notes
    )


def _degenerate(y: np.ndarray) -> str | None:
    if len(y) == 0 or not y.any():
        return "all_zero"
    if len(y) > 1 and np.all(y == y[0]):
        return "constant"
    trailing_zeros = len(y) - 1 - np.flatnonzero(y)[-1]
    if trailing_zeros >= max(LONG_GAP_MIN_PERIODS, LONG_GAP_SHARE * len(y)):
        return "long_gap"
    return None


def _plan(y: np.ndarray, horizon: int, season: int) -> BacktestPlan | None:
    """The backtest plan: seasonal models if the first training window can hold two seasons, the one-season models
    (seasonal naive, a smooth seasonal profile) if it holds a season and two points, else non-seasonal models only.

    The backtest horizon is the forecast horizon when the history allows, shorter otherwise. Up to `MAX_WINDOWS`
    origins, `step` apart: the backtest horizon (non-overlapping windows) when there is room, less when there is not.
    None when even a non-seasonal backtest with two windows does not fit: too short to choose a model for.
    """
    n = len(y)
    # The Croston family needs two backtests of the full horizon to be worth trying.
    intermittent = float(np.mean(y == 0)) > INTERMITTENT_ZERO_SHARE and n >= 2 * horizon + 1
    options = (
        [(season, season, 2 * season), (season, 1, season + 2), (1, 1, MIN_TRAIN_POINTS)] if season > 1 else [(1, 1, MIN_TRAIN_POINTS)]
    )
    for season_length, model_season, min_train in options:
        room = n - max(min_train, MIN_TRAIN_POINTS)  # points left for the windows' tests
        if room < 2:
            continue
        cv_horizon = min(horizon, room - 1)
        step = max(1, min(cv_horizon, (room - cv_horizon) // (MAX_WINDOWS - 1)))
        n_windows = min(MAX_WINDOWS, 1 + (room - cv_horizon) // step)
        return BacktestPlan(
            season_length=season_length,
            model_season=model_season,
            cv_horizon=cv_horizon,
            step=step,
            n_windows=n_windows,
            intermittent=intermittent,
        )
    return None
