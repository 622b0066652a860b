"""The environment of a production-like server for bench runs (bench/load/run.py, bench/faults.py): production
settings (or a bench module built on them) on a scratch database and broker, no HTTPS redirect, quiet logs; and the
plumbing both runs share: the scratch PostgreSQL database, stopping a server's process group."""

import os
import shutil
import signal
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def server_env(*, settings: str, database_url: str, broker_url: str, cache_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "SECRET_KEY": "bench-run-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "REDIS_URL": cache_url,
        "BIZCANVAS_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def pg_database(action: str, pg_url: str, name: str, *, check: bool = True) -> None:
    """`action` ("createdb" or "dropdb", which drops it only if it exists) on the database `name` of the PostgreSQL
    server of `pg_url` (postgres://user@host:port), as the postgres user."""
    host = pg_url.rsplit("@", 1)[-1].split(":")[0]
    arguments = ["--if-exists", name] if action == "dropdb" else [name]
    subprocess.run([shutil.which(action) or action, "-h", host, "-U", "postgres", *arguments], check=check)


def process_group_stop(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM the process group started with `start_new_session` (a warm shutdown), SIGKILL it after `timeout`."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
