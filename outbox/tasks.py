from celery import shared_task

from outbox.services import MAX_ATTEMPTS, TRANSIENT_ERRORS, email_deliver


@shared_task(
    name="outbox.email_deliver",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=30,
    max_retries=MAX_ATTEMPTS - 1,
    soft_time_limit=60,
    time_limit=90,
)
def email_deliver_task(email_id: int) -> bool:
    return email_deliver(email_id=email_id)
