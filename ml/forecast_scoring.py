"""One series' backtest: every model's predictions and scores, pooled with the run's, and the forecast chosen.

Each candidate's backtest MASE is pooled with the run's: on the log scale against the seasonal naive, `POOL_WEIGHT` of
the series' own and the rest that model's mean over the run's series (one series' few windows are a noisy score). The
forecast is what the pooled scores support: the best single candidate, the mean of the best `COMBINATION_SIZE` only
when it scores lower still, the better naive baseline when neither beats it.
"""

import dataclasses
import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ml.accuracy import NIL, naive_scale, smape
from ml.forecast_intervals import INTERVAL_METHOD, _multipliers, _Pooled
from ml.forecast_models import LAST_VALUE, NAIVE, _interval_shape, _roll, _seasonal_naive
from ml.forecast_plan import BacktestPlan

BASELINES = (NAIVE, LAST_VALUE)
COMBINATION = "Combination"
COMBINATION_SIZE = 3
# The choice: on the log scale relative to the seasonal naive, each score is this share of the series' own backtest and
# the rest the run's mean for that model (bench/README.md: M3 replay).
POOL_WEIGHT = 0.3
SCORE_FLOOR = 1e-3  # MASE below this is taken as this on the log scale


@dataclass(frozen=True)
class _Choice:
    model: str
    members: tuple[str, ...]
    reason: str
    multiplier: dict[int, float]


@dataclass
class _Backtest:
    """Every model's predictions at each origin, the actual values, and the models the final fit reuses (AutoETS's
    and AutoCES's whole-history search). `shape` is the conformal ratios' yardstick at each origin and step,
    `final_shape` the final forecast's (`ml.forecast_models._interval_shape`). `mase` is each model's own mean MASE
    over the windows; `scores` what the choice uses: `mase` pooled with the run's (`pool`), or `mase` itself."""

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
    final_shape: np.ndarray = field(default_factory=lambda: np.array([]))

    @classmethod
    def run(cls, y: np.ndarray, plan: BacktestPlan, names: list[str], horizon: int) -> "_Backtest":
        origins = [len(y) - plan.cv_horizon - (plan.n_windows - 1 - index) * plan.step for index in range(plan.n_windows)]
        trains = [y[:origin] for origin in origins]
        actuals = [y[origin : origin + plan.cv_horizon] for origin in origins]
        predictions: dict[str, list[np.ndarray]] = {
            name: [_seasonal_naive(train, season, plan.cv_horizon) for train in trains]
            for name, season in ((NAIVE, plan.season_length), (LAST_VALUE, 1))
        }
        fitted: dict[str, Any] = {}
        for name in names:
            try:
                rolled, model = _roll(name, y, trains, plan)
            except Exception:  # noqa: S112 - a candidate that fails on a series is left out there
                continue
            if all(np.isfinite(prediction).all() for prediction in rolled):
                predictions[name] = rolled
                if model is not None:
                    fitted[name] = model
        shape, final_shape = _interval_shape(y, trains, plan, horizon)
        backtest = cls(plan, trains, actuals, predictions, shape, fitted, final_shape=final_shape)
        for name, predicted in predictions.items():
            backtest.score(name, predicted)
        backtest.combine()
        return backtest

    @functools.cached_property
    def scales(self) -> np.ndarray:
        """Each window's MASE denominator (`ml.accuracy.naive_scale` of its training data), taken once for all models."""
        return np.array([naive_scale(train, self.plan.season_length) for train in self.trains])

    @functools.cached_property
    def actual(self) -> np.ndarray:
        """The actual values, one row per window (every window is `cv_horizon` long)."""
        return np.asarray(self.actuals, dtype="float64")

    def score(self, name: str, predicted: list[np.ndarray]) -> None:
        """`name`'s mean MASE and sMAPE over the windows (`ml.accuracy`'s, all windows at once) and its errors."""
        forecast = np.asarray(predicted, dtype="float64")
        error = self.actual - forecast
        self.mase[name] = float(np.mean(np.abs(error).mean(axis=1) / self.scales))
        self.smape[name] = smape(self.actual, forecast)
        self.errors[name] = error.ravel()
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
        """|backtest error| / the interval shape at that origin and step (the errors' scale-free size)."""
        scores = np.abs(self.errors[model]) / np.concatenate(self.shape)
        return np.asarray(scores[np.isfinite(scores)], dtype="float64")

    def multipliers(self, model: str, pooled: np.ndarray | _Pooled | None = None) -> dict[int, float]:
        """`model`'s conformal multiplier per level, from its ratios and the run's (`pooled`, when given)."""
        return _multipliers(self.ratios(model), pooled)

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


def _choose_all(backtests: dict[str, _Backtest]) -> dict[str, _Choice]:
    """Every series' choice, from its scores pooled with the run's, and its interval multipliers, from its errors
    pooled with the run's (as this module's and `ml.forecast_intervals`' docstrings say)."""
    means = _run_means([backtest.relative() for backtest in backtests.values()])
    choices = {}
    for key, backtest in backtests.items():
        backtest.pool(means, pooled=len(backtests) > 1)
        choices[key] = backtest.choose(multipliers=False)
    run_ratios = [backtests[key].ratios(choice.model) for key, choice in choices.items()]
    pooled = _Pooled.of(np.concatenate(run_ratios) if run_ratios else np.array([]))
    return {
        key: dataclasses.replace(choice, multiplier=backtests[key].multipliers(choice.model, pooled)) for key, choice in choices.items()
    }


def _run_means(relatives: list[dict[str, float]]) -> dict[str, float]:
    sums: dict[str, list[float]] = {}
    for relative in relatives:
        for name, value in relative.items():
            sums.setdefault(name, []).append(value)
    return {name: float(np.mean(values)) for name, values in sums.items()}
