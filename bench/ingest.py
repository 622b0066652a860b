"""Ingest throughput and memory against the baseline of pyarrow's own CSV reader, on the same file, in one run.

  python bench/ingest.py --rows 1000000            # generates an event log of that many rows
  python bench/ingest.py --file path/to/export.csv  # or measures any file
  python bench/ingest.py --rows 1000000 --repeat 3  # each side 3 times, alternating; the median run is reported

Each side runs in its own process, so peak RSS is that side's alone. The machine may be shared: compare the ratio,
which both sides measured in the same run share, rather than seconds across runs.

Measured on the 2-core machine (load average 0.2-1.1: a shared machine), session 6 (jemalloc pool, LZ4 Parquet,
100 000-row chunks, distinct users counted by the summary, not here):
  --rows 1000000 --repeat 15, five runs: 0.51x, 0.53x, 0.54x, 0.52x, 0.49x (per run 0.29-1.46); pyarrow 0.11-0.14 s
    (0.20-0.27 CPU s), ours 0.21-0.26 s (0.33-0.42 CPU s); fastest run of each side 0.067-0.082 / 0.193-0.198 s:
    0.34-0.42x; CPU 0.56-0.66x; peak RSS 207-271 / 207-218 MB
  --rows 5000000 --repeat 5, two runs: 0.81x, 0.75x (per run 0.38-1.34); pyarrow 0.65-0.68 s (1.24-1.28 CPU s), ours
    0.83-0.88 s (1.40-1.47 CPU s); fastest 0.347-0.351 / 0.799-0.819 s: 0.42-0.44x (pyarrow's fastest 5 M run is
    one of two modes: most of its runs take 0.65 s); CPU 0.87-0.88x; peak RSS 718-720 / 240-246 MB
  a 2.0 GB file (45 M rows), --repeat 1: pyarrow 10.4 s (19.4 CPU s), 5.7 GB; ours 8.6 s (14.3 CPU s), 274 MB: 1.21x
  --rows 1000000 --extra-columns 20 --repeat 5 (25 columns, 20 dropped): pyarrow 0.39 s, 634 MB; ours 0.36 s, 198 MB:
    1.06x (Arrow converts only the kept columns; before: 0.515 s, 240 MB)
  --rows 1000000 --form eu / --form us --repeat 3 (28.10.2024 14:05 and 1.234,50 €; 10/28/2024 2:05 and $1,234.50):
    ours 1.13 / 1.02 s against 31.4 / 29.9 s before this session (pandas parsed every such value); pyarrow leaves
    them as text (0.08-0.25 s): 0.08-0.22x. The normaliser (one thread) is then the slowest stage: 60 ms per 100 000
    such stamps (Arrow's regex with captures 38 of them; splitting the digits with numpy instead was no faster),
    37 ms per 100 000 such amounts.
  Session 4's code, for comparison: 0.37x at 1 M rows, 0.52x at 5 M, 12.5 s and 328 MB for 2.1 GB. This session's code
  against the last session's, interleaved (20 rounds, 1 M rows): 0.219 s against 0.228 s median, 0.339 against 0.357
  CPU s. pyarrow's two threads suffer more from a busy neighbour: its fastest run is its best case, and it moves the
  per-run ratio both ways.
Where ours spends its CPU (1 M rows, thread CPU time, session 6): reading 120 ms (Arrow's parse into text cells 76,
the block's UTF-8 check 3.6, numbering lines 8, the cell-length check 3.7, the rest reading and joining blocks),
normalising 60 ms (timestamps 28, of which Arrow's cast ~15; numbers 21, cast ~10; the rest stripping, rejecting,
counting), writing Parquet 110 ms (per column, with LZ4: user_id 24, timestamp 26, amount 20, event and channel
13 each for their dictionaries, line 5). Parse and Parquet alone cost more CPU than pyarrow's whole read, so on two
cores the seconds' ratio cannot pass the CPU ratio by much. What is left of the time beyond CPU / 2 (about 30 ms):
the reader alone at the start (~15 ms, before the first chunk is whole) and the writer alone at the end (~28 ms).
Taken in session 6: the properties column only in datasets that keep columns (a map of nulls cost the writer 13.6 ms);
UTF-8 checked once per block instead of cell by cell (1.0 of Arrow's 5.4 ms per 4 MB); Arrow converting only the
kept columns; dates written with numbers and amounts with symbols parsed by Arrow and numpy where certain.
Measured and not taken, session 6: Arrow's CSV reader dictionary-encoding event and channel (+25 ms of parse, more
than the writer's 27 ms of hashing they save), or the normaliser doing it (+30 ms for the writer's -16 ms); user_id
with a dictionary (+55 ms of writing); LZ4 on user_id only (-10 ms, files 19.8 instead of 14.6 MB per 1 M rows);
uncompressed Parquet (-12 % time, files 24.7 MB: a choice for the team, not made here); largest blocks of 1, 2 or 3 MB
instead of 4, read-ahead of 1 or 3 blocks instead of 2 (all within 2 %); counting line feeds by bytes.count, in slices
or with Arrow (numpy's whole-block count is the fastest); page size, data page version.
Session 5: users' hashing removed from the ingest (-50 ms at the end); blocks and chunks that grow from small ones
(the writer starts after 11 ms instead of 39); the normaliser taking the reader's pieces without copying them.
Measured and not taken then: Parquet worker queue of 2; thread priorities (a niced reader made it slower);
sys.setswitchinterval; jemalloc decay, huge pages or glibc malloc tunables; DELTA_LENGTH/DELTA_BYTE_ARRAY user ids;
BYTE_STREAM_SPLIT amounts, plain timestamps (each about -8 ms, files 2-3 MB larger; real logs are sorted in time,
where deltas shrink far more); snappy, zstd at -1, -5, 1.
Session 4: normalising on two threads (same time, +10 % CPU: pyarrow does not expose the Parquet writer's column
threads).
Sessions 2-3: Arrow's own typed conversion (ConvertOptions.column_types) saves at most 0.03 CPU s of 1 M rows but takes
forms ours reads otherwise and cannot be told apart once typed ("1e3" is 1000 for Arrow, 13 by our rules; "NaN" null,
"inf", years 0001-9999, "+05" offsets); write_batch_size (no change).
pyarrow's CPU grows faster than its rows (1 M → 5 M rows: ×6, 45 M: ×88): it holds the whole table; ours streams."""

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

        arrow_memory_pool_configure()  # as the app does at start-up (analysis/apps.py)
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
