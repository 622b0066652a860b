"""Findings 3–6 of the red-team pass, through the upload API as a user meets them, so they stay fixed: a file that
changes encoding part way, a GBK file whose only Chinese is its header, wrong reasons (a first line over the sample,
UTF-16 without a BOM, CR-only line ends), and a time column known only by its values."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from datasets.models import Dataset
from datasets.services import dataset_ingest_run
from ingest.sniffing import SAMPLE_BYTES
from tests.conftest import api_as

pytestmark = pytest.mark.django_db

ROWS = "".join(f"c{i % 30},2025-01-{i % 28 + 1:02d} 10:00,{i}.50\n" for i in range(120))


def upload(world, content: bytes, **extra):
    file = SimpleUploadedFile("export.csv", content)
    return api_as(world.editor).post("/api/v1/datasets/", {"venture": world.venture.pk, "file": file, **extra}, format="multipart")


def test_3_a_file_that_changes_encoding_part_way_is_refused_with_the_line(world):
    head = ("customer,time,amount\n" + ROWS[:2000]).encode("cp1252")
    tail = "c1,2025-02-01 10:00,1.50 微信\n".encode()
    response = upload(world, head + "c2,2025-02-02 10:00,Café\n".encode("cp1252") + tail)

    assert response.status_code == 400
    assert response.json()["code"] == "mixed_encoding"
    assert "line" in response.json()["detail"]
    assert not Dataset.objects.exists()


def test_4_a_gbk_file_whose_only_chinese_is_its_header_reads_its_header(world):
    response = upload(world, ("客户,时间,金额\n" + ROWS).encode("gbk"))

    assert response.status_code == 201
    assert response.json()["detected"]["columns"] == ["客户", "时间", "金额"]
    assert response.json()["mapping"] == {"user_id": "客户", "timestamp": "时间", "amount": "金额"}


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"a," * (SAMPLE_BYTES // 2 + 10), "line_too_long"), (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "binary")],
)
def test_5_a_refusal_gives_the_true_reason(world, content, code):
    response = upload(world, content)

    assert response.status_code == 400
    assert response.json()["code"] == code


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_5_utf16_without_a_bom_and_cr_line_ends_are_text(world, encoding):
    content = ("customer,time,amount\r" + ROWS.replace("\n", "\r")).encode(encoding)
    response = upload(world, content, mapping='{"user_id": "customer", "timestamp": "time", "amount": "amount"}')

    assert response.status_code == 201
    dataset = Dataset.objects.get()
    assert dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt) == "ready"
    dataset.refresh_from_db()
    assert dataset.report["rows_accepted"] == 120


def test_6_a_time_column_known_only_by_its_values_is_proposed(world):
    rows = "".join(f"u{i % 25},{1735725600 + i * 3600},{i}.25\n" for i in range(100))
    response = upload(world, ("who,ts,x\n" + rows).encode())

    assert response.status_code == 201
    assert response.json()["mapping"]["timestamp"] == "ts"
