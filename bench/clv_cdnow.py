"""Customer lifetime value (ml.customer_value) out of sample on CDNOW, and its time and memory on a million customers.

  python bench/clv_cdnow.py                        # CDNOW at three cut dates, then 1,000,000 synthetic customers
  python bench/clv_cdnow.py --customers 100000     # a quicker synthetic log
  python bench/clv_cdnow.py --skip-scale           # CDNOW only

CDNOW: lifetimes' transaction log of the 2,357-customer sample (CDNOW_sample.txt, Jan 1997 – Jun 1998), read as
the app reads a dataset (user, time, amount). Calibrated on the first 39 weeks (up to 1997-09-30, the cut of Fader,
Hardie & Lee 2005) and on the first 26 and 52 weeks, each predicting the repeat purchase days of the next 39 weeks
(26 after the 52-week cut: the log ends). Printed per cut: the total predicted against the actual (target within
±5 %), whether the 80 % range covers the actual, the mean absolute error per customer against the naive forecast
"each customer buys at the same rate as before" (frequency / T; target ≤ 0.85 ×), and lifetimes' BetaGeoFitter's
total on the same summary (the reference implementation: what the model itself says, whatever our code).

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
CUTS = (("26 weeks", date(1997, 6, 30), 273), ("39 weeks", date(1997, 9, 30), 273), ("52 weeks", date(1997, 12, 31), 181))
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
                "range80": [round(holdout["predicted_low"], 1), round(holdout["predicted_high"], 1)],
                "actual": holdout["actual_total"],
                "total_error": round(error, 4),
                "total_within_5pct": abs(error) <= TOTAL_TARGET,
                "covered": holdout["covered"],
                "mae": round(holdout["mae"], 4),
                "naive_mae": round(holdout["naive_mae"], 4),
                "mae_ratio": round(holdout["mae_ratio"], 4),
                "mae_target_met": holdout["mae_ratio"] <= MAE_TARGET,
                "lifetimes_predicted": round(lifetimes_total(events, cut, holdout["period_days"]), 1),
                "seconds": round(seconds, 2),
            }
        )
    return rows


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
    parser.add_argument("--side", choices=("ours", "lifetimes"), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--cap", type=int, default=0, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.side:
        side(arguments.side, arguments.path, arguments.cap)
        return
    for row in cdnow():
        print(json.dumps(row))
    if not arguments.skip_scale:
        for row in scale(arguments.customers, arguments.baseline_customers):
            print(json.dumps(row))


if __name__ == "__main__":
    main()
