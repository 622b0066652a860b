import logging
import smtplib
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox.models import OutboundEmail

logger = logging.getLogger(__name__)

# A row left in SENDING longer than this belongs to a worker that died mid-send; a redelivery may take it over.
SENDING_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
# Worth another try later; anything else fails the e-mail at once.
TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


def email_queue(*, to: str, subject: str, body: str, sensitive: bool = False) -> OutboundEmail:
    """Record an e-mail and hand it to the worker once the surrounding transaction commits."""
    from outbox.tasks import email_deliver_task  # tasks import services; import here to keep that one-way

    email = OutboundEmail(to=to, subject=" ".join(subject.split()), body=body, sensitive=sensitive)
    email.full_clean()
    email.save()
    transaction.on_commit(lambda: email_deliver_task.delay(email.pk))
    return email


class Delivery(StrEnum):
    SENT = "sent"  # this call sent it
    DONE = "done"  # nothing to do: sent, failed for good, or gone
    BUSY = "busy"  # another delivery holds a fresh lease on it: try again once the lease has run out


def email_deliver(*, email_id: int) -> Delivery:
    """Send one queued e-mail.

    Idempotent: the row is claimed with a compare-and-set update, so a duplicate delivery of the task finds it
    taken or sent and sends nothing. A claim left by a worker that died mid-send expires after SENDING_LEASE."""
    now = timezone.now()
    claimable = Q(status=OutboundEmail.Status.QUEUED) | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=now - SENDING_LEASE)
    claimed = OutboundEmail.objects.filter(claimable, pk=email_id, attempts__lt=MAX_ATTEMPTS).update(
        status=OutboundEmail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        busy = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.SENDING, attempts__lt=MAX_ATTEMPTS).exists()
        logger.info("email %s is %s", email_id, "being sent elsewhere" if busy else "already done")
        return Delivery.BUSY if busy else Delivery.DONE

    email = OutboundEmail.objects.get(pk=email_id)
    try:
        send_mail(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to], fail_silently=False)
    except Exception as exc:  # recorded on the row whatever it is; the task retries transient errors only
        retry = isinstance(exc, TRANSIENT_ERRORS) and email.attempts < MAX_ATTEMPTS
        failed = {"status": OutboundEmail.Status.QUEUED if retry else OutboundEmail.Status.FAILED, "error": f"{type(exc).__name__}: {exc}"}
        if not retry and email.sensitive:
            failed["body"] = ""  # a reset link that will never be sent must not stay readable in the database
        OutboundEmail.objects.filter(pk=email_id).update(**failed)
        raise
    done = {"status": OutboundEmail.Status.SENT, "sent_at": timezone.now(), "error": ""}
    if email.sensitive:
        done["body"] = ""
    OutboundEmail.objects.filter(pk=email_id).update(**done)
    return Delivery.SENT
