"""With S3-compatible storage (production, config/settings/prod.py) uploads and Parquet go through Django's storage
API, never a local path: a worker on another host reads what the web process wrote. moto stands in for S3."""

import json

import boto3
import pyarrow.parquet as pq
import pytest
from django.core.files.storage import default_storage
from moto import mock_aws

from datasets.models import Dataset
from datasets.services import dataset_delete, dataset_ingest_run
from tests.conftest import api_as
from tests.datasets.test_api import upload

pytestmark = pytest.mark.django_db
BUCKET = "bizcanvas-test"


@pytest.fixture
def s3(settings, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": BUCKET, "default_acl": None}},
        }
        yield client


def keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_upload_ingest_and_delete_through_object_storage(world, s3, django_capture_on_commit_callbacks):
    mapping = json.dumps({"user_id": "Customer ID", "timestamp": "InvoiceDate", "amount": "Amount"})
    dataset_id = upload(api_as(world.editor), world.venture, mapping=mapping).json()["id"]
    assert dataset_ingest_run(dataset_id=dataset_id, attempt=1) == "ready"
    dataset = Dataset.objects.get(pk=dataset_id)

    assert type(default_storage._wrapped).__name__ == "S3Storage"
    assert keys(s3) == sorted([dataset.file.name, dataset.parquet, dataset.cohorts.file])
    with default_storage.open(dataset.parquet, "rb") as handle:
        assert pq.read_table(handle).num_rows == 60

    with django_capture_on_commit_callbacks(execute=True):
        dataset_delete(user=world.editor, dataset=dataset)
    assert keys(s3) == []


def test_deleting_a_venture_deletes_its_objects_and_the_orphan_sweep_walks_the_bucket(world, s3, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.core.files.base import ContentFile

    from datasets.orphans import storage_orphans_sweep
    from ventures.services import venture_delete

    mapping = json.dumps({"user_id": "Customer ID", "timestamp": "InvoiceDate", "amount": "Amount"})
    mine = upload(api_as(world.editor), world.venture, mapping=mapping).json()["id"]
    theirs = upload(api_as(world.other_owner), world.other_venture, mapping=mapping).json()["id"]
    for dataset_id in (mine, theirs):
        assert dataset_ingest_run(dataset_id=dataset_id, attempt=1) == "ready"
    kept = Dataset.objects.get(pk=theirs)
    orphan = default_storage.save("analyses/77/left-by-a-crash.parquet", ContentFile(b"x"))

    with django_capture_on_commit_callbacks(execute=True):
        venture_delete(user=world.editor, venture=world.venture)
    swept = storage_orphans_sweep(grace=timedelta(0))

    assert (swept.orphans, swept.deleted, swept.referenced) == ([orphan], 1, 3)
    assert keys(s3) == sorted([kept.file.name, kept.parquet, kept.cohorts.file])
