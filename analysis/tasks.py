"""Celery tasks of analyses: take ids, call a service, let the job row record the status."""

from celery import Task, shared_task

from analysis.services import analysis_run
from core.tasks import JobTask, job_task_run


@shared_task(base=JobTask, bind=True, name="analysis.analysis_run")
def analysis_run_task(self: Task, analysis_id: int, attempt: int) -> str:
    return job_task_run(self, analysis_run, analysis_id=analysis_id, attempt=attempt)
