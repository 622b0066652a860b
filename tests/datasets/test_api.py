import json

import pyarrow.parquet as pq
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.jobs import jobs_sweep_stale
from datasets.models import Dataset
from datasets.services import dataset_ingest_run
from tests.conftest import api_as

pytestmark = pytest.mark.django_db

CSV = "Customer ID,InvoiceDate,Amount,Channel\n" + "".join(f"c{i % 7},2024-01-{i % 28 + 1:02d} 10:00,{i}.50,web\n" for i in range(60))


def upload(client, venture, content: bytes = CSV.encode(), name: str = "orders.csv", **extra):
    return client.post(
        "/api/v1/datasets/",
        {"venture": venture.pk, "name": "Orders", "file": SimpleUploadedFile(name, content), **extra},
        format="multipart",
    )


def test_upload_detects_the_file_and_proposes_a_mapping(world):
    response = upload(api_as(world.editor), world.venture)

    body = response.json()
    assert response.status_code == 201
    assert body["status"] == "uploaded"
    assert body["detected"]["delimiter"] == ","
    assert body["mapping"] == {"user_id": "Customer ID", "timestamp": "InvoiceDate", "amount": "Amount", "channel": "Channel"}
    preview = api_as(world.viewer).get(f"/api/v1/datasets/{body['id']}/preview/").json()
    assert preview["rows"][0] == ["c0", "2024-01-01 10:00", "0.50", "web"]


def test_ingest_writes_parquet_and_a_report_and_is_idempotent(world):
    client = api_as(world.editor)
    dataset_id = upload(client, world.venture).json()["id"]

    queued = client.post(
        f"/api/v1/datasets/{dataset_id}/ingest/", {"mapping": {"user_id": "Customer ID", "timestamp": "InvoiceDate", "amount": "Amount"}}
    )
    attempt = Dataset.objects.get(pk=dataset_id).attempt
    first, second = dataset_ingest_run(dataset_id=dataset_id, attempt=attempt), dataset_ingest_run(dataset_id=dataset_id, attempt=attempt)
    body = client.get(f"/api/v1/datasets/{dataset_id}/").json()

    assert queued.status_code == 202
    assert (first, second) == ("ready", "ready")
    assert (body["status"], body["progress"]) == ("ready", 100)
    assert body["report"]["rows_accepted"] == 60
    assert body["report"]["users"] == 7
    assert body["report"]["columns_dropped"] == ["Channel"]
    assert sum(body["report"]["summary"]["daily"]["events"]) == 60  # aggregates for the summary charts
    dataset = Dataset.objects.get(pk=dataset_id)
    with default_storage.open(dataset.parquet, "rb") as handle:
        assert pq.read_table(handle).num_rows == 60


def test_reingest_with_another_mapping_replaces_the_parquet(world, django_capture_on_commit_callbacks):
    client = api_as(world.editor)
    dataset_id = upload(client, world.venture, mapping=json.dumps({"user_id": "Customer ID", "timestamp": "InvoiceDate"})).json()["id"]
    dataset_ingest_run(dataset_id=dataset_id, attempt=1)
    old = Dataset.objects.get(pk=dataset_id).parquet

    client.post(
        f"/api/v1/datasets/{dataset_id}/ingest/", {"mapping": {"user_id": "Customer ID", "timestamp": "InvoiceDate", "channel": "Channel"}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        dataset_ingest_run(dataset_id=dataset_id, attempt=2)

    dataset = Dataset.objects.get(pk=dataset_id)
    assert dataset.parquet != old
    assert not default_storage.exists(old)
    assert dataset.report["columns_dropped"] == ["Amount"]


def test_extra_columns_can_be_kept_as_properties_through_the_api(world):
    client = api_as(world.editor)
    dataset_id = upload(client, world.venture).json()["id"]

    client.post(
        f"/api/v1/datasets/{dataset_id}/ingest/",
        {"mapping": {"user_id": "Customer ID", "timestamp": "InvoiceDate"}, "keep_extra_columns": True},
        format="json",
    )
    dataset_ingest_run(dataset_id=dataset_id, attempt=Dataset.objects.get(pk=dataset_id).attempt)
    body = client.get(f"/api/v1/datasets/{dataset_id}/").json()

    assert body["keep_extra_columns"] is True
    assert (body["report"]["columns_kept"], body["report"]["columns_dropped"]) == (["Amount", "Channel"], [])
    with default_storage.open(Dataset.objects.get(pk=dataset_id).parquet, "rb") as handle:
        properties = pq.read_table(handle, columns=["properties"]).column("properties").to_pylist()
    assert set(dict(properties[0])) == {"Amount", "Channel"}


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"   \n\n", "empty"),
        (b"user_id,timestamp\n", "header_only"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
        (b"<html><body>Sign in</body></html>", "html"),
    ],
)
def test_files_that_are_no_table_are_refused_and_nothing_is_stored(world, content, code):
    response = upload(api_as(world.editor), world.venture, content=content)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Dataset.objects.exists()


