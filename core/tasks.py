"""What every job's Celery task shares: the task class, the run wrapper, and the one beat task that sweeps all job
models (fail those whose worker died, send again those whose message the broker lost)."""

import logging
from collections.abc import Callable

from celery import Task, shared_task
from celery.signals import worker_ready
from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string

from core.jobs import Job, JobBusy, jobs_requeue_lost, jobs_sweep_stale, jobs_temp_sweep

logger = logging.getLogger(__name__)


class JobTask(Task):
    """Sent without time limits in the message, so the worker's own CELERY_TASK_SOFT_TIME_LIMIT/TIME_LIMIT apply.
    Celery otherwise stamps the sender's settings on every message and they win over the worker's: a limit changed
    for the workers alone (bench/faults.py sets 2 s) was silently ignored."""

    acks_late = True
    reject_on_worker_lost = True
    max_retries = 10

    def apply_async(self, args: tuple | None = None, kwargs: dict | None = None, **options: object) -> object:
        options.setdefault("time_limit", None)
        options.setdefault("soft_time_limit", None)
        return super().apply_async(args, kwargs, **options)


def job_task_run(task: Task, service: Callable[..., str], **ids: int) -> str:
    """Run a job's service; a redelivery while the killed run's heartbeat is still fresh comes back once it is stale."""
    try:
        return service(**ids)
    except JobBusy as exc:
        raise task.retry(countdown=settings.JOB_HEARTBEAT_STALE_SECONDS + 1) from exc


def job_models() -> list[type[Job]]:
    return [model for model in apps.get_models() if issubclass(model, Job)]


@shared_task(name="core.jobs_sweep")
def jobs_sweep_task() -> int:
    """On beat (CELERY_BEAT_SCHEDULE): for every kind of job, fail the abandoned and resend the lost. Returns how many."""
    swept = 0
    for model in job_models():
        swept += jobs_sweep_stale(model) + jobs_requeue_lost(model, send=import_string(model.task_path).delay)
    return swept


@worker_ready.connect
def jobs_temp_sweep_on_start(**_: object) -> None:
    """A worker starting (often the one restarted after a kill) deletes the temporary files on its host that no running
    job owns: what a killed run left behind. Never stops the worker from starting."""
    try:
        swept = jobs_temp_sweep(job_models())
    except Exception:
        logger.exception("could not sweep the jobs' temporary files")
        return
    if swept:
        logger.info("deleted %d temporary files of jobs no longer running", swept)
