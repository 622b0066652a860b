"""Celery tasks of datasets: take ids, call a service, let the job row record the status."""

from celery import Task, shared_task

from core.tasks import JobTask, job_task_run
from datasets.orphans import storage_orphans_sweep
from datasets.services import dataset_cohorts_run, dataset_ingest_run


@shared_task(base=JobTask, bind=True, name="datasets.dataset_ingest")
def dataset_ingest_task(self: Task, dataset_id: int, attempt: int) -> str:
    return job_task_run(self, dataset_ingest_run, dataset_id=dataset_id, attempt=attempt)


@shared_task(base=JobTask, bind=True, name="datasets.dataset_cohorts")
def dataset_cohorts_task(self: Task, cohorts_id: int, attempt: int) -> str:
    return job_task_run(self, dataset_cohorts_run, cohorts_id=cohorts_id, attempt=attempt)


@shared_task(name="datasets.storage_sweep_orphans")
def storage_sweep_orphans_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): delete files no row references, older than a day. Returns how many."""
    return storage_orphans_sweep().deleted
