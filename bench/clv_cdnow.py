"""Customer lifetime value (ml.customer_value) out of sample on CDNOW, and its time and memory on a million customers.

  python bench/clv_cdnow.py                        # CDNOW at three cut dates, then 1,000,000 synthetic customers
  python bench/clv_cdnow.py --customers 100000     # a quicker synthetic log
  python bench/clv_cdnow.py --skip-scale           # CDNOW and the simulated logs only
  python bench/clv_cdnow.py --simulated-logs 0     # without the simulated logs

CDNOW: lifetimes' transaction log of the 2,357-customer sample (CDNOW_sample.txt, Jan 1997 – Jun 1998), read as
the app reads a dataset (user, time, amount). Calibrated on the first 39 weeks (up to 1997-09-30, the cut of Fader,
Hardie & Lee 2005) and on the first 26, 30, 45 and 52 weeks, each predicting the repeat purchase days of the next 39
weeks (fewer after the 45- and 52-week cuts: the log ends). Printed per cut: the total predicted against the actual
(target within ±5 %), the 80 % range before (the model's own: parameters and chance) and after the widening by the
inner backtest (ml.customer_value.inner_backtest) and whether each covers the actual, what the inner backtest's
level correction (actual / predicted inside the calibration period) would have made of the total (reported, not
applied), the mean absolute error per customer against the naive forecast "each customer buys at the same rate as
before" (frequency / T; target ≤ 0.85 ×), and lifetimes' BetaGeoFitter's total on the same summary (the reference
implementation: what the model itself says, whatever our code).

Simulated: `--simulated-logs` logs (200) of 1,500 customers drawn from BG/NBD itself, calibrated on 270 days and
scored on the next 270: the coverage of the 80 % range before and after the widening (where the model is right, both
should be near 80 %), and the level correction's mean and its effect on the total's error.

Scale: a log drawn from the models (tests/ml/clv_simulation.py) written to Parquet and read back with the customer
ids dictionary-encoded, as the app reads it; then ml.customer_value end to end, each side in its own process so its
peak RSS (VmHWM, counted from after the read: Linux clear_refs) is its own. The baseline in the same run is the plain
route: lifetimes' summary_data_from_transaction_data on the same events, then BetaGeoFitter and GammaGammaFitter
fitted and both predictions made (`--baseline-customers` caps the customers it gets, since it is far slower).

Recorded runs: bench/README.md.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CUTS = (
    ("26 weeks", date(1997, 6, 30), 273),
    ("30 weeks", date(1997, 7, 29), 273),
    ("39 weeks", date(1997, 9, 30), 273),
    ("45 weeks", date(1997, 11, 11), 273),
    ("52 weeks", date(1997, 12, 31), 181),
)
TOTAL_TARGET, MAE_TARGET = 0.05, 0.85


def cdnow_events() -> pd.DataFrame:
    from lifetimes.datasets import load_dataset

    raw = load_dataset("CDNOW_sample.txt", header=None, sep=r"\s+", names=["customer", "id", "date", "quantity", "amount"])
    return pd.DataFrame(
        {
            "user_id": raw["customer"].astype(str).astype("category"),
            "timestamp": pd.to_datetime(raw["date"].astype(str), utc=True),
            "amount": raw["amount"],
        }
    )


def lifetimes_total(events: pd.DataFrame, cut: date, days: int) -> float:
    """lifetimes' BetaGeoFitter on its own summary of the same purchases, its expected repeat purchases over `days`."""
    from lifetimes import BetaGeoFitter
    from lifetimes.utils import summary_data_from_transaction_data

    bought = events[events["amount"] > 0].assign(timestamp=events["timestamp"].dt.tz_localize(None), user_id=events["user_id"].astype(str))
    summary = summary_data_from_transaction_data(bought, "user_id", "timestamp", observation_period_end=str(cut), freq="D")
    fitter = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    return float(
        fitter.conditional_expected_number_of_purchases_up_to_time(days, summary["frequency"], summary["recency"], summary["T"]).sum()
    )


def _ranges(result, actual: float) -> dict:
    """The holdout total's 80 % range before (the model's own) and after (widened by the inner backtest), whether
    each covers `actual`, and what the inner backtest's level correction would have made of the total."""
    holdout, model_error = result.holdout, result.model_error
    level = model_error.get("level", 1.0)
    corrected = holdout["predicted_total"] * level
    return {
        "range80_before": [round(holdout["model_low"], 1), round(holdout["model_high"], 1)],
        "covered_before": bool(holdout["model_low"] <= actual <= holdout["model_high"]),
        "range80_after": [round(holdout["predicted_low"], 1), round(holdout["predicted_high"], 1)],
        "covered_after": holdout["covered"],
        "inner_error_share": round(model_error.get("error_share", 0.0), 4),
        "inner_level": round(level, 4),
        "level_corrected_error": round(corrected / actual - 1, 4),
    }


def cdnow() -> list[dict]:
    from ml.customer_value import customer_value

    events = cdnow_events()
    rows = []
    for name, cut, days in CUTS:
        started = time.perf_counter()
        result = customer_value(events, calibration_end=cut, horizon_days=days)
        seconds = time.perf_counter() - started
        holdout = result.holdout
        error = holdout["predicted_total"] / holdout["actual_total"] - 1
        rows.append(
            {
                "cut": name,
                "calibration_end": str(cut),
                "holdout_days": holdout["period_days"],
                "customers": result.customers,
                "predicted": round(holdout["predicted_total"], 1),
                "actual": holdout["actual_total"],
                "total_error": round(error, 4),
                "total_within_5pct": abs(error) <= TOTAL_TARGET,
                **_ranges(result, holdout["actual_total"]),
                "inner_cuts": [[cut["cut"], cut["days"], round(cut["predicted"], 1), cut["actual"]] for cut in result.model_error["cuts"]],
                "mae": round(holdout["mae"], 4),
                "naive_mae": round(holdout["naive_mae"], 4),
                "mae_ratio": round(holdout["mae_ratio"], 4),
                "mae_target_met": holdout["mae_ratio"] <= MAE_TARGET,
                "lifetimes_predicted": round(lifetimes_total(events, cut, holdout["period_days"]), 1),
                "seconds": round(seconds, 2),
            }
        )
    return rows


