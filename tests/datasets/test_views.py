import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from datasets.models import Dataset

pytestmark = pytest.mark.django_db

CSV = "Kunde,Zeit,Summe\nk1,2024-01-01,3\nk2,2024-01-02,4\n"


def test_upload_in_the_browser_then_correct_the_mapping_and_ingest(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.editor)

    uploaded = client.post(f"/datasets/upload/{world.venture.pk}/", {"name": "Orders", "file": SimpleUploadedFile("o.csv", CSV.encode())})
    dataset = Dataset.objects.get()
    page = client.get(f"/datasets/{dataset.pk}/").content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        queued = client.post(
            f"/datasets/{dataset.pk}/", {"user_id": "Kunde", "timestamp": "Zeit", "date_format": "", "keep_extra_columns": "on"}
        )

    assert uploaded["Location"] == f"/datasets/{dataset.pk}/"
    assert "Column mapping" in page
    assert "k1" in page
    assert queued.status_code == 302
    assert len(callbacks) == 1  # the ingest is enqueued once the transaction commits
    dataset.refresh_from_db()
    assert dataset.status == "queued"
    assert dataset.mapping == {"user_id": "Kunde", "timestamp": "Zeit"}
    assert dataset.keep_extra_columns is True  # "Summe" goes into each event's properties


def test_browser_upload_checks_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.editor)

    response = client.post(f"/datasets/upload/{world.venture.pk}/", {"file": SimpleUploadedFile("o.csv", CSV.encode())})

    assert response.status_code == 403
    assert not Dataset.objects.exists()


def test_a_browser_upload_over_the_limit_is_refused(client, world, settings):
    settings.DATASET_MAX_UPLOAD_BYTES = 10
    client.force_login(world.editor)

    response = client.post(f"/datasets/upload/{world.venture.pk}/", {"file": SimpleUploadedFile("o.csv", CSV.encode())}, follow=True)

    assert "larger than the upload limit" in response.content.decode()
    assert not Dataset.objects.exists()


def test_viewers_see_datasets_but_cannot_upload_or_ingest(client, world):
    client.force_login(world.viewer)

    page = client.get(f"/ventures/{world.venture.pk}/").content.decode()
    upload = client.post(f"/datasets/upload/{world.venture.pk}/", {"file": SimpleUploadedFile("o.csv", CSV.encode())}, follow=True)

    assert "Datasets" in page
    assert "/datasets/upload/" not in page
    assert "Your role in this team does not allow this action." in upload.content.decode()
    assert not Dataset.objects.exists()
