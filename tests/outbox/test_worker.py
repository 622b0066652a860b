"""A job really crosses a process boundary: the test enqueues through the configured broker (Redis in CI, the
filesystem transport on the embedded defaults) and a separate Celery worker process does the work."""

import pytest

from outbox.models import OutboundEmail
from outbox.services import email_queue
from tests.waiting import wait_until


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
