"""A real Celery worker process for tests: it reads the configured broker (Redis in CI, the filesystem transport on
the embedded defaults) and the test database, as a worker in production would."""

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def _database_url_of_the_test_database() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(tmp_path: Path, *arguments: str, **environment: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url_of_the_test_database(),
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),  # uploads the test stores are files the worker reads
        **environment,
    }
    log = (tmp_path / "worker.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-l", "INFO", *arguments],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def kill_pool_processes(process: subprocess.Popen) -> None:
    """SIGKILL a prefork worker's pool processes (the ones running tasks), as the OOM killer would."""
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False).stdout.split()
    assert children, "the prefork worker has a pool process"
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Path]:
    """Start a worker process (one, solo pool) for the test; yields the folder of its log and e-mails."""
    process = start_worker(tmp_path, "--pool=solo")
    yield tmp_path
    stop_worker(process)


@pytest.fixture(scope="session", autouse=True)
def _empty_test_queue() -> None:
    """Start the session with an empty test queue: a message left by an earlier, interrupted run (a killed worker's
    job, say) must not be picked up by this run's workers."""
    from config.celery import app

    with app.connection_for_write() as connection, contextlib.suppress(Exception):  # no such queue yet: nothing to purge
        connection.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
