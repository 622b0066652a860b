"""Faults with a real Celery worker, a real Redis and PostgreSQL: does every job end `ready` (after redelivery) or
`failed` with a reason within two minutes of the fault, with its data whole?

  * SIGTERM the worker mid-ingest (warm shutdown: the running job finishes, or is redelivered)
  * Redis killed and restarted while ingests are queued (no persistence: the queued messages are lost)
  * Redis down when an ingest is started (the message cannot be sent at all)
  * an ingest exceeding the soft time limit (CELERY_TASK_SOFT_TIME_LIMIT set small for that worker)

SIGKILL of the pool child mid-ingest and mid-forecast are tests (tests/datasets, tests/analysis), not repeated here.

  python bench/faults.py [--rows 1500000] [--redis-port 6390]

Uses its own database (bizcanvas_faults, dropped at the end) and its own redis-server on --redis-port (started and
killed here; the shared Redis is never touched). Prints fault → outcome → seconds from the fault to the job's end."""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.server_env import pg_database, process_group_stop, server_env  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
DEADLINE = 120  # seconds: the bound the issue sets


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_500_000, help="rows of the large file (its ingest must take a few seconds)")
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--db", default="bizcanvas_faults")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    return parser.parse_args()


ARGS = parse()
WORK = Path(tempfile.mkdtemp(prefix="bizcanvas-faults-"))
ENV = server_env(
    settings="config.settings.prod",
    database_url=f"{ARGS.pg}/{ARGS.db}",
    broker_url=f"redis://127.0.0.1:{ARGS.redis_port}/0",
    cache_url=f"redis://127.0.0.1:{ARGS.redis_port}/1",
    var_dir=WORK / "var",
)
os.environ.update(ENV)


# --- redis-server of our own ----------------------------------------------------------------------------------------


def redis_start() -> None:
    subprocess.run(
        [
            *(shutil.which("redis-server") or "redis-server", "--port", str(ARGS.redis_port), "--save", "", "--appendonly", "no"),
            *("--daemonize", "yes", "--pidfile", str(WORK / "redis.pid"), "--dir", str(WORK), "--logfile", str(WORK / "redis.log")),
        ],
        check=True,
    )
    wait_for(
        lambda: (
            subprocess.run(
                [shutil.which("redis-cli") or "redis-cli", "-p", str(ARGS.redis_port), "ping"], capture_output=True
            ).stdout.strip()
            == b"PONG"
        ),
        10,
    )


def redis_kill() -> None:
    pidfile = WORK / "redis.pid"
    pid = int(pidfile.read_text())
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not Path(f"/proc/{pid}").exists(), 10)
    pidfile.unlink(missing_ok=True)


# --- worker -----------------------------------------------------------------------------------------------------------


