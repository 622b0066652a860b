"""Celery tasks: take ids, call a service, let the job row record the status."""

from collections.abc import Callable

from celery import Task, shared_task
from django.conf import settings

from analysis.jobs import JobBusy
from analysis.model_runs import analyses_requeue_lost, analyses_sweep_stale, analysis_run
from analysis.orphans import storage_orphans_sweep
from analysis.services import dataset_ingest_run, datasets_requeue_lost, datasets_sweep_stale


class JobTask(Task):
    """Sent without time limits in the message, so the worker's own CELERY_TASK_SOFT_TIME_LIMIT/TIME_LIMIT apply.
    Celery otherwise stamps the sender's settings on every message and they win over the worker's: a limit changed
    for the workers alone (bench/faults.py sets 2 s) was silently ignored."""

    def apply_async(self, args: tuple | None = None, kwargs: dict | None = None, **options: object) -> object:
        options.setdefault("time_limit", None)
        options.setdefault("soft_time_limit", None)
        return super().apply_async(args, kwargs, **options)


def _job_run(task: Task, service: Callable[..., str], **ids: int) -> str:
    try:
        return service(**ids)
    except JobBusy as exc:
        # A redelivery while the killed run's heartbeat is still fresh: come back once it has gone stale.
        raise task.retry(countdown=settings.DATASET_HEARTBEAT_STALE_SECONDS + 1) from exc


@shared_task(base=JobTask, bind=True, name="analysis.dataset_ingest", acks_late=True, reject_on_worker_lost=True, max_retries=10)
def dataset_ingest_task(self: Task, dataset_id: int, attempt: int) -> str:
    return _job_run(self, dataset_ingest_run, dataset_id=dataset_id, attempt=attempt)


@shared_task(base=JobTask, bind=True, name="analysis.analysis_run", acks_late=True, reject_on_worker_lost=True, max_retries=10)
def analysis_run_task(self: Task, analysis_id: int, attempt: int) -> str:
    return _job_run(self, analysis_run, analysis_id=analysis_id, attempt=attempt)


@shared_task(name="analysis.jobs_sweep_stale")
def jobs_sweep_stale_task() -> int:
    """Fail jobs whose worker died; send again those whose message the broker lost."""
    return datasets_sweep_stale() + analyses_sweep_stale() + datasets_requeue_lost() + analyses_requeue_lost()


@shared_task(name="analysis.storage_sweep_orphans")
def storage_sweep_orphans_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): delete files no row references, older than a day. Returns how many."""
    return storage_orphans_sweep().deleted
