import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from datasets.models import Dataset
from tests.datasets.factories import orders_csv, ready_dataset

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


def test_the_page_offers_the_encodings_that_decode_the_file_and_ingests_in_the_one_chosen(client, world):
    """A Big5 file read as Latin-1 (which decodes any bytes) shows garbage; choosing Big5 on the page re-reads it and
    the mapping names its columns as decoded in Big5."""
    client.force_login(world.editor)
    text = "客戶,日期\n" + "".join(f"王{i % 3},2024-01-{i % 28 + 1:02d}\n" for i in range(30))
    client.post(f"/datasets/upload/{world.venture.pk}/", {"name": "Orders", "file": SimpleUploadedFile("o.csv", text.encode("big5"))})
    dataset = Dataset.objects.get()
    dataset.detected = {**dataset.detected, "encoding": "latin-1", "encodings": ["latin-1", "big5"]}
    dataset.save()

    page = client.get(f"/datasets/{dataset.pk}/").content.decode()
    queued = client.post(f"/datasets/{dataset.pk}/", {"encoding": "big5", "user_id": "客戶", "timestamp": "日期", "date_order": ""})

    assert '<option value="big5">big5</option>' in page
    assert "js/encoding.js" in page
    assert f'data-preview-url="/api/v1/datasets/{dataset.pk}/preview/"' in page
    assert queued.status_code == 302
    dataset.refresh_from_db()
    assert (dataset.status, dataset.detected["encoding"], dataset.mapping) == ("queued", "big5", {"user_id": "客戶", "timestamp": "日期"})


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_ingest_reports_counts_with_thousands_grouped_in_both_languages(client, world, language):
    dataset = ready_dataset(user=world.editor, venture=world.venture, content=orders_csv(days=400))
    client.force_login(world.viewer)

    page = client.get(f"/datasets/{dataset.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    rows = dataset.report["rows_read"]
    assert rows >= 1000
    assert f"<dd>{rows // 1000},{rows % 1000:03d}</dd>" in page
