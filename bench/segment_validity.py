"""Whether the segments predict: on who buys again in the later part of the log, the AUC of RFM segments, of the
k-means contender and of the segments `segment` chose, and each segment's share of customers and of later revenue.

  python bench/segment_validity.py                     # CDNOW (lifetimes' CDNOW_master) and the synthetic log
  python bench/segment_validity.py --customers 100000  # a smaller synthetic log

The logs are those of bench/segment.py. Target: the chosen segments' AUC at least that of RFM segments on the same
split. Recorded runs: bench/README.md.
"""

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.segment import cdnow_events, synthetic_events
from ml.segmentation import segment


def report(title: str, events: pd.DataFrame) -> bool:
    """Prints the test's figures for one log; whether the chosen segments' AUC is at least RFM's."""
    start = time.perf_counter()
    result, _members = segment(events, seed=0)
    seconds = time.perf_counter() - start
    validation = result.validation
    print(f"\n{title}: {len(events):,} events, {result.users:,} customers, segment() {seconds:.2f} s")
    if validation is None:
        print("  not tested: " + " ".join(result.notes))
        return True
    auc = validation["auc"]
    chosen = auc[validation["chosen"]]
    kmeans = "—" if auc["kmeans"] is None else f"{auc['kmeans']:.3f} (k = {validation['kmeans_k']})"
    print(
        f"  split at {validation['split_at']} (the last {validation['later_days']} days), {validation['customers']:,} customers before it"
    )
    print(
        f"  AUC for buys again: RFM {auc['rfm']:.3f}, k-means {kmeans}, chosen {validation['chosen']} {chosen:.3f} "
        f"(margin {validation['margin']:+.3f}, paired standard error {validation['margin_standard_error'] or 0:.3f})"
    )
    for method, rows in validation["future_revenue_share"].items():
        if rows:
            print(
                f"  {method} segments, share of customers → of later revenue: "
                + "; ".join(f"{row['name']} {row['share_of_customers']:.0%} → {row['share_of_future_revenue']:.0%}" for row in rows)
            )
    print(
        f"  shown ({result.method}, k = {result.k}): "
        + "; ".join(f"{s.name} {s.share:.0%} / {s.revenue_share:.0%} of revenue" for s in result.segments)
    )
    met = chosen >= auc["rfm"]
    print(f"  target (chosen AUC ≥ RFM's): {'met' if met else 'missed'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers in the synthetic log")
    args = parser.parse_args()
    met = report("CDNOW (lifetimes CDNOW_master)", cdnow_events())
    events = synthetic_events(args.customers).to_pandas(categories=["user_id", "event", "channel"])
    met &= report(f"synthetic log of bench/segment.py, {args.customers:,} customers", events)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
