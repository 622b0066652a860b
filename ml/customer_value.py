"""A lifetime value run on an events log: purchases summarised per customer up to a calibration end (ml.purchases),
BG/NBD and Gamma-Gamma fitted (ml.lifetime_value), each customer's purchases and value predicted over a horizon, and
what a founder reads of it: totals with 80 % ranges, the spread of value, value by RFM segment (ml.rfm, scored on
the calibration period: the same rule the segmentation's RFM uses, so the names agree, without running one) and by
channel of first purchase, ARPU, and, when the log goes on after the calibration end, a holdout check of predicted
against actual repeat purchases beside the naive forecast "each customer buys at the same rate as before".
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ml.lifetime_value import Fit, Histories, LifetimeValueError, Prediction, bgnbd_fit, gamma_gamma_fit, histories, predict
from ml.purchases import PurchaseDays, Summary, purchase_days, revenue_per_active_month, summarise
from ml.rfm import RFM_SEGMENT_BY_CODE, rfm_scores

DAYS_PER_MONTH = 365.25 / 12
MIN_HOLDOUT_DAYS = 28  # a shorter window after the calibration end holds too few purchases to judge by
MIN_CALIBRATION_DAYS = 28
MAX_CHANNELS = 20
HISTOGRAM_BINS = 20
CORRELATION_NOTE = 0.3  # Gamma-Gamma assumes spend per purchase independent of frequency: say so when it is not
EPOCH = date(1970, 1, 1)


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
    progress(0.6)
    forecast = predict(purchases_fit, spend_fit, data, summary.monetary, float(horizon_days))
    progress(0.8)
    notes = _notes(summary, calibration_end=calibration_end)
    holdout = _holdout(summary, purchases_fit, spend_fit, data, period_days=holdout_days, first_day=int(days.day.min()), end=end)
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
            "purchases": _range(forecast.total_purchases.value, forecast.total_purchases.low, forecast.total_purchases.high),
            "value": _range(forecast.total_value.value, forecast.total_value.low, forecast.total_value.high),
        },
        average_value=_range(forecast.total_value.value / count, forecast.total_value.low / count, forecast.total_value.high / count),
        arpu=revenue_per_active_month(days, calibration_end=end),
        distribution=_distribution(forecast.value),
        by_segment=_by_segment(summary, forecast),
        by_channel=by_channel,
        holdout=holdout,
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


def _holdout(
    summary: Summary, purchases_fit: Fit, spend_fit: Fit, data: Histories, *, period_days: int, first_day: int, end: int
) -> dict[str, Any]:
    """Predicted against actual repeat purchases in the `period_days` after the calibration end, per customer and
    in total, with the naive forecast: each customer's repeat purchases per day so far (frequency / T) kept up."""
    if period_days <= 0:
        return {"skipped": "no_data_after"}
    if period_days < MIN_HOLDOUT_DAYS or end - first_day < MIN_CALIBRATION_DAYS:
        return {"skipped": "too_little", "period_days": period_days}
    forecast = predict(purchases_fit, spend_fit, data, summary.monetary, float(period_days))
    naive = np.divide(summary.frequency, summary.T, out=np.zeros_like(summary.frequency), where=summary.T > 0) * period_days
    actual = summary.later
    mae, naive_mae = float(np.mean(np.abs(forecast.purchases - actual))), float(np.mean(np.abs(naive - actual)))
    total = forecast.total_purchases
    return {
        "period_days": period_days,
        "customers": len(actual),
        "predicted_total": total.value,
        "predicted_low": total.low,
        "predicted_high": total.high,
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
