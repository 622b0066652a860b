"""SIGKILL the worker's pool process in the middle of an ingest: the job does not stay "running". Its message is
redelivered (acks_late + reject_on_worker_lost) and, once the dead run's heartbeat is stale, taken over and
finished; were it not redelivered, the sweeper fails it with a reason. Either way the data is whole or absent."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from core.jobs import jobs_sweep_stale
from datasets.models import Dataset
from datasets.services import dataset_upload
from tests.waiting import wait_until
from tests.worker import kill_pool_processes, start_worker, stop_worker

ROWS = 600_000


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_ingest_leaves_no_job_stuck_running(world, tmp_path, settings):
    settings.JOB_HEARTBEAT_STALE_SECONDS = 3
    process = start_worker(tmp_path, "--pool=prefork", "--concurrency=1", JOB_HEARTBEAT_STALE_SECONDS="3")
    try:
        csv = "user,time,amount\n" + "".join(f"u{i % 997},2024-01-{i % 28 + 1:02d} 10:{i % 60:02d},{i % 50}.5\n" for i in range(ROWS))
        upload = SimpleUploadedFile("big.csv", csv.encode())
        dataset = dataset_upload(
            user=world.editor,
            venture=world.venture,
            name="Big",
            upload=upload,
            mapping={"user_id": "user", "timestamp": "time", "amount": "amount"},
        )

        def running_with_progress() -> bool:
            dataset.refresh_from_db()
            return dataset.status == Dataset.Status.RUNNING and dataset.rows_processed > 0

        wait_until(running_with_progress, timeout=60, what="the ingest to be under way", interval=0.05)
        kill_pool_processes(process)

        def ended() -> bool:
            jobs_sweep_stale(Dataset)
            dataset.refresh_from_db()
            return dataset.status in (Dataset.Status.READY, Dataset.Status.FAILED)

        try:
            wait_until(ended, timeout=120, what="the killed ingest to end", interval=0.5)
        except AssertionError:
            print((tmp_path / "worker.log").read_text()[-4000:])
            raise
    finally:
        stop_worker(process)

    print(f"killed-worker outcome: {dataset.status} {dataset.error_code}")
    if dataset.status == Dataset.Status.READY:
        assert dataset.report["rows_accepted"] == ROWS  # redelivered and finished: the data is whole
        assert default_storage.exists(dataset.parquet)
    else:
        assert dataset.error_code == "worker_lost"
        assert dataset.parquet == ""  # nothing half-written is visible
