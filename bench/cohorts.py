"""Retention cohorts (ingest/cohorts.py): time and peak memory against the baseline of the plain pandas statements
they are tested against (tests/ingest/test_cohorts.py), on the same Parquet file, each side in its own process, in
one run; and both sides' cohorts compared, on CDNOW and on the synthetic log.

  python bench/cohorts.py                       # CDNOW (lifetimes' CDNOW_master) and 1,000,000 synthetic customers
  python bench/cohorts.py --customers 100000    # a quicker synthetic log
  python bench/cohorts.py --repeat 3            # each side 3 times, alternating; the median run is reported

The synthetic log is bench/segment.py's (five archetypes of customers over a year, ten channels). The sides compute
both period kinds (week, month) with revenue and sizes by channel. Compare the ratio, which both sides measured in the
same run share, rather than seconds across runs. Recorded runs: bench/README.md."""

import argparse
import json
import math
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ingest import median_run  # noqa: E402


def write_parquet(table: pa.Table, path: Path) -> None:
    """The events as the ingest writes them (ingest.stages.ParquetAppender, row groups of 100,000 rows)."""
    from ingest.pipeline import WITHOUT_PROPERTIES
    from ingest.stages import ParquetAppender

    table = table.append_column("line", pa.array(np.arange(table.num_rows) + 2)).select(WITHOUT_PROPERTIES.names)
    writer = ParquetAppender(str(path), WITHOUT_PROPERTIES)
    for batch in table.cast(WITHOUT_PROPERTIES).to_batches(max_chunksize=100_000):
        writer.write_table(pa.Table.from_batches([batch]))
    writer.close()


def measure(side: str, path: str, result_path: str) -> None:
    """Time one side on the Parquet file, its imports done first (a worker has them loaded already); its cohorts are
    pickled to `result_path` as plain dicts for the comparison."""
    from ingest.arrow_memory import arrow_memory_pool_configure

    arrow_memory_pool_configure()  # as the app does at start-up
    from ingest.cohorts import cohort_tables
    from tests.ingest.test_cohorts import as_dicts, reference_cohorts

    imports_mb = rss_mb("VmRSS")
    start, cpu = time.perf_counter(), time.process_time()
    if side == "pandas":
        result = {period: reference_cohorts(path, period) for period in ("week", "month")}
    else:
        tables = cohort_tables(path, amounts=True, channels=True)
        result = {period: table.cohorts for period, table in tables.items()}
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = rss_mb("VmHWM")
    if side != "pandas":
        result = {period: as_dicts(cohorts) for period, cohorts in result.items()}
    with open(result_path, "wb") as handle:
        pickle.dump(result, handle)
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_rss_mb": peak_mb, "imports_rss_mb": imports_mb}))


def rss_mb(field: str) -> float:
    """This process's RSS now (VmRSS) or at its peak (VmHWM: its own since exec; ru_maxrss would count the parent's
    at the fork, which holds the generated log)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def run_side(side: str, path: str, result_path: str) -> dict:
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bench.cohorts import measure; measure({side!r}, {path!r}, {result_path!r})"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def largest_difference(ours: dict, baseline: dict) -> float:
    """The largest absolute difference of any value (shares, revenue per customer); infinite if the cohorts (starts,
    sizes, sizes by channel, lengths) differ."""
    largest = 0.0
    for period in ("week", "month"):
        if [(c["start"], c["size"], c["size_by_channel"]) for c in ours[period]] != [
            (c["start"], c["size"], c["size_by_channel"]) for c in baseline[period]
        ]:
            return math.inf
        for mine, theirs in zip(ours[period], baseline[period], strict=True):
            for measure_name in ("active", "revenue"):
                if len(mine[measure_name]) != len(theirs[measure_name]):
                    return math.inf
                largest = max(largest, float(np.max(np.abs(np.subtract(mine[measure_name], theirs[measure_name])), initial=0)))
    return largest


def compare(title: str, path: Path, repeat: int, folder: str) -> None:
    runs: dict[str, list[dict]] = {"pandas": [], "ours": []}
    results = {side: f"{folder}/{side}.pickle" for side in runs}
    for _ in range(repeat):
        for side in runs:
            runs[side].append(run_side(side, str(path), results[side]))
    loaded = {}
    for side, result_path in results.items():
        with open(result_path, "rb") as handle:
            loaded[side] = pickle.load(handle)  # noqa: S301 - written by this script
    import pyarrow.parquet as pq

    metadata = pq.ParquetFile(path).metadata
    baseline, ours = median_run(runs["pandas"]), median_run(runs["ours"])
    weeks, months = (len(loaded["ours"][period]) for period in ("week", "month"))
    customers = sum(c["size"] for c in loaded["ours"]["month"])
    print(f"\n{title}: {metadata.num_rows:,} events, {customers:,} customers; {weeks} weekly and {months} monthly cohorts")
    print(f"  {repeat} run(s) per side, alternating, median shown")
    print(f"  {'side':42} {'seconds':>8} {'CPU s':>8} {'peak RSS MB':>12} {'of which imports':>17}")
    for name, result in (("plain pandas statements (baseline)", baseline), ("ours: batches, user codes, day numbers", ours)):
        print(
            f"  {name:42} {result['seconds']:8.2f} {result['cpu_seconds']:8.2f} {result['peak_rss_mb']:12.0f} {result['imports_rss_mb']:17.0f}"
        )
    print(
        f"  time ours / baseline: {ours['seconds'] / baseline['seconds']:.2f}; "
        f"peak RSS ours / baseline: {ours['peak_rss_mb'] / baseline['peak_rss_mb']:.2f}"
    )
    difference = largest_difference(loaded["ours"], loaded["pandas"])
    verdict = "equal" if difference < 1e-9 else "DIFFERENT"
    print(f"  cohorts {verdict} to the baseline's (same starts, sizes, sizes by channel; largest value difference {difference:.1e})")


def main() -> None:
    from bench.segment import cdnow_events, synthetic_events

    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers in the synthetic log")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--skip-cdnow", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if not args.skip_cdnow:
            path = Path(folder) / "cdnow.parquet"
            write_parquet(pa.Table.from_pandas(cdnow_events(), preserve_index=False), path)
            compare("CDNOW (lifetimes CDNOW_master)", path, args.repeat, folder)
        path = Path(folder) / "synthetic.parquet"
        write_parquet(synthetic_events(args.customers), path)
        compare(f"Synthetic, {args.customers:,} customers", path, args.repeat, folder)


if __name__ == "__main__":
    main()
