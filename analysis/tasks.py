from celery import shared_task

from analysis.services import dataset_ingest_run, datasets_sweep_stale


@shared_task(name="analysis.dataset_ingest", acks_late=True, reject_on_worker_lost=True)
def dataset_ingest_task(dataset_id: int, attempt: int) -> str:
    return dataset_ingest_run(dataset_id=dataset_id, attempt=attempt)


@shared_task(name="analysis.datasets_sweep_stale")
def datasets_sweep_stale_task() -> int:
    return datasets_sweep_stale()
