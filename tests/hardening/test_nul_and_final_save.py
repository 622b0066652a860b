"""A NUL (U+0000), which PostgreSQL refuses in text and JSON, and other control characters: refused with a 400 where
a user sends them; and whatever a job's work returns, its final save runs inside the job's error handling, so a
save the database refuses ends the job `failed` with that reason (not `running` until the sweep calls it a lost
worker), its new file deleted and the row as it was."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError

from analysis.models import Analysis
from analysis.services import analysis_create, analysis_run
from core.jobs import JobOutput, job_run
from datasets.models import Dataset
from datasets.services import dataset_ingest_run
from tests.conftest import api_as
from tests.datasets.factories import MAPPING, orders_csv, ready_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(world):
    return ready_dataset(user=world.editor, venture=world.venture)


@pytest.fixture
def analysis(world, dataset):
    return analysis_create(user=world.editor, dataset=dataset, kind="segmentation", params={"k": 2})


def members_file(analysis: Analysis) -> str:
    return default_storage.save(f"analyses/{analysis.dataset_id}/new.parquet", ContentFile(b"PAR1"))


def test_a_result_holding_a_nul_fails_the_job_with_its_reason_and_deletes_the_new_file(analysis):
    name = members_file(analysis)

    status = job_run(Analysis, pk=analysis.pk, attempt=1, work=lambda job: JobOutput(fields={"result": {"name": "a\u0000b"}}, file=name))

    analysis.refresh_from_db()
    assert status == analysis.status == "failed"
    assert analysis.error_code == "output_nul"
    assert "NUL" in analysis.error
    assert analysis.result in (None, {})  # nothing half-written
    assert analysis.members == ""
    assert not default_storage.exists(name)


def test_a_final_save_the_database_refuses_fails_the_job_not_left_running(analysis, monkeypatch):
    name = members_file(analysis)

    def refuse(*args, **kwargs):
        raise DatabaseError("the database refused the row")

    monkeypatch.setattr(Analysis, "save", refuse)
    status = job_run(Analysis, pk=analysis.pk, attempt=1, work=lambda job: JobOutput(fields={"result": {"k": 2}}, file=name))
    monkeypatch.undo()

    analysis.refresh_from_db()
    assert status == analysis.status == "failed"
    assert analysis.error_code == "output_unsaved"
    assert "DatabaseError" in analysis.error
    assert not default_storage.exists(name)


def test_a_storage_error_while_storing_the_output_fails_with_that_reason(world, settings, tmp_path, monkeypatch):
    settings.JOB_TEMP_DIR = tmp_path / "jobs"
    from datasets import services

    upload = SimpleUploadedFile("orders.csv", orders_csv(), content_type="text/csv")
    dataset = services.dataset_upload(user=world.editor, venture=world.venture, name="Orders", upload=upload, mapping=MAPPING)

    def broken(name, content, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(services.default_storage, "save", broken)
    status = dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt)
    monkeypatch.undo()

    dataset.refresh_from_db()
    assert status == dataset.status == "failed"
    assert dataset.error_code == "storage"
    assert "OSError" in dataset.error
    assert dataset.parquet == ""
    assert list((tmp_path / "jobs").iterdir()) == []  # the temporary Parquet went too


def test_a_nul_in_a_csv_value_after_the_sniffed_sample_still_ends_the_ingest(world):
    rows = "".join(f"c{i % 40},2025-01-{i % 28 + 1:02d} 10:00,purchase,{i}.50,web\n" for i in range(600))
    content = ("customer,time,event,amount,channel\n" + rows + "c1,2025-02-01 10:00,pur\u0000chase,1.00,we\u0000b\n" + rows).encode()
    assert content.index(b"\x00") > 8192

    dataset = ready_dataset(user=world.editor, venture=world.venture, content=content)  # asserts it ends "ready"

    assert dataset.status == Dataset.Status.READY
    assert "\u0000" not in str(dataset.report)


def test_a_forecast_split_by_a_name_holding_a_nul_succeeds(world):
    def rows(channels: tuple[str, ...]) -> str:
        return "".join(f"c{i % 40},2025-{i % 5 + 1:02d}-{i % 28 + 1:02d} 10:00,purchase,{i}.50,{channels[i % 2]}\n" for i in range(800))

    # The engine rejects the row holding the NUL (a counted reject); the forecast split by channel runs on the rest.
    content = ("customer,time,event,amount,channel\n" + rows(("app", "web")) + "c1,2025-03-03 10:00,purchase,1.50,w\u0000eb\n").encode()
    assert content.index(b"\x00") > 8192  # past the sample the upload sniffs (which refuses a NUL)
    dataset = ready_dataset(user=world.editor, venture=world.venture, content=content)
    analysis = analysis_create(
        user=world.editor, dataset=dataset, kind="forecast", params={"metric": "orders", "frequency": "W", "split_by": "channel"}
    )

    assert analysis_run(analysis_id=analysis.pk, attempt=1) == "succeeded", Analysis.objects.get(pk=analysis.pk).error
    analysis.refresh_from_db()
    assert "\u0000" not in str(analysis.result)


@pytest.mark.parametrize("event", ["pur\u0000chase", "pur\u0007chase", "purchase\n"])
def test_a_control_character_in_params_is_a_400_on_create_and_rerun(world, dataset, analysis, event):
    client = api_as(world.editor)

    created = client.post(
        "/api/v1/analyses/",
        {"dataset": dataset.pk, "kind": "forecast", "params": {"metric": "event_count", "event": event}},
        format="json",
    )
    rerun = client.post(f"/api/v1/analyses/{analysis.pk}/rerun/", {"params": {"k": 3, "note": event}}, format="json")

    for response in (created, rerun):
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "params"
        assert "U+00" in response.json()["detail"]
    assert Analysis.objects.count() == 1


@pytest.mark.parametrize("name", ["Orders\u0001", "Or\u007fders", "Orders\u0000"])
def test_a_control_character_in_a_dataset_name_is_a_400(world, name):
    response = api_as(world.editor).post(
        "/api/v1/datasets/",
        {"venture": world.venture.pk, "name": name, "file": SimpleUploadedFile("orders.csv", orders_csv())},
        format="multipart",
    )

    assert response.status_code == 400, response.content
    assert not Dataset.objects.exists()
