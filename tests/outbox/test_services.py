import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from outbox.models import OutboundEmail
from outbox.services import SENDING_LEASE, Delivery, email_deliver, email_queue

pytestmark = pytest.mark.django_db


def test_a_queued_email_is_sent_once_however_often_the_task_runs(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        email = email_queue(to="ada@example.com", subject="Hello\nthere", body="Body")

    first = email_deliver(email_id=email.pk)
    second = email_deliver(email_id=email.pk)

    assert len(callbacks) == 1  # enqueued after commit, not before
    assert (first, second) == (Delivery.SENT, Delivery.DONE)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Hello there"
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1


def test_a_transient_failure_leaves_the_email_queued_for_a_retry(monkeypatch):
    email = email_queue(to="ada@example.com", subject="Hi", body="Body")

    def refuse(*args: object, **kwargs: object) -> None:
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("outbox.services.send_mail", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    assert "gone" in email.error


def test_a_permanent_failure_fails_the_email(monkeypatch):
    email = email_queue(to="ada@example.com", subject="Hi", body="Body")
    monkeypatch.setattr("outbox.services.send_mail", lambda *a, **k: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED


def test_a_claim_left_by_a_dead_worker_is_busy_until_its_lease_runs_out(monkeypatch):
    email = email_queue(to="ada@example.com", subject="Hi", body="Body")
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.SENDING, claimed_at=timezone.now(), attempts=1)

    busy = email_deliver(email_id=email.pk)
    OutboundEmail.objects.filter(pk=email.pk).update(claimed_at=timezone.now() - SENDING_LEASE - timedelta(seconds=1))
    taken_over = email_deliver(email_id=email.pk)

    assert (busy, taken_over) == (Delivery.BUSY, Delivery.SENT)
    assert len(mail.outbox) == 1


def test_a_sensitive_email_that_fails_for_good_forgets_its_body(monkeypatch):
    email = email_queue(to="ada@example.com", subject="Reset", body="https://example.com/reset/secret/", sensitive=True)
    monkeypatch.setattr("outbox.services.send_mail", lambda *a, **k: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert (email.status, email.body) == (OutboundEmail.Status.FAILED, "")
