"""A job really crosses a process boundary: the test enqueues through the configured broker (Redis in CI, the
filesystem transport on the embedded defaults) and a separate Celery worker process does the work."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from outbox.models import OutboundEmail
from outbox.services import email_queue
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


def _database_url_of_the_test_database() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url_of_the_test_database(),
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-l", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield tmp_path
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_email_is_delivered_by_a_separate_worker_process(worker):
    email = email_queue(to="ada@example.com", subject="Welcome", body="Sent by the worker")

    def sent() -> bool:
        email.refresh_from_db()
        return email.status == OutboundEmail.Status.SENT

    try:
        wait_until(sent, timeout=60, what="the worker to send the e-mail")
    except AssertionError:
        print((worker / "worker.log").read_text())
        raise
    written = list((worker / "mail").glob("*.log"))
    assert len(written) == 1
    assert "Sent by the worker" in written[0].read_text()
    assert email.attempts == 1