def test_an_upload_over_the_limit_answers_413(world, settings):
    settings.DATASET_MAX_UPLOAD_BYTES = 1000

    response = upload(api_as(world.editor), world.venture, content=CSV.encode() * 5)

    assert response.status_code == 413
    assert "1000 bytes" in response.json()["detail"]
    assert not Dataset.objects.exists()


def test_a_gzipped_csv_is_read_through(world):
    import gzip

    response = upload(api_as(world.editor), world.venture, content=gzip.compress(CSV.encode()), name="orders.csv.gz")

    assert response.status_code == 201
    assert response.json()["detected"]["columns"][0] == "Customer ID"


def test_a_zip_with_two_files_is_refused(world):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", CSV)
        archive.writestr("b.csv", CSV)

    response = upload(api_as(world.editor), world.venture, content=buffer.getvalue(), name="two.zip")

    assert response.status_code == 400
    assert response.json()["code"] == "zip_entries"


def test_a_bad_mapping_is_refused_with_the_reason(world):
    client = api_as(world.editor)
    dataset_id = upload(client, world.venture).json()["id"]

    response = client.post(f"/api/v1/datasets/{dataset_id}/ingest/", {"mapping": {"user_id": "Nope", "amount": "Amount"}})

    assert response.status_code == 400
    assert "timestamp is required" in response.json()["detail"]
    assert "no column 'Nope'" in response.json()["detail"]


def test_cancel_and_delete_remove_work_and_files(world):
    client = api_as(world.editor)
    dataset_id = upload(client, world.venture, mapping=json.dumps({"user_id": "Customer ID", "timestamp": "InvoiceDate"})).json()["id"]
    upload_name = Dataset.objects.get(pk=dataset_id).file.name

    cancelled = client.post(f"/api/v1/datasets/{dataset_id}/cancel/").json()
    late_run = dataset_ingest_run(dataset_id=dataset_id, attempt=1)
    deleted = client.delete(f"/api/v1/datasets/{dataset_id}/")

    assert cancelled["status"] == "cancelled"
    assert late_run == "cancelled"  # the queued job, delivered after the cancel, does nothing
    assert deleted.status_code == 204
    assert not Dataset.objects.filter(pk=dataset_id).exists()
    assert upload_name


def test_delete_removes_the_files_on_commit(world, django_capture_on_commit_callbacks):
    client = api_as(world.editor)
    dataset_id = upload(client, world.venture, mapping=json.dumps({"user_id": "Customer ID", "timestamp": "InvoiceDate"})).json()["id"]
    dataset_ingest_run(dataset_id=dataset_id, attempt=1)
    dataset = Dataset.objects.get(pk=dataset_id)

    with django_capture_on_commit_callbacks(execute=True):
        client.delete(f"/api/v1/datasets/{dataset_id}/")

    assert not default_storage.exists(dataset.file.name)
    assert not default_storage.exists(dataset.parquet)


def test_a_job_whose_worker_stopped_beating_is_failed_not_left_running(world):
    client = api_as(world.editor)
    dataset_id = upload(client, world.venture).json()["id"]
    Dataset.objects.filter(pk=dataset_id).update(status="running", heartbeat_at=timezone.now() - timezone.timedelta(minutes=10))

    swept = jobs_sweep_stale(Dataset)
    body = client.get(f"/api/v1/datasets/{dataset_id}/").json()

    assert swept == 1
    assert (body["status"], body["error_code"]) == ("failed", "worker_lost")


def test_another_teams_datasets_answer_404_and_viewers_cannot_upload(world):
    theirs = upload(api_as(world.other_owner), world.other_venture).json()["id"]
    client = api_as(world.owner)

    responses = [
        client.get(f"/api/v1/datasets/{theirs}/"),
        client.get(f"/api/v1/datasets/{theirs}/preview/"),
        client.post(f"/api/v1/datasets/{theirs}/ingest/", {"mapping": {"user_id": "Customer ID", "timestamp": "InvoiceDate"}}),
        client.post(f"/api/v1/datasets/{theirs}/cancel/"),
        client.delete(f"/api/v1/datasets/{theirs}/"),
        upload(client, world.other_venture),
    ]
    assert [response.status_code for response in responses] == [404] * len(responses)
    assert upload(api_as(world.viewer), world.venture).status_code == 403


def test_a_zero_byte_file_is_a_field_error(world):
    response = upload(api_as(world.editor), world.venture, content=b"")

    assert response.status_code == 400
    assert "file" in response.json()
