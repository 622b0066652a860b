"""The lifecycle every background job row shares (datasets' ingests, analyses' model runs): claim, heartbeat,
finish, and the sweep of jobs whose worker died. Each step is a compare-and-set UPDATE on the row, so a duplicate,
outdated or redelivered message can never run a job twice at once or overwrite a newer attempt."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from analysis.models import Job


class JobBusy(Exception):
    """Another delivery of this job is running (or was, until its heartbeat stops): try again later."""


def heartbeat_stale() -> timedelta:
    """How long a running job may go without a heartbeat before it counts as abandoned (its worker died)."""
    return timedelta(seconds=settings.DATASET_HEARTBEAT_STALE_SECONDS)


def job_claim(model: type[Job], *, pk: int, attempt: int, queued: str, running: str) -> bool:
    """queued → running, or running → running when the previous claimant's heartbeat has stopped (its worker was
    killed and the message redelivered). False when there is nothing to do (finished, cancelled, another attempt);
    raises JobBusy while another live delivery holds the job."""
    now = timezone.now()
    abandoned = Q(status=running, heartbeat_at__lt=now - heartbeat_stale())
    claimed = model.objects.filter(Q(status=queued) | abandoned, pk=pk, attempt=attempt).update(
        status=running, started_at=now, heartbeat_at=now, progress=0, error="", error_code=""
    )
    if claimed:
        return True
    if model.objects.filter(pk=pk, attempt=attempt, status=running).exists():
        raise JobBusy()
    return False


def job_beat(job: Job, *, running: str, progress: int, **fields: object) -> bool:
    """Record progress (0–99) and the heartbeat. False when the job is no longer this attempt's or no longer running
    (cancelled, re-queued, swept): the worker should stop."""
    return bool(
        type(job)
        .objects.filter(pk=job.pk, attempt=job.attempt, status=running)
        .update(progress=max(0, min(99, progress)), heartbeat_at=timezone.now(), **fields)
    )


def job_finish(job: Job, status: str, *, error: str = "", code: str = "") -> None:
    """End this attempt with `status` (and the reason when it failed). A newer attempt is left alone."""
    now = timezone.now()
    type(job).objects.filter(pk=job.pk, attempt=job.attempt).update(
        status=status, error=error, error_code=code, finished_at=now, heartbeat_at=now
    )


def job_cancel(job: Job) -> None:
    """Cancel a queued or running job. The attempt goes up, so a worker still running it finds no row at its next
    beat and stops, and a late delivery of its message finds nothing to claim."""
    status = type(job).Status
    type(job).objects.filter(pk=job.pk, status__in=[status.QUEUED, status.RUNNING]).update(
        status=status.CANCELLED, finished_at=timezone.now(), attempt=F("attempt") + 1
    )
    job.refresh_from_db()


def jobs_sweep_stale(model: type[Job], *, running: str, failed: str, error: str) -> int:
    """Fail jobs whose worker stopped beating and that no redelivery took over: never stuck at "running". Waits
    three heartbeat windows, so a redelivered message gets its chance first. Returns how many."""
    cutoff = timezone.now() - 3 * heartbeat_stale()
    return model.objects.filter(status=running, heartbeat_at__lt=cutoff).update(
        status=failed, error=error, error_code="worker_lost", finished_at=timezone.now(), attempt=F("attempt") + 1
    )


def jobs_requeue_lost(model: type[Job], *, queued: str, send: Callable[[int, int], object]) -> int:
    """Send the message again for jobs queued longer than JOB_REQUEUE_SECONDS that no worker has claimed: the broker
    lost it (Redis restarted without persistence) or never got it (down when the job was queued). A second message
    for a job whose first was only slow is harmless: the claim is a compare-and-set, so the later delivery does
    nothing. At most one resend per window per job (updated_at marks it). Returns how many were sent again."""
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_REQUEUE_SECONDS)
    resent = 0
    for pk, attempt in model.objects.filter(status=queued, updated_at__lt=cutoff).values_list("pk", "attempt"):
        if model.objects.filter(pk=pk, attempt=attempt, status=queued, updated_at__lt=cutoff).update(updated_at=timezone.now()):
            send(pk, attempt)
            resent += 1
    return resent