def simulated(logs: int, customers: int) -> dict:
    """Coverage of the holdout total's 80 % range, before and after, over `logs` logs drawn from BG/NBD itself
    (tests/ml/clv_simulation.py: 540 days, customers joining in the first 90, calibrated on 270 days, 270 held out),
    where the model is right: the widening should add little and the level ratio stay near 1."""
    from ml.customer_value import customer_value
    from tests.ml.clv_simulation import START, simulated_log

    rows = []
    for seed in range(logs):
        events = simulated_log(customers, days=540, joins_within=90, seed=1000 + seed)
        result = customer_value(events, calibration_end=(START + pd.Timedelta(days=269)).date(), horizon_days=270)
        actual = result.holdout["actual_total"]
        rows.append({**_ranges(result, actual), "error": result.holdout["predicted_total"] / actual - 1})
    frame = pd.DataFrame(rows)
    return {
        "simulated_logs": logs,
        "customers": customers,
        "coverage_before": round(float(frame["covered_before"].mean()), 3),
        "coverage_after": round(float(frame["covered_after"].mean()), 3),
        "inner_error_share_median": round(float(frame["inner_error_share"].median()), 4),
        "inner_level_mean": round(float(frame["inner_level"].mean()), 4),
        "inner_level_sd": round(float(frame["inner_level"].std()), 4),
        "mean_abs_error": round(float(frame["error"].abs().mean()), 4),
        "mean_abs_error_level_corrected": round(float(frame["level_corrected_error"].abs().mean()), 4),
        "mean_width_before": round(float(frame["range80_before"].map(lambda r: r[1] - r[0]).mean()), 1),
        "mean_width_after": round(float(frame["range80_after"].map(lambda r: r[1] - r[0]).mean()), 1),
    }


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def side(name: str, path: str, customers: int) -> None:
    """One side of the scale run, in this process: read the log, then run; print its figures as JSON."""
    events = pq.read_table(path, read_dictionary=["user_id"]).to_pandas()
    if customers:
        events = events[events["user_id"].cat.codes < customers]
        events["user_id"] = events["user_id"].cat.remove_unused_categories()
    input_mb = _rss_mb("VmRSS")
    _reset_peak()
    started = time.perf_counter()
    if name == "ours":
        from ml.customer_value import customer_value

        result = customer_value(events, calibration_end=None, horizon_days=365)
        total = result.totals["value"]["value"]
    else:
        total = _lifetimes_route(events)
    figures = {
        "side": name,
        "customers": int(events["user_id"].nunique()),
        "rows": len(events),
        "seconds": round(time.perf_counter() - started, 2),
        "input_rss_mb": round(input_mb),
        "peak_rss_mb": round(_rss_mb("VmHWM")),
        "total_value": round(total),
    }
    print(json.dumps(figures))


def _lifetimes_route(events: pd.DataFrame) -> float:
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    bought = events[events["amount"] > 0].assign(timestamp=events["timestamp"].dt.tz_localize(None), user_id=events["user_id"].astype(str))
    summary = summary_data_from_transaction_data(bought, "user_id", "timestamp", monetary_value_col="amount", freq="D")
    purchases = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    repeat = summary[summary["frequency"] > 0]
    spend = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    expected = purchases.conditional_expected_number_of_purchases_up_to_time(365, summary["frequency"], summary["recency"], summary["T"])
    per_purchase = spend.conditional_expected_average_profit(summary["frequency"], summary["monetary_value"])
    return float(np.sum(expected * per_purchase))


def scale(customers: int, baseline_customers: int) -> list[dict]:
    from tests.ml.clv_simulation import simulated_log

    events = simulated_log(customers, days=730, joins_within=540, seed=11)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "log.parquet")
        events.to_parquet(path, index=False)
        del events
        runs = [("ours", 0)]
        if baseline_customers >= customers:
            runs.append(("lifetimes", 0))
        elif baseline_customers:  # the baseline on fewer customers: ours again on those, for the ratio
            runs += [("lifetimes", baseline_customers), ("ours", baseline_customers)]
        for name, cap in runs:
            output = subprocess.run(
                [sys.executable, __file__, "--side", name, "--path", path, "--cap", str(cap)], check=True, capture_output=True, text=True
            ).stdout
            rows.append(json.loads(output.strip().splitlines()[-1]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--baseline-customers", type=int, default=100_000, help="customers the lifetimes route gets (0: none)")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--simulated-logs", type=int, default=200, help="logs drawn from BG/NBD for the coverage of the range (0: none)")
    parser.add_argument("--simulated-customers", type=int, default=1500)
    parser.add_argument("--side", choices=("ours", "lifetimes"), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--cap", type=int, default=0, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.side:
        side(arguments.side, arguments.path, arguments.cap)
        return
    for row in cdnow():
        print(json.dumps(row))
    if arguments.simulated_logs:
        print(json.dumps(simulated(arguments.simulated_logs, arguments.simulated_customers)))
    if not arguments.skip_scale:
        for row in scale(arguments.customers, arguments.baseline_customers):
            print(json.dumps(row))


if __name__ == "__main__":
    main()
