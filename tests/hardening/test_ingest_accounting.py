"""The files of the issue about lost and unsaved rows, through the dataset path (`dataset_upload` →
`dataset_ingest_run`, in-process, on PostgreSQL): every line of the file is accounted for in the report, and what
the report and the summary hold can be saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from datasets.models import Dataset
from datasets.services import dataset_ingest_run, dataset_upload

pytestmark = pytest.mark.django_db


def ingested(world, content: bytes) -> Dataset:
    dataset = dataset_upload(
        user=world.editor, venture=world.venture, name="log", upload=SimpleUploadedFile("log.csv", content), auto_ingest=True
    )
    dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt)
    dataset.refresh_from_db()
    return dataset


def event_rows(count: int) -> list[str]:
    return [f"u{i},2024-01-{1 + i % 28:02d},{('view', 'buy')[i % 2]},web\n" for i in range(count)]


def test_a_nul_past_the_sniffed_start_is_a_counted_reject_and_the_dataset_is_ready(world, settings, tmp_path):
    """It used to reach the summary's top events, which PostgreSQL's JSON refuses: the job failed long after."""
    settings.MEDIA_ROOT = tmp_path
    rows = event_rows(2_000)
    rows[1_500] = "u1500,2024-01-01,vi\x00ew,web\n"  # line 1,502, some 40 KB into the file

    dataset = ingested(world, ("user_id,timestamp,event,channel\n" + "".join(rows)).encode())

    assert dataset.status == Dataset.Status.READY, dataset.error
    assert dataset.report["rejects_by_reason"] == {"control_character": 1}
    assert dataset.report["sample_rejected_lines"] == {"control_character": [1_502]}
    assert dataset.report["rows_accepted"] == 1_999
