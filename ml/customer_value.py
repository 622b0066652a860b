"""A lifetime value run on an events log: purchases summarised per customer up to a calibration end (ml.purchases),
BG/NBD and Gamma-Gamma fitted (ml.lifetime_value), each customer's purchases and value predicted over a horizon, and
what a founder reads of it: totals with 80 % ranges, the spread of value, value by RFM segment (ml.rfm, scored on
the calibration period: the same rule the segmentation's RFM uses, so the names agree, without running one) and by
channel of first purchase, ARPU, and, when the log goes on after the calibration end, a holdout check of predicted
against actual repeat purchases beside the naive forecast "each customer buys at the same rate as before".

The model's own ranges hold its parameters' uncertainty and the purchases' chance, not its misfit, which on real logs
is the larger part (on CDNOW every buy-till-you-die model misses its holdout total by more than its range). So the
ranges of the totals are widened by the model's own error in a backtest inside the calibration period
(`model_error`): fitted up to a few inner cuts and scored on the rest of the calibration period, each inner total's
relative error beyond its own 80 % range is taken at the conformal 80 % rank, as the forecaster's conformal ranges
take theirs (ml.forecast_intervals), and added in quadrature to the final ranges' own relative half-widths (the
value's too: the purchases' misfit carries over to it; the spend model's own misfit is not measured). That share
is carried to any horizon unchanged: a misfit of the rate is a share of the total, and on CDNOW the inner errors did
not grow with the window (scaling them by √(horizon / window) covered every cut date but over-covered simulated logs;
bench/README.md). The level is left alone: the inner backtest's actual / predicted ratio is reported, not
applied (on CDNOW it moves the total the wrong way at some cut dates; bench/README.md).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ml.forecast_intervals import _conformal
from ml.lifetime_value import (
    Fit,
    Histories,
    LifetimeValueError,
    Prediction,
    Range,
    bgnbd_fit,
    expected_purchases,
    gamma_gamma_fit,
    histories,
    predict,
    purchases_total,
)
from ml.purchases import PurchaseDays, Summary, purchase_days, revenue_per_active_month, summarise
from ml.rfm import RFM_SEGMENT_BY_CODE, rfm_scores

DAYS_PER_MONTH = 365.25 / 12
MIN_HOLDOUT_DAYS = 28  # a shorter window after the calibration end holds too few purchases to judge by
MIN_CALIBRATION_DAYS = 28
MAX_CHANNELS = 20
HISTOGRAM_BINS = 20
CORRELATION_NOTE = 0.3  # Gamma-Gamma assumes spend per purchase independent of frequency: say so when it is not
EPOCH = date(1970, 1, 1)
# The inner backtest's cuts, as shares of the calibration period; a cut is kept when at least MIN_CALIBRATION_DAYS
# come before it and MIN_HOLDOUT_DAYS after it, and the backtest needs MIN_INNER_CUTS of them.
INNER_CUTS = (0.5, 0.625, 0.75, 0.875)
MIN_INNER_CUTS = 2
RANGE_LEVEL = 80


@dataclass(frozen=True)
class CustomerValue:
    """The result (the keys of the analysis's result JSON) and the per-customer table (`customers_table`)."""

    calibration_end: str
    horizon_days: int
    currency_free: bool
    model: dict[str, Any]
    customers: int
    repeat_customers: int
    totals: dict[str, Any]
    average_value: dict[str, Any]
    arpu: float
    distribution: dict[str, Any]
    by_segment: list[Any]
    by_channel: list[Any]
    holdout: dict[str, Any]
    model_error: dict[str, Any]
    notes: list[str]
    customers_table: pd.DataFrame


def day_number(day: date) -> int:
    return (day - EPOCH).days


def _range(value: float, low: float, high: float) -> dict[str, Any]:
    return {"value": value, "low": low, "high": high}


def customer_value(
    events: pd.DataFrame, *, calibration_end: date | None, horizon_days: int, progress: Callable[[float], None] = lambda _fraction: None
) -> CustomerValue:
    """Fit on the purchases up to `calibration_end` (included; None: the last purchase day) and predict the next
    `horizon_days`. Raises ml.lifetime_value.LifetimeValueError when the data cannot support the models."""
    days = purchase_days(events)
    progress(0.2)
    if not len(days.day):
        raise LifetimeValueError("no_purchases", "no row has a positive amount")
    last_day = int(days.day.max())
    end = last_day if calibration_end is None else day_number(calibration_end)
    after = last_day - end
    holdout_days = min(horizon_days, after)
    summary = summarise(days, calibration_end=end, holdout_days=holdout_days)
    if not len(summary.customer):
        raise LifetimeValueError("no_purchases", "no purchase up to the calibration end")
    data = histories(summary.frequency, summary.recency, summary.T)
    progress(0.35)
    purchases_fit = bgnbd_fit(data)
    spend_fit = gamma_gamma_fit(summary.frequency, summary.monetary)
    progress(0.5)
    forecast = predict(purchases_fit, spend_fit, data, summary.monetary, float(horizon_days))
    progress(0.6)
    model_error = inner_backtest(days, first_day=int(days.day.min()), end=end)
    error_share = model_error.get("error_share", 0.0)
    progress(0.8)
    notes = _notes(summary, calibration_end=calibration_end) + (["no_inner_backtest"] if "skipped" in model_error else [])
    holdout = _holdout(
        summary, purchases_fit, data, period_days=holdout_days, first_day=int(days.day.min()), end=end, error_share=error_share
    )
    purchases_range, value_range = widened(forecast.total_purchases, error_share), widened(forecast.total_value, error_share)
    count = len(summary.customer)
    by_channel, channel_notes = _by_channel(days, summary, forecast)
    progress(0.95)
    return CustomerValue(
        calibration_end=(EPOCH + pd.Timedelta(days=end)).isoformat(),
        horizon_days=horizon_days,
        currency_free=True,
        model={
            "purchases": "BG/NBD",
            "spend": "Gamma-Gamma",
            "params": {**purchases_fit.params, **spend_fit.params},
            "standard_errors": _standard_errors(purchases_fit) | _standard_errors(spend_fit),
            "time_unit": "day",
        },
        customers=count,
        repeat_customers=int(np.count_nonzero(summary.frequency > 0)),
        totals={
            "purchases": _range(purchases_range.value, purchases_range.low, purchases_range.high),
            "value": _range(value_range.value, value_range.low, value_range.high),
        },
        average_value=_range(value_range.value / count, value_range.low / count, value_range.high / count),
        arpu=revenue_per_active_month(days, calibration_end=end),
        distribution=_distribution(forecast.value),
        by_segment=_by_segment(summary, forecast),
        by_channel=by_channel,
        holdout=holdout,
        model_error=model_error,
        notes=notes + channel_notes,
        customers_table=pd.DataFrame(
            {
                "user_id": days.users[summary.customer],
                "predicted_purchases": forecast.purchases,
                "probability_active": forecast.probability_alive,
                "predicted_value": forecast.value,
            }
        ),
    )


def _standard_errors(fit: Fit) -> dict[str, float]:
    """Approximate standard errors of the parameters (delta method from their logarithms' covariance)."""
    spread = np.sqrt(np.clip(np.diag(fit.log_covariance), 0, None))
    return {name: float(value * error) for (name, value), error in zip(fit.params.items(), spread, strict=True)}


def _notes(summary: Summary, *, calibration_end: date | None) -> list[str]:
    notes = []
    if calibration_end is None:
        notes.append("calibrated_on_whole_log")
    repeat = summary.frequency > 0
    if np.count_nonzero(repeat) > 2 and np.ptp(summary.frequency[repeat]) > 0 and np.ptp(summary.monetary[repeat]) > 0:
        correlation = np.corrcoef(summary.frequency[repeat], summary.monetary[repeat])[0, 1]
        if np.isfinite(correlation) and abs(correlation) >= CORRELATION_NOTE:
            notes.append("spend_follows_frequency")
    return notes


def widened(own: Range, error_share: float) -> Range:
    """The 80 % range `own` (the model's: parameters and chance) widened by the model's error beyond it, a share of
    the prediction: the relative half-widths added in quadrature."""
    if error_share <= 0 or own.value <= 0:
        return own
    half = own.value * float(np.hypot((own.high - own.value) / own.value, error_share))
    return Range(value=own.value, low=max(0.0, own.value - half), high=own.value + half)


def inner_backtest(days: PurchaseDays, *, first_day: int, end: int) -> dict[str, Any]:
    """The model's own error inside the calibration period: BG/NBD fitted on the purchases up to each inner cut (the
    INNER_CUTS shares of the period) predicts the repeat purchases of the customers seen by then, from the cut to
    `end`. Each cut's relative error beyond its own 80 % range, sqrt(max(e² − h², 0)) for the error e = actual /
    predicted − 1 and the range's relative half-width h, gives `error_share` at the conformal 80 % rank; `level` is
    the cuts' total actual / predicted (reported, not applied). Skipped ("too_short") with fewer than MIN_INNER_CUTS
    cuts that leave enough days on both sides and find repeat buyers."""
    span = end - first_day
    cuts: list[dict[str, Any]] = []
    for share in INNER_CUTS:
        cut = first_day + round(span * share)
        window = end - cut
        if cut - first_day < MIN_CALIBRATION_DAYS or window < MIN_HOLDOUT_DAYS:
            continue
        summary = summarise(days, calibration_end=cut, holdout_days=window)
        data = histories(summary.frequency, summary.recency, summary.T)
        try:
            total = purchases_total(bgnbd_fit(data), data, float(window))
        except LifetimeValueError:
            continue
        if total.value > 0:
            cuts.append(
                {
                    "cut": (EPOCH + pd.Timedelta(days=cut)).isoformat(),
                    "days": window,
                    "predicted": total.value,
                    "low": total.low,
                    "high": total.high,
                    "actual": float(summary.later.sum()),
                }
            )
    if len(cuts) < MIN_INNER_CUTS:
        return {"skipped": "too_short", "cuts": cuts}
    beyond = [
        np.sqrt(max((cut["actual"] / cut["predicted"] - 1) ** 2 - ((cut["high"] - cut["predicted"]) / cut["predicted"]) ** 2, 0.0))
        for cut in cuts
    ]
    return {
        "cuts": cuts,
        "error_share": _conformal(np.array(beyond), RANGE_LEVEL),
        "level": sum(cut["actual"] for cut in cuts) / sum(cut["predicted"] for cut in cuts),
    }


def _holdout(
    summary: Summary, purchases_fit: Fit, data: Histories, *, period_days: int, first_day: int, end: int, error_share: float
) -> dict[str, Any]:
    """Predicted against actual repeat purchases in the `period_days` after the calibration end, per customer and
    in total (the range widened by the inner backtest's `error_share`; the model's own range kept beside it), with
    the naive forecast: each customer's repeat purchases per day so far (frequency / T) kept up."""
    if period_days <= 0:
        return {"skipped": "no_data_after"}
    if period_days < MIN_HOLDOUT_DAYS or end - first_day < MIN_CALIBRATION_DAYS:
        return {"skipped": "too_little", "period_days": period_days}
    own = purchases_total(purchases_fit, data, float(period_days))
    predicted = expected_purchases(np.exp(purchases_fit.log_params), data.frequency, data.recency, data.T, float(period_days))[data.inverse]
    naive = np.divide(summary.frequency, summary.T, out=np.zeros_like(summary.frequency), where=summary.T > 0) * period_days
    actual = summary.later
    mae, naive_mae = float(np.mean(np.abs(predicted - actual))), float(np.mean(np.abs(naive - actual)))
    total = widened(own, error_share)
    return {
        "period_days": period_days,
        "customers": len(actual),
        "predicted_total": total.value,
        "predicted_low": total.low,
        "predicted_high": total.high,
        "model_low": own.low,
        "model_high": own.high,
        "actual_total": float(actual.sum()),
        "covered": bool(total.low <= actual.sum() <= total.high),
        "naive_total": float(naive.sum()),
        "mae": mae,
        "naive_mae": naive_mae,
        "mae_ratio": mae / naive_mae if naive_mae > 0 else None,
    }


def _distribution(value: np.ndarray) -> dict[str, Any]:
    """Quantiles of the predicted value per customer, a histogram up to the 99th percentile (the last bin holds
    everyone above), and the share of the total value held by the top tenth of customers."""
    quantiles = {f"p{level}": float(np.quantile(value, level / 100)) for level in (10, 25, 50, 75, 90, 99)}
    top = max(quantiles["p99"], float(value.max()) if quantiles["p99"] == 0 else 0.0)
    edges = np.linspace(0, top, HISTOGRAM_BINS + 1) if top > 0 else np.array([0.0, 1.0])
    counts = np.bincount(np.clip(np.searchsorted(edges, value, side="right") - 1, 0, len(edges) - 2), minlength=len(edges) - 1)
    ordered = np.sort(value)[::-1]
    total = float(ordered.sum())
    return {
        "quantiles": quantiles,
        "bins": [
            {"low": float(low), "high": float(high), "customers": int(count)}
            for low, high, count in zip(edges[:-1], edges[1:], counts, strict=True)
        ],
        "last_bin_open": True,
        "top_tenth_share": float(ordered[: max(1, len(ordered) // 10)].sum() / total) if total > 0 else 0.0,
    }


def _by_segment(summary: Summary, forecast: Prediction) -> list[dict[str, Any]]:
    """Predicted value by RFM segment of the calibration period (ml.rfm's grid: R days since the last purchase, F
    purchase days, M amount)."""
    raw = pd.DataFrame({"recency": summary.T - summary.recency + 1, "frequency": summary.frequency + 1, "monetary": summary.spend})
    codes = rfm_scores(raw, has_amounts=True)["rfm_segment"].to_numpy()
    total = float(forecast.value.sum())
    rows = []
    for code, segment in RFM_SEGMENT_BY_CODE.items():
        members = codes == code
        if not members.any():
            continue
        value = float(forecast.value[members].sum())
        rows.append(
            {
                "segment": code,
                "name": segment.name,
                "name_zh": segment.name_zh,
                "customers": int(members.sum()),
                "average_value": value / int(members.sum()),
                "average_purchases": float(forecast.purchases[members].mean()),
                "value_share": value / total if total > 0 else 0.0,
            }
        )
    return rows


def _by_channel(days: PurchaseDays, summary: Summary, forecast: Prediction) -> tuple[list[dict[str, Any]], list[str]]:
    """Customers, average predicted value and purchases by channel of first purchase, largest first (at most
    MAX_CHANNELS); "" is an unknown channel."""
    if days.channel is None:
        return [], ["no_channel"]
    channels = pd.Series(days.channel[summary.customer], dtype=object)
    frame = pd.DataFrame({"channel": channels, "value": forecast.value, "purchases": forecast.purchases})
    grouped = frame.groupby("channel", sort=False).agg(
        customers=("value", "size"), average_value=("value", "mean"), average_purchases=("purchases", "mean")
    )
    grouped = grouped.sort_values(["customers", "average_value"], ascending=False)
    rows = [
        {
            "channel": str(channel),
            "customers": int(row.customers),
            "average_value": float(row.average_value),
            "average_purchases": float(row.average_purchases),
        }
        for channel, row in grouped.head(MAX_CHANNELS).iterrows()
    ]
    return rows, ["channels_capped"] if len(grouped) > MAX_CHANNELS else []
