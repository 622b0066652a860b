from celery import Task, shared_task

from outbox.services import MAX_ATTEMPTS, SENDING_LEASE, TRANSIENT_ERRORS, Delivery, email_deliver


@shared_task(
    bind=True,
    name="outbox.email_deliver",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=30,
    max_retries=MAX_ATTEMPTS - 1,
    soft_time_limit=60,
    time_limit=90,
)
def email_deliver_task(self: Task, email_id: int) -> str:
    outcome = email_deliver(email_id=email_id)
    if outcome is Delivery.BUSY:
        # Typically the redelivery of a message whose worker died mid-send: come back when its lease expires.
        raise self.retry(countdown=SENDING_LEASE.total_seconds() + 5, max_retries=MAX_ATTEMPTS)
    return outcome.value
