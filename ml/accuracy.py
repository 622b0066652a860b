"""Forecast accuracy measures: MASE and sMAPE, as the M competitions define them."""

import numpy as np

NIL = 1e-9  # relative to the level: differences smaller than this are floating-point noise


def naive_scale(train: np.ndarray, season_length: int) -> float:
    """Mean absolute error of the seasonal-naive forecast inside `train` (the denominator of MASE).

    A training window too short for a seasonal lag falls back to lag 1. When even that error is nil (a constant or
    exactly periodic window; "nil" allows for floating-point noise relative to the level) the mean absolute level is
    used instead, and 1.0 when that is 0 too, so MASE stays finite and still ranks models by their absolute error.
    """
    level = float(np.mean(np.abs(train))) if len(train) else 0.0
    lag = season_length if len(train) > season_length else 1
    if len(train) > lag:
        scale = float(np.mean(np.abs(train[lag:] - train[:-lag])))
        if scale > NIL * level:
            return scale
    return level if level > 0 else 1.0


def mase(actual: np.ndarray, predicted: np.ndarray, train: np.ndarray, season_length: int) -> float:
    """Mean absolute scaled error of `predicted` against `actual`, scaled by `train`'s in-sample seasonal-naive error."""
    return float(np.mean(np.abs(actual - predicted))) / naive_scale(train, season_length)


def smape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Symmetric MAPE in percent (0–200); a point where both actual and forecast are 0 is a perfect 0, not 0/0."""
    denominator = np.abs(actual) + np.abs(predicted)
    ratio = np.divide(2 * np.abs(actual - predicted), denominator, out=np.zeros_like(denominator, dtype="float64"), where=denominator > 0)
    return float(100 * np.mean(ratio))
