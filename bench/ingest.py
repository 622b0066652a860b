"""Ingest throughput and memory against the baseline of pyarrow's own CSV reader, on the same file, in one run.

  python bench/ingest.py --rows 1000000            # generates an event log of that many rows
  python bench/ingest.py --file path/to/export.csv  # or measures any file
  python bench/ingest.py --rows 1000000 --repeat 3  # each side 3 times, alternating; the median run is reported

Each side runs in its own process, so peak RSS is that side's alone. The machine may be shared: compare the ratio,
which both sides measured in the same run share, rather than seconds across runs.

Recorded runs, where the CPU goes, and what was measured and not taken: bench/README.md.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.pipeline import IngestOptions

ROOT = Path(__file__).resolve().parents[1]


def generate(path: Path, rows: int, extra_columns: int = 0, form: str = "iso") -> None:
    """An event log of `rows` rows; `extra_columns` more columns no role uses (as wide exports have: order numbers,
    addresses, tax lines), which the ingest drops. `form` "iso": ISO stamps, plain amounts, commas; "eu": a German
    shop's export, semicolons, 28.10.2024 14:05 and 1.234,50 €; "us": 10/28/2024 14:05 and $1,234.50."""
    rng = random.Random(1)
    events = ["view", "add_to_cart", "purchase", "refund"]
    sep = ";" if form == "eu" else ","
    extra_names = "".join(f"{sep}field_{k}" for k in range(extra_columns))
    with path.open("w") as handle:
        handle.write(sep.join(["user_id", "timestamp", "event", "amount", "channel"]) + f"{extra_names}\n")
        for index in range(rows):
            extra = "".join(f"{sep}v{(index * (k + 7)) % 1000}" for k in range(extra_columns))
            user, month, day, amount = rng.randrange(200_000), rng.randrange(1, 13), rng.randrange(1, 29), rng.randrange(1, 50000) / 100
            if form == "eu":
                stamp = f"{day:02d}.{month:02d}.2024 {index % 24:02d}:{index % 60:02d}"
                money = f"{10 * amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".") + " €"
            elif form == "us":
                stamp, money = f"{month}/{day}/2024 {index % 24}:{index % 60:02d}", f'"${10 * amount:,.2f}"'
            else:
                stamp, money = f"2024-{month:02d}-{day:02d}T{index % 24:02d}:{index % 60:02d}:00Z", f"{amount:.2f}"
            handle.write(sep.join([f"u{user}", stamp, events[index % 4], money, "web" if index % 3 else "app"]) + f"{extra}\n")


def run_side(side: str, path: str, module: str = "bench.ingest") -> dict:
    """Run one side (`module`.measure) in a child process; return what it prints last: its seconds, rows and peak
    RSS, measured by the child itself."""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from {module} import measure; measure({side!r}, {path!r})"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(side: str, path: str) -> None:
    """Time one side's work on the file, its imports done first (a worker has them loaded already)."""
    if side == "pyarrow":
        import pyarrow.csv

        parse = pyarrow.csv.ParseOptions(delimiter=sniffed_options(path).delimiter)  # the file's, as ours is given
        start, cpu = time.perf_counter(), time.process_time()
        rows = pyarrow.csv.read_csv(path, parse_options=parse).num_rows
    else:
        from ingest.arrow_memory import arrow_memory_pool_configure
        from ingest.pipeline import ingest_csv

        arrow_memory_pool_configure()  # as the app does at start-up (datasets/apps.py)
        options = sniffed_options(path)  # sniffed at upload, before the ingest
        start, cpu = time.perf_counter(), time.process_time()
        with tempfile.TemporaryDirectory() as folder, open(path, "rb") as handle:
            rows = ingest_csv(handle, os.path.join(folder, "out.parquet"), options, lambda _bytes, _rows: True).rows_accepted
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu  # CPU: all threads
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "rows": rows, "peak_rss_mb": peak_mb}))


def median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]


def sniffed_options(path: str) -> "IngestOptions":
    """The ingest's options as the upload's sniff finds them (from the first megabyte)."""
    from ingest.pipeline import IngestOptions
    from ingest.sniffing import sniff

    with open(path, "rb") as handle:
        found = sniff(handle.read(1_000_000))
    return IngestOptions.from_sniffed(found)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--extra-columns", type=int, default=0, help="columns no role uses, added to the generated log")
    parser.add_argument("--form", choices=["iso", "eu", "us"], default="iso", help="how the generated log writes stamps and amounts")
    parser.add_argument("--file")
    parser.add_argument("--repeat", type=int, default=1)
    return parser.parse_args()


def event_log(args: argparse.Namespace, folder: str) -> Path:
    """The file given, or an event log of --rows rows generated in `folder`."""
    if args.file:
        return Path(args.file)
    path = Path(folder) / "events.csv"
    generate(path, args.rows, args.extra_columns, args.form)
    return path


def alternate(sides: list[str], path: str, repeat: int, module: str = "bench.ingest") -> dict[str, list[dict]]:
    """Each side `repeat` times, alternating, each run in a process of its own."""
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    for _ in range(repeat):
        for side in sides:
            runs[side].append(run_side(side, path, module))
    return runs


def main() -> None:
    args = arguments()
    with tempfile.TemporaryDirectory() as folder:
        path = event_log(args, folder)
        size_mb = path.stat().st_size / 1024**2
        runs = alternate(["pyarrow", "ours"], str(path), args.repeat)
    baseline, ours = median_run(runs["pyarrow"]), median_run(runs["ours"])
    ratios = [b["seconds"] / o["seconds"] for b, o in zip(runs["pyarrow"], runs["ours"], strict=True)]
    print(f"file: {size_mb:.0f} MB, {ours['rows']} rows; {args.repeat} run(s) per side, median shown")
    cpu_ratios = [b["cpu_seconds"] / o["cpu_seconds"] for b, o in zip(runs["pyarrow"], runs["ours"], strict=True)]
    print(f"{'side':32} {'seconds':>8} {'CPU s':>8} {'rows/s':>12} {'peak RSS MB':>12}")
    for name, result in (("pyarrow.csv.read_csv (baseline)", baseline), ("ours: parse+normalise+Parquet", ours)):
        print(
            f"{name:32} {result['seconds']:8.2f} {result['cpu_seconds']:8.2f} {result['rows'] / result['seconds']:12.0f} {result['peak_rss_mb']:12.0f}"
        )
    print(f"throughput ours / pyarrow: {statistics.median(ratios):.2f}x (per run: {', '.join(f'{r:.2f}' for r in ratios)})")
    fastest = {side: min(run["seconds"] for run in side_runs) for side, side_runs in runs.items()}
    print(
        f"fastest run of each side (the least disturbed): pyarrow {fastest['pyarrow']:.3f} s, ours {fastest['ours']:.3f} s: "
        f"{fastest['pyarrow'] / fastest['ours']:.2f}x"
    )
    print(f"CPU time pyarrow / ours (less sensitive to a busy machine): {statistics.median(cpu_ratios):.2f}x")


if __name__ == "__main__":
    main()
