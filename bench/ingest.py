"""Ingest throughput and memory against the baseline of pyarrow's own CSV reader, on the same file, in one run.

  python bench/ingest.py --rows 1000000            # generates an event log of that many rows
  python bench/ingest.py --file path/to/export.csv  # or measures any file

Each side runs in its own process, so peak RSS is that side's alone."""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generate(path: Path, rows: int) -> None:
    rng = random.Random(1)
    events = ["view", "add_to_cart", "purchase", "refund"]
    with path.open("w") as handle:
        handle.write("user_id,timestamp,event,amount,channel\n")
        for index in range(rows):
            handle.write(
                f"u{rng.randrange(200_000)},2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{index % 24:02d}:{index % 60:02d}:00Z,"
                f"{events[index % 4]},{rng.randrange(1, 50000) / 100:.2f},{'web' if index % 3 else 'app'}\n"
            )


def run_side(side: str, path: str) -> dict:
    """Run one side in a child process; return its seconds, rows and peak RSS."""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bench.ingest import measure; measure({side!r}, {path!r})"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mb"] = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return result


def measure(side: str, path: str) -> None:
    start = time.perf_counter()
    if side == "pyarrow":
        import pyarrow.csv

        rows = pyarrow.csv.read_csv(path).num_rows
    else:
        from analysis.ingest import IngestOptions, ingest_csv
        from analysis.sniffing import sniff

        with open(path, "rb") as handle:
            found = sniff(handle.read(1_000_000))
        options = IngestOptions(encoding=found.encoding, delimiter=found.delimiter, mapping=found.mapping, decimal=found.decimal)
        with tempfile.TemporaryDirectory() as folder, open(path, "rb") as handle:
            rows = ingest_csv(handle, os.path.join(folder, "out.parquet"), options, lambda _bytes, _rows: True).rows_accepted
    print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.file) if args.file else Path(folder) / "events.csv"
        if not args.file:
            generate(path, args.rows)
        size_mb = path.stat().st_size / 1024**2
        baseline = run_side("pyarrow", str(path))
        ours = run_side("ours", str(path))
    print(f"file: {size_mb:.0f} MB, {ours['rows']} rows")
    print(f"{'side':28} {'seconds':>8} {'rows/s':>12} {'peak RSS MB':>12}")
    for name, result in (("pyarrow.csv.read_csv (baseline)", baseline), ("ours: parse+normalise+Parquet", ours)):
        print(f"{name:28} {result['seconds']:8.2f} {result['rows'] / result['seconds']:12.0f} {result['peak_rss_mb']:12.0f}")
    print(f"throughput ours / pyarrow: {baseline['seconds'] / ours['seconds']:.2f}x")


if __name__ == "__main__":
    main()