def worker_start(name: str, **environment: str) -> subprocess.Popen:
    """A worker as production runs it (prefork, one process, with beat for the sweeper)."""
    command = [str(BIN / "celery"), "-A", "config", "worker", "--beat", "--schedule", str(WORK / f"beat-{name}"), "--concurrency=1"]
    log = (WORK / f"worker-{name}.log").open("w")
    return subprocess.Popen(
        [*command, "-l", "INFO", "-n", f"{name}@faults"],
        cwd=ROOT,
        env={**ENV, **environment},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


# --- data ---------------------------------------------------------------------------------------------------------


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(rows)
    with path.open("w") as handle:
        handle.write("user_id,timestamp,event,amount\n")
        for index in range(rows):
            handle.write(f"u{rng.randrange(50_000)},2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{index % 24:02d}:00:00Z,")
            handle.write(f"purchase,{rng.randrange(100, 50_000) / 100:.2f}\n")


def main() -> None:  # noqa: C901 (one scenario after another, in order)
    pg_database("dropdb", ARGS.pg, ARGS.db)
    pg_database("createdb", ARGS.pg, ARGS.db)
    redis_start()
    workers: list[subprocess.Popen] = []
    try:
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=ENV, check=True)
        import django

        django.setup()
        import pyarrow.parquet as pq
        from django.core.files import File
        from django.core.files.storage import default_storage

        from accounts.services import user_register
        from datasets.models import Dataset
        from datasets.services import dataset_upload
        from teams.services import team_create
        from ventures.services import venture_create

        user = user_register(username="faults", email="faults@example.com", password="Quartz-Harbour-7391")  # noqa: S106 (a throwaway database)
        venture = venture_create(user=user, team=team_create(user=user, name="Faults"), name="Faults")
        large, small = WORK / "large.csv", WORK / "small.csv"
        write_csv(large, ARGS.rows)
        write_csv(small, 5000)
        rows_of = {str(large): ARGS.rows, str(small): 5000}

        def upload(path: Path) -> Dataset:
            with path.open("rb") as handle:
                return dataset_upload(user=user, venture=venture, name=path.stem, upload=File(handle, name=path.name), auto_ingest=True)

        def ended(dataset: Dataset) -> bool:
            dataset.refresh_from_db()
            return dataset.status in (Dataset.Status.READY, Dataset.Status.FAILED, Dataset.Status.CANCELLED)

        def whole(dataset: Dataset, path: Path) -> str:
            if dataset.status != Dataset.Status.READY:
                return "nothing half-written" if not dataset.parquet else "STALE PARQUET KEPT"
            rows = pq.read_metadata(default_storage.path(dataset.parquet)).num_rows
            expected = rows_of[str(path)]
            return f"{rows}/{expected} rows" + (
                "" if rows == expected and dataset.report.get("rows_accepted") == expected else " NOT WHOLE"
            )

        def outcome(dataset: Dataset) -> str:
            return dataset.status + (f" ({dataset.error_code}: {dataset.error})" if dataset.error_code else "")

        results: list[tuple[str, str, str, str]] = []

        # 1. SIGTERM mid-ingest: warm shutdown lets the running job finish.
        worker = worker_start("term")
        workers.append(worker)
        dataset = upload(large)
        wait_for(lambda: Dataset.objects.filter(pk=dataset.pk, status=Dataset.Status.RUNNING, progress__gte=5).exists(), 120)
        fault = time.monotonic()
        os.kill(worker.pid, signal.SIGTERM)  # the main process only: a warm shutdown
        finished = wait_for(lambda: ended(dataset), DEADLINE)
        seconds = time.monotonic() - fault
        exited = wait_for(lambda: worker.poll() is not None, 30)
        if not finished:  # redelivery needs a worker: start one, as a supervisor would
            workers.append(worker_start("term-again"))
            finished = wait_for(lambda: ended(dataset), DEADLINE)
            seconds = time.monotonic() - fault
        results.append(
            (
                "SIGTERM worker mid-ingest",
                outcome(dataset) + ("" if exited else "; worker still running"),
                f"{seconds:.1f}",
                whole(dataset, large),
            )
        )
        for process in workers:
            process_group_stop(process, timeout=60)

        # 2. Redis killed and restarted (no persistence) while ingests are queued and no worker is consuming.
        queued = [upload(small) for _ in range(3)]
        redis_kill()
        redis_start()
        fault = time.monotonic()
        workers.append(worker_start("redis"))
        wait_for(lambda: all(ended(d) for d in queued), DEADLINE + 30)
        seconds = time.monotonic() - fault
        results.append(
            (
                "Redis restarted, 3 ingests queued",
                ", ".join(sorted({outcome(d) for d in queued})) + f" ({sum(d.status == Dataset.Status.READY for d in queued)}/3 ready)",
                f"{seconds:.1f}" if all(ended(d) for d in queued) else f"> {DEADLINE + 30}",
                "; ".join(sorted({whole(d, small) for d in queued})),
            )
        )

        # 3. Redis down when an ingest is started: the upload is stored, the message cannot be sent.
        redis_kill()
        fault = time.monotonic()
        try:
            dataset = upload(small)
            started = "upload answered"
        except Exception as exc:  # what a request would turn into a 500
            dataset = Dataset.objects.filter(venture=venture).order_by("-id").first()
            started = f"upload raised {type(exc).__name__}"
        redis_start()
        ok = wait_for(lambda: ended(dataset), DEADLINE + 30)
        seconds = time.monotonic() - fault
        results.append(
            (
                "Redis down at ingest start",
                f"{started}; {outcome(dataset)}",
                f"{seconds:.1f}" if ok else f"> {DEADLINE + 30}",
                whole(dataset, small),
            )
        )
        for process in workers:
            process_group_stop(process, timeout=60)

        # 4. An ingest longer than the soft time limit (2 s for this worker).
        workers.append(worker_start("limit", CELERY_TASK_SOFT_TIME_LIMIT="2", CELERY_TASK_TIME_LIMIT="30"))
        dataset = upload(large)
        wait_for(lambda: Dataset.objects.filter(pk=dataset.pk, status=Dataset.Status.RUNNING).exists(), 60)
        fault = time.monotonic() + 2  # the limit expires two seconds after the job starts
        wait_for(lambda: ended(dataset), DEADLINE)
        results.append(("soft time limit (2 s) exceeded", outcome(dataset), f"{time.monotonic() - fault:.1f}", whole(dataset, large)))

        print(f"\nlarge file: {ARGS.rows} rows ({large.stat().st_size / 1e6:.0f} MB); broker: own redis-server on port {ARGS.redis_port}")
        print(f"{'fault':36} {'outcome':70} {'s to end':>9}  data")
        for name, result, seconds_text, data in results:
            print(f"{name:36} {result[:70]:70} {seconds_text:>9}  {data}")
        print(f"\nworker logs in {WORK}")
    finally:
        for process in workers:
            process_group_stop(process, timeout=60)
        if (WORK / "redis.pid").exists():
            redis_kill()
        from django.db import connections

        connections.close_all()
        pg_database("dropdb", ARGS.pg, ARGS.db, check=False)


if __name__ == "__main__":
    main()
