"""Compressed uploads cannot expand past DATASET_MAX_DECOMPRESSED_BYTES: a gzip or zip bomb is refused at upload
when its first bytes already pass the limit, or fails its ingest with a reason (no Parquet kept) when it passes the
limit later; a zip whose header lies about its size, or a damaged archive, is refused with a reason (400, not 500)."""

import gzip
import io
import struct
import zipfile

import pytest

from datasets.models import Dataset
from datasets.services import dataset_ingest_run
from tests.conftest import api_as
from tests.datasets.test_api import CSV, upload

pytestmark = pytest.mark.django_db

MAPPING = '{"user_id": "Customer ID", "timestamp": "InvoiceDate"}'


def bomb_rows(size: int) -> bytes:
    """A valid CSV of `size` bytes or more that compresses about a thousandfold."""
    line = b"c1,2024-01-01 10:00,1.50,web\n"
    return CSV.encode() + line * (size // len(line) + 1)


def zipped(content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("orders.csv", content)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "pack"), [("bomb.csv.gz", gzip.compress), ("bomb.zip", zipped)])
def test_a_bomb_larger_than_the_limit_in_its_first_bytes_is_refused_at_upload(world, settings, name, pack):
    settings.DATASET_MAX_DECOMPRESSED_BYTES = 100_000
    content = pack(bomb_rows(2_000_000))
    assert len(content) < 50_000  # it is small on the wire

    response = upload(api_as(world.editor), world.venture, content=content, name=name)

    assert response.status_code == 400
    assert response.json()["code"] == "too_large_decompressed"
    assert not Dataset.objects.exists()


def test_a_gzip_bomb_past_the_limit_later_fails_its_ingest_with_a_reason(world, settings):
    settings.DATASET_MAX_DECOMPRESSED_BYTES = 3_000_000  # above the sniffing sample, below the whole file
    client = api_as(world.editor)
    dataset_id = upload(client, world.venture, content=gzip.compress(bomb_rows(6_000_000)), name="bomb.csv.gz", mapping=MAPPING).json()[
        "id"
    ]

    status = dataset_ingest_run(dataset_id=dataset_id, attempt=1)

    dataset = Dataset.objects.get(pk=dataset_id)
    assert (status, dataset.error_code) == ("failed", "too_large_decompressed")
    assert dataset.parquet == ""


def test_a_zip_whose_header_understates_its_size_is_not_read_past_it(world, settings):
    """zipfile stops at the declared size (and the CRC then fails), so a lying header gains the bomb nothing."""
    settings.DATASET_MAX_DECOMPRESSED_BYTES = 10_000_000
    honest = zipped(bomb_rows(200_000))
    declared = 60_000
    lying = bytearray(honest)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size, local and central header
        at = lying.index(signature)
        lying[at + offset : at + offset + 4] = struct.pack("<I", declared)

    response = upload(api_as(world.editor), world.venture, content=bytes(lying), name="liar.zip", mapping=MAPPING)

    assert response.status_code == 400
    assert response.json()["code"] == "corrupt_archive"
    assert not Dataset.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("cut.csv.gz", gzip.compress(CSV.encode())[:-30]), ("cut.zip", zipped(CSV.encode())[:-60]), ("junk.zip", b"PK\x03\x04" + bytes(100))],
)
def test_a_damaged_archive_is_refused_with_a_reason_not_a_server_error(world, name, content):
    response = upload(api_as(world.editor), world.venture, content=content, name=name)

    assert response.status_code == 400
    assert response.json()["code"] == "corrupt_archive"
    assert not Dataset.objects.exists()
