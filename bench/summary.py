"""The summary of an ingested dataset (analysis/summary.py): time and peak memory against the baseline of the plain
pandas statements it is tested against (tests/analysis/test_summary.py), on the same Parquet file, each side in its
own process, in one run.

  python bench/summary.py --rows 1000000             # an event log of that many rows, ingested first (not timed)
  python bench/summary.py --csv path/to/export.csv   # or any file the ingest reads
  python bench/summary.py --rows 1000000 --repeat 3  # each side 3 times, alternating; the median run is reported

Compare the ratio, which both sides measured in the same run share, rather than seconds across runs."""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ingest import generate, median_run, run_side  # noqa: E402


def measure(side: str, path: str) -> None:
    """Time one side on the Parquet file, its imports done first (a worker has them loaded already)."""
    from analysis.arrow_memory import arrow_memory_pool_configure

    arrow_memory_pool_configure()  # as the app does at start-up
    if side == "pandas":
        from tests.analysis.test_summary import reference_summary as summarise
    else:
        from analysis.summary import dataset_summary as summarise
    start, cpu = time.perf_counter(), time.process_time()
    weeks = len(summarise(path)["weekly_users"]["week"])
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "weeks": weeks, "peak_rss_mb": peak_mb}))


def ingested(csv_path: Path, parquet_path: Path) -> int:
    from analysis.ingest import IngestOptions, ingest_csv
    from analysis.sniffing import sniff

    with csv_path.open("rb") as handle:
        found = sniff(handle.read(1_000_000))
    options = IngestOptions(encoding=found.encoding, delimiter=found.delimiter, mapping=found.mapping, decimal=found.decimal)
    with csv_path.open("rb") as handle:
        return ingest_csv(handle, str(parquet_path), options, lambda _bytes, _rows: True).rows_accepted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--csv")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(args.csv) if args.csv else Path(folder) / "events.csv"
        if not args.csv:
            generate(csv_path, args.rows)
        parquet_path = Path(folder) / "events.parquet"
        rows = ingested(csv_path, parquet_path)
        size_mb = os.path.getsize(parquet_path) / 1024**2
        runs: dict[str, list[dict]] = {"pandas": [], "ours": []}
        for _ in range(args.repeat):
            for side in runs:
                runs[side].append(run_side(side, str(parquet_path), module="bench.summary"))
    print(f"Parquet: {size_mb:.0f} MB, {rows} rows; {args.repeat} run(s) per side, median shown")
    print(f"{'side':40} {'seconds':>8} {'CPU s':>8} {'peak RSS MB':>12}")
    baseline, ours = median_run(runs["pandas"]), median_run(runs["ours"])
    for name, result in (("plain pandas statements (baseline)", baseline), ("ours: batches, codes, day numbers", ours)):
        print(f"{name:40} {result['seconds']:8.2f} {result['cpu_seconds']:8.2f} {result['peak_rss_mb']:12.0f}")
    print(
        f"time ours / baseline: {ours['seconds'] / baseline['seconds']:.2f}; peak RSS ours / baseline: {ours['peak_rss_mb'] / baseline['peak_rss_mb']:.2f}"
    )


if __name__ == "__main__":
    main()
