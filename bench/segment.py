"""Segmentation time and memory against the baseline of a bare scikit-learn KMeans fit, on the same data, in one run.

  python bench/segment.py                     # CDNOW (lifetimes' CDNOW_master) and a synthetic 1,000,000-customer log
  python bench/segment.py --customers 50000   # a quicker synthetic log
  python bench/segment.py --rounds 1 --repeat 1   # one run per side instead of three rounds of the best of three

Ours is `ml.segmentation.segment` end to end: features from the raw events, RFM, the test in time (features of two
earlier windows, a k-means contender), then, when k-means is chosen, the k search on a sample, the final fit on all
customers, bootstrap stability; profiles. Whether the segments predict: bench/segment_validity.py. The baseline is `KMeans(n_clusters=k, random_state=0).fit(X)`
with scikit-learn's defaults, on the same scaled feature matrix X and at the k ours chose — the work anyone would do
by hand once the features exist. Ours runs twice: on the events read with pyarrow's `read_dictionary` (user ids,
events and channels as pandas categoricals), as analysis.events reads them for the app — the figure that counts —
and as `pd.read_parquet` gives them (Python strings), which costs the feature step factorising tens of millions of
strings. Each side runs in its own process on the events read back from the same Parquet file, so its peak RSS is its
own. "Input RSS" is the process after reading the events, before any work; the peak is counted from there (Linux
clear_refs). Each time is the best of --repeat runs in that process; the sides take turns for --rounds rounds, and
each ratio is against the bare fit of the same round: load from others sharing the machine moves every figure.

Recorded runs: bench/README.md.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 3.0
DAY_US = 86_400 * 10**6
START_US = pd.Timestamp("2024-01-01", tz="UTC").value // 1000

# name: share of customers, (min, max) purchases, (min, max) other events, mean order value, refund probability per order
ARCHETYPES = {
    "one_off": (0.45, (1, 1), (0, 5), 40.0, 0.05),
    "regular": (0.20, (3, 15), (5, 25), 60.0, 0.03),
    "browser": (0.22, (0, 0), (1, 10), 0.0, 0.0),
    "whale": (0.05, (15, 50), (10, 60), 250.0, 0.02),
    "lapsed": (0.08, (1, 4), (0, 3), 30.0, 0.10),
}
CHANNELS = np.array(["web", "app", "email", "store", "social", "affiliate", "sms", "partner", "tv", "print"])


def cdnow_events() -> pd.DataFrame:
    """CDNOW_master (lifetimes): one row per order — customer, day, number of CDs, dollars — as our events."""
    from lifetimes.datasets import load_dataset

    orders = load_dataset(
        "CDNOW_master.txt", header=None, skiprows=1, sep=r"\s+", names=["customer", "date", "cds", "dollars"], dtype={"customer": str}
    )
    return pd.DataFrame(
        {
            "user_id": orders["customer"],
            "timestamp": pd.to_datetime(orders["date"].astype(str), format="%Y%m%d", utc=True),
            "event": "purchase",
            "amount": orders["dollars"].astype("float64"),
            "quantity": orders["cds"].astype("float64"),
            "product": pd.Series(pd.NA, index=orders.index, dtype="object"),
            "channel": pd.Series(pd.NA, index=orders.index, dtype="object"),
        }
    )


def synthetic_events(customers: int, seed: int = 1) -> pa.Table:
    """A year of events for `customers` customers of five archetypes (see ARCHETYPES), vectorised and seeded."""
    rng = np.random.default_rng(seed)
    shares = np.array([spec[0] for spec in ARCHETYPES.values()])
    archetype = rng.choice(len(ARCHETYPES), size=customers, p=shares / shares.sum())
    specs = list(ARCHETYPES.values())
    low_orders, high_orders = (np.array([spec[1][i] for spec in specs])[archetype] for i in (0, 1))
    low_other, high_other = (np.array([spec[2][i] for spec in specs])[archetype] for i in (0, 1))
    purchases = rng.integers(low_orders, high_orders + 1)
    others = rng.integers(low_other, high_other + 1)
    rows = purchases + others
    customer_of_row = np.repeat(np.arange(customers), rows)
    first_row = np.repeat(np.cumsum(rows) - rows, rows)
    is_purchase = (np.arange(len(customer_of_row)) - first_row) < np.repeat(purchases, rows)

    # Active window per customer: lapsed customers stopped early, one-off buyers are a moment, the rest spread.
    begin = rng.uniform(0, 300, size=customers)
    length = np.where(archetype == list(ARCHETYPES).index("lapsed"), rng.uniform(5, 60, customers), rng.uniform(1, 365, customers))
    end = np.minimum(begin + length, 365)
    day = begin[customer_of_row] + rng.random(len(customer_of_row)) * (end - begin)[customer_of_row]

    order_value = np.array([spec[3] for spec in specs])[archetype][customer_of_row]
    amount = np.where(is_purchase, np.round(rng.lognormal(np.log(np.maximum(order_value, 1)), 0.6), 2), np.nan)
    refunded = is_purchase & (rng.random(len(amount)) < np.array([spec[4] for spec in specs])[archetype][customer_of_row])
    other_event = rng.choice(np.array(["view", "add_to_cart", "search", "login"]), size=len(amount), p=[0.6, 0.2, 0.1, 0.1])
    event = np.where(refunded, "refund", np.where(is_purchase, "purchase", other_event))
    amount = np.where(refunded, -amount, amount)
    home_channel = rng.choice(len(CHANNELS), size=customers, p=[0.35, 0.25, 0.1, 0.1, 0.06, 0.05, 0.03, 0.03, 0.02, 0.01])
    wander = rng.random(len(amount)) < 0.2
    channel = CHANNELS[np.where(wander, rng.integers(0, len(CHANNELS), len(amount)), home_channel[customer_of_row])]

    user_id = pc.binary_join_element_wise(pa.scalar("c"), pc.cast(pa.array(customer_of_row), pa.string()), "")
    return pa.table(
        {
            "user_id": user_id,
            "timestamp": pa.array(START_US + (day * DAY_US).astype("int64"), pa.timestamp("us", tz="UTC")),
            "event": pa.array(event),
            "amount": pa.array(amount),
            "quantity": pa.array(np.where(is_purchase, 1.0, np.nan)),
            "product": pa.nulls(len(amount), pa.string()),
            "channel": pa.array(channel),
        }
    )


def run_side(side: str, path: str, k: int, repeat: int) -> dict:
    """Run one side in a child process; return its figures."""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bench.segment import measure; measure({side!r}, {path!r}, {k}, {repeat})"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(side: str, path: str, k: int, repeat: int) -> None:
    """One side, best of `repeat` runs, on the events of the Parquet file at `path`; prints its figures as JSON."""
    if side in ("ours_categorical", "bare"):  # user ids, events and channels read as dictionaries: pandas categoricals
        events = pq.read_table(path, read_dictionary=["user_id", "event", "channel", "product"]).to_pandas()
    else:
        events = pd.read_parquet(path)
    input_rss_mb = _rss_mb("VmRSS")
    _reset_peak_rss()
    runs = [(_run_bare if side == "bare" else _run_ours)(events, k) for _ in range(repeat)]
    figures = min(runs, key=lambda run: run["seconds"]) | {
        "rows": len(events),
        "input_rss_mb": input_rss_mb,
        "peak_rss_mb": _rss_mb("VmHWM"),
    }
    print(json.dumps(figures))


def _run_ours(events: pd.DataFrame, _k: int) -> dict:
    from ml.segmentation import segment

    stages: list[tuple[float, float]] = []
    start = time.perf_counter()
    result, _members = segment(events, seed=0, progress=lambda fraction: stages.append((fraction, time.perf_counter() - start)))
    return {
        "seconds": time.perf_counter() - start,
        "k": result.k,
        "users": result.users,
        "stages": stages,
        "silhouette": result.silhouette,
        "stability_ari": result.stability_ari,
        "method": result.method,
        "segments": [(segment.name, segment.share, segment.revenue_share) for segment in result.segments],
    }


def _run_bare(events: pd.DataFrame, k: int) -> dict:
    from sklearn.cluster import KMeans

    from ml.features import user_features

    start = time.perf_counter()
    matrix = user_features(events).scaled
    features_seconds = time.perf_counter() - start
    model = KMeans(n_clusters=k, random_state=0).fit(matrix)
    features_and_fit_seconds = time.perf_counter() - start
    return {
        "seconds": features_and_fit_seconds - features_seconds,
        "features_and_fit_seconds": features_and_fit_seconds,
        "iterations": int(model.n_iter_),
    }


def _reset_peak_rss() -> None:
    """Start the peak RSS (VmHWM) afresh, so that reading the input does not count (Linux: clear_refs, value 5)."""
    Path("/proc/self/clear_refs").write_text("5")


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def stage_seconds(stages: list[tuple[float, float]]) -> dict[str, float]:
    """Seconds per stage, from the progress marks segment() reports (0.2 features and RFM, 0.6 the validation in time,
    then k-means's when it is chosen: 0.81 k search, 0.88 final fit, ...; a stage that did not run takes 0 s)."""
    marks = {"features + RFM": 0.2, "validation": 0.6, "k search": 0.81, "final fit": 0.88, "stability": 0.95, "profiles": 1.0}
    ends = {name: next(seconds for fraction, seconds in stages if fraction >= mark) for name, mark in marks.items()}
    starts = [0.0, *list(ends.values())[:-1]]
    return {name: end - begin for (name, end), begin in zip(ends.items(), starts, strict=True)}


def compare(title: str, path: Path, repeat: int, rounds: int) -> None:
    """Each round runs every side once, each in its own process, one after the other: load from whoever else shares
    the machine shifts from round to round, so each ratio is of sides measured in the same round."""
    runs: dict[str, list[dict]] = {"ours_categorical": [], "bare": [], "ours": []}
    for _ in range(rounds):
        runs["ours_categorical"].append(run_side("ours_categorical", str(path), 0, repeat))
        runs["bare"].append(run_side("bare", str(path), runs["ours_categorical"][-1]["k"], repeat))
        runs["ours"].append(run_side("ours", str(path), 0, repeat))
    best = {side: min(side_runs, key=lambda run: run["seconds"]) for side, side_runs in runs.items()}
    ours, categorical, bare = best["ours"], best["ours_categorical"], best["bare"]
    if {run["k"] for run in runs["ours"] + runs["ours_categorical"]} != {categorical["k"]}:
        raise RuntimeError("ours chose another k in another run or from the other encoding: the result should be deterministic")
    print(
        f"\n{title}: {categorical['rows']:,} events, {categorical['users']:,} customers, k = {categorical['k']} "
        f"({rounds} rounds, best of {repeat} runs per side and round)"
    )
    if categorical["silhouette"] is not None:
        print(f"  silhouette (sample) {categorical['silhouette']:.3f}, stability ARI {categorical['stability_ari']:.3f}")
    print(f"  method {categorical['method']}")
    print(
        "  segments: "
        + "; ".join(f"{name} {share:.0%} of customers, {revenue:.0%} of revenue" for name, share, revenue in categorical["segments"])
    )
    print(f"  {'side':70} {'best s':>7} {'median s':>9} {'input RSS MB':>13} {'peak RSS MB':>12}")
    rows = (
        ("bare KMeans(k).fit on the scaled features (baseline)", "bare", "seconds"),
        ("features + bare KMeans(k).fit (one process with the above)", "bare", "features_and_fit_seconds"),
        ("ours: segment() from the events, ids as categoricals (the app's read)", "ours_categorical", "seconds"),
        ("ours: segment() from the events, ids as strings", "ours", "seconds"),
    )
    for name, side, key in rows:
        seconds = [run[key] for run in runs[side]]
        input_rss, peak_rss = (max(run[field] for run in runs[side]) for field in ("input_rss_mb", "peak_rss_mb"))
        print(f"  {name:70} {min(seconds):7.2f} {np.median(seconds):9.2f} {input_rss:13.0f} {peak_rss:12.0f}")
    print("  (peak RSS: the process's peak while working, counted from after it had read the events; the highest of the rounds)")
    for name, side in (("categoricals", categorical), ("strings", ours)):
        print(
            f"  ours by stage (s), {name}: "
            + ", ".join(f"{stage} {seconds:.2f}" for stage, seconds in stage_seconds(side["stages"]).items())
        )
    print(f"  baseline KMeans iterations: {bare['iterations']}")
    print("  ratios to the bare fit of the same round: median (lowest–highest of the rounds); the app reads the categoricals")
    for name, side, seconds in (
        ("ours, categorical ids (the figure that counts)", "ours_categorical", lambda run: run["seconds"]),
        ("ours, string ids", "ours", lambda run: run["seconds"]),
        (
            "ours after the feature step, categorical ids",
            "ours_categorical",
            lambda run: run["seconds"] - stage_seconds(run["stages"])["features + RFM"],
        ),
    ):
        ratios = [seconds(run) / bare_run["seconds"] for run, bare_run in zip(runs[side], runs["bare"], strict=True)]
        verdict = "meets" if np.median(ratios) <= TARGET_RATIO else "misses"
        print(f"  {name:48} {np.median(ratios):6.2f}x ({min(ratios):.2f}–{max(ratios):.2f}x), {verdict} the {TARGET_RATIO:.0f}x target")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers in the synthetic log")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side and round, in one process; the fastest counts")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of all sides, one after the other (the machine may be shared)")
    parser.add_argument("--skip-cdnow", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if not args.skip_cdnow:
            cdnow = Path(folder) / "cdnow.parquet"
            cdnow_events().to_parquet(cdnow)
            compare("CDNOW (lifetimes CDNOW_master)", cdnow, args.repeat, args.rounds)
        synthetic = Path(folder) / "synthetic.parquet"
        pq.write_table(synthetic_events(args.customers), synthetic)
        compare(f"synthetic log, {args.customers:,} customers", synthetic, args.repeat, args.rounds)


if __name__ == "__main__":
    main()
