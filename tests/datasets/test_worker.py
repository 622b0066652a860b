"""An upload with a mapping is ingested by a separate worker process, through the configured broker."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from datasets.models import Dataset
from tests.conftest import api_as
from tests.waiting import wait_until


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_mapped_upload_is_ingested_by_the_worker(world, worker):
    csv = "user,time,amount\n" + "".join(f"u{i % 5},2024-02-{i % 28 + 1:02d},{i}\n" for i in range(500))
    response = api_as(world.editor).post(
        "/api/v1/datasets/",
        {
            "venture": world.venture.pk,
            "file": SimpleUploadedFile("events.csv", csv.encode()),
            "mapping": json.dumps({"user_id": "user", "timestamp": "time", "amount": "amount"}),
        },
        format="multipart",
    )
    dataset = Dataset.objects.get(pk=response.json()["id"])

    def finished() -> bool:
        dataset.refresh_from_db()
        return dataset.status in (Dataset.Status.READY, Dataset.Status.FAILED)

    try:
        wait_until(finished, timeout=90, what="the worker to ingest the dataset")
    except AssertionError:
        print((worker / "worker.log").read_text())
        raise
    assert response.json()["status"] == "queued"
    assert dataset.status == Dataset.Status.READY, dataset.error
    assert dataset.report["rows_accepted"] == 500
    assert dataset.progress == 100
