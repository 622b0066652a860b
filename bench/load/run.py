"""Load run against gunicorn on PostgreSQL + Redis with a real Celery worker, all in one command:

  python bench/load/run.py                          # 50 users for 5 minutes (the issue's run)
  python bench/load/run.py --users 20 --duration 1m # shorter

Creates its own database (dropped at the end unless --keep-db), migrates, collects static files, starts a Celery
worker and gunicorn (production settings, bench.load.settings, which only adds the bare JSON view; production's
config/gunicorn.py), seeds teams through the services, opens each team's pages once (see `warm_up`), runs locust headless, then two closed-loop phases of --loop-seconds each (canvas API alone,
bare view alone, same server, same concurrency) for the throughput ratio. Prints p50/p95/p99 per endpoint, the
error count (409s on stale edits are expected and counted apart) and the ratio. Locust runs from $LOCUST or the
`locust` on PATH (pinned in requirements-bench.txt; it may live in its own virtualenv: it is only the client)."""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.server_env import pg_database, process_group_stop, server_env  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent


def sh(command: list[str], env: dict, **kwargs: object) -> None:
    subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def wait_http(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (localhost)
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def warm_up(port: int, seed: Path) -> None:
    """Open each team's dashboard, canvas page and share links once before the run, as a server that has been up
    would have: a dashboard's first view builds and caches its panels. Those first views are timed and printed here,
    apart from the run's percentiles, which measure the server in use (each later change rebuilds only the panels
    that read what changed, and that is in the run)."""
    first_views = []
    for team in json.loads(seed.read_text())["teams"]:
        cookie = {"Cookie": f"sessionid={team['users'][0]['session']}"}
        paths = [(f"/ventures/{team['venture']}/dashboard/", cookie), (f"/canvases/{team['canvas']}/", cookie)]
        paths += [(f"/s/{token}/", {}) for token in team["share_tokens"]]
        for path, headers in paths:
            started = time.perf_counter()
            url = f"http://127.0.0.1:{port}{path}"
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:  # errors raise
                if response.url != url:  # redirected, e.g. to the login page: the seeded session did not work
                    sys.exit(f"warm-up: {path} redirected to {response.url}")
            if "/dashboard/" in path:
                first_views.append((time.perf_counter() - started) * 1000)
    first_views.sort()
    print(
        f"warm-up: each team's pages opened once; a dashboard's first view (panels built): median {first_views[len(first_views) // 2]:.0f} ms, "
        f"max {first_views[-1]:.0f} ms over {len(first_views)} dashboards"
    )


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv") as handle:
        return [row for row in csv.DictReader(handle) if row["Name"] != "Aggregated"]


def locust(args: argparse.Namespace, env: dict, prefix: Path, users: int, duration: str, classes: list[str]) -> list[dict]:
    command = [
        args.locust, "-f", str(ROOT / "bench/load/locustfile.py"), "--headless", "--only-summary",
        "-u", str(users), "-r", str(max(1, users // 10)), "-t", duration, "--stop-timeout", "10",
        "--host", f"http://127.0.0.1:{args.port}", "--csv", str(prefix), "--exit-code-on-error", "0", *classes,
    ]  # fmt: skip
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=(prefix.parent / "locust.log").open("a"))
    return read_stats(prefix)


def report(rows: list[dict]) -> None:
    print(f"{'endpoint':32} {'requests':>9} {'req/s':>7} {'fails':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for row in sorted(rows, key=lambda r: r["Name"]):
        print(
            f"{row['Name']:32} {int(row['Request Count']):9d} {float(row['Requests/s']):7.2f} {int(row['Failure Count']):6d} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {float(row['Max Response Time']):7.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", default="5m", help="locust's --run-time: 5m, 90s…")
    parser.add_argument("--teams", type=int, default=25)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--loop-users", type=int, default=8, help="concurrency of each closed-loop throughput phase")
    parser.add_argument("--loop-seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (2 cores)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", default="bizcanvas_load")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379", help="broker on DB 5, cache on DB 6")
    parser.add_argument("--locust", default=os.environ.get("LOCUST") or shutil.which("locust") or str(BIN / "locust"))
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bizcanvas-load-"))
    env = server_env(
        settings="bench.load.settings",
        database_url=f"{args.pg}/{args.db}",
        broker_url=f"{args.redis}/5",
        cache_url=f"{args.redis}/6",
        var_dir=work / "var",
        SHARE_RATE_LIMIT_PER_MINUTE="100000",  # every locust user shares one IP
        BENCH_SEED=str(work / "seed.json"),
    )
    pg_database("dropdb", args.pg, args.db)
    pg_database("createdb", args.pg, args.db)
    subprocess.run([str(BIN / "celery"), "-A", "config", "purge", "-f"], env=env, cwd=ROOT, check=False, capture_output=True)
    processes = []
    try:
        sh([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
        sh([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        processes.append(
            start([str(BIN / "celery"), "-A", "config", "worker", "--concurrency=1", "--loglevel=WARNING"], env, work / "worker.log")
        )
        gunicorn = [str(BIN / "gunicorn"), "config.wsgi", "--config", "config/gunicorn.py"]  # production's, on our port:
        gunicorn += ["--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers), "--access-logfile", str(work / "access.log")]
        processes.append(start(gunicorn, env, work / "gunicorn.log"))
        sh([PYTHON, "bench/load/seed.py", "--teams", str(args.teams), "--items", str(args.items), "--out", env["BENCH_SEED"]], env)
        wait_http(f"http://127.0.0.1:{args.port}/healthz")
        warm_up(args.port, Path(env["BENCH_SEED"]))

        print(f"\n== mixed scenario: {args.users} users for {args.duration} (gunicorn {args.workers} workers, 1 Celery worker) ==")
        rows = locust(args, env, work / "mixed", args.users, args.duration, ["TeamMember"])
        report(rows)
        conflicts = sum(int(r["Request Count"]) for r in rows if r["Name"].startswith("conflict"))
        errors = sum(int(r["Failure Count"]) for r in rows)
        print(f"errors: {errors} (expected 409s on stale edits, not errors: {conflicts})")

        loops = {}
        for name, user_class in (("canvas API GET", "CanvasApiLoop"), ("bare JSON view", "BareLoop")):
            row = locust(args, env, work / user_class, args.loop_users, f"{args.loop_seconds}s", [user_class])[0]
            loops[name] = row
        print(f"\n== throughput, closed loop, {args.loop_users} users, {args.loop_seconds} s each, same server ==")
        report(list(loops.values()))
        ratio = float(loops["canvas API GET"]["Requests/s"]) / float(loops["bare JSON view"]["Requests/s"])
        print(f"canvas API throughput / bare view throughput: {ratio:.3f}")
        print(f"\nlogs and CSVs in {work}")
    finally:
        for process in reversed(processes):
            process_group_stop(process, timeout=30)
        if not args.keep_db:
            pg_database("dropdb", args.pg, args.db, check=False)


if __name__ == "__main__":
    main()
