"""The summary of an ingested dataset (ingest/summary.py): time and peak memory against the baseline of the plain
pandas statements it is tested against (tests/ingest/test_summary.py), on the same Parquet file, each side in its
own process, in one run.

  python bench/summary.py --rows 1000000             # an event log of that many rows, ingested first (not timed)
  python bench/summary.py --file path/to/export.csv  # or any file the ingest reads
  python bench/summary.py --rows 1000000 --repeat 3  # each side 3 times, alternating; the median run is reported

Compare the ratio, which both sides measured in the same run share, rather than seconds across runs."""

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ingest import alternate, arguments, event_log, median_run, sniffed_options  # noqa: E402


def measure(side: str, path: str) -> None:
    """Time one side on the Parquet file, its imports done first (a worker has them loaded already)."""
    from ingest.arrow_memory import arrow_memory_pool_configure

    arrow_memory_pool_configure()  # as the app does at start-up
    if side == "pandas":
        from tests.ingest.test_summary import reference_summary as summarise
    else:
        from ingest.summary import dataset_summary as summarise
    start, cpu = time.perf_counter(), time.process_time()
    weeks = len(summarise(path)["weekly_users"]["week"])
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "weeks": weeks, "peak_rss_mb": peak_mb}))


def main() -> None:
    from ingest.pipeline import ingest_csv

    args = arguments()
    with tempfile.TemporaryDirectory() as folder:
        path, parquet_path = event_log(args, folder), Path(folder) / "events.parquet"
        with path.open("rb") as handle:
            rows = ingest_csv(handle, str(parquet_path), sniffed_options(str(path)), lambda _bytes, _rows: True).rows_accepted
        size_mb = os.path.getsize(parquet_path) / 1024**2
        runs = alternate(["pandas", "ours"], str(parquet_path), args.repeat, module="bench.summary")
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
