"""Production settings fail fast on missing or unsafe configuration and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL_SECRET = "q8Vn3-2kz$Lr9!pW0xYt7uB5mC4dE6fG1hJ2kL3mN4oP5qR6sT7uV8wX9yZ0aB1c"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.prod", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=REAL_SECRET, ALLOWED_HOSTS="bizcanvas.example")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"ALLOWED_HOSTS": "bizcanvas.example"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": REAL_SECRET, "ALLOWED_HOSTS": "bizcanvas.example", "DEBUG": "true"}, "DEBUG must be off"),
        ({"SECRET_KEY": REAL_SECRET}, "ALLOWED_HOSTS must list"),
    ],
)
def test_production_refuses_to_start_misconfigured(env, complaint):
    result = manage("check", **env)

    assert result.returncode != 0
    assert complaint in result.stderr


def test_embedded_defaults_need_no_server():
    """With nothing set, the development settings use SQLite and a filesystem broker (no Redis, no PostgreSQL)."""
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CELERY_TASK_ACKS_LATE)"
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings.dev'; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://localhost/", "True"], result.stderr


def test_production_stores_files_in_a_bucket_when_one_is_named():
    code = "from django.conf import settings as s; d = s.STORAGES['default']; print(d['BACKEND'], d['OPTIONS']['bucket_name'])"
    result = manage(
        "shell", "-v", "0", "-c", code, SECRET_KEY=REAL_SECRET, ALLOWED_HOSTS="bizcanvas.example", AWS_STORAGE_BUCKET_NAME="acme-data"
    )

    assert result.stdout.split() == ["storages.backends.s3.S3Storage", "acme-data"], result.stderr


def test_the_embedded_broker_connects_without_kombu_warning_of_a_missing_hostname():
    code = "import logging; logging.basicConfig(); from config.celery import app; print(app.connection_for_write().as_uri())"
    env = {key: value for key, value in os.environ.items() if key not in {"CELERY_BROKER_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.startswith("filesystem://"), result.stderr
    assert "No hostname was supplied" not in result.stderr
