"""The environment of a production-like server for bench runs (bench/load/run.py, bench/faults.py): production
settings (or a bench module built on them) on a scratch database and broker, no HTTPS redirect, quiet logs."""

import os
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
