"""The encoding of an upload: detected, chosen by the user on upload or for the ingest, and previewed in another."""

import pyarrow.parquet as pq
import pytest
from django.core.files.storage import default_storage

from datasets.models import Dataset
from datasets.services import dataset_ingest_run
from tests.conftest import api_as
from tests.datasets.test_api import upload

pytestmark = pytest.mark.django_db

CHINESE = "会员,下单时间,实付金额\n" + "".join(f"张{i % 5},2024-01-{i % 28 + 1:02d} 10:00,{i}.50\n" for i in range(40))


def _ingest(client, dataset_id, **fields):
    queued = client.post(f"/api/v1/datasets/{dataset_id}/ingest/", fields, format="json")
    assert queued.status_code == 202, queued.json()
    assert dataset_ingest_run(dataset_id=dataset_id, attempt=Dataset.objects.get(pk=dataset_id).attempt) == "ready"
    with default_storage.open(Dataset.objects.get(pk=dataset_id).parquet, "rb") as handle:
        return pq.read_table(handle).column("user_id").to_pylist()


def test_the_upload_api_takes_an_encoding_and_the_ingest_reads_the_file_in_it(world):
    """GBK read as Big5 (or anything) is what the user says; the column names follow the encoding chosen."""
    client = api_as(world.editor)

    response = upload(client, world.venture, content=CHINESE.encode("gbk"), encoding="GBK")

    body = response.json()
    assert response.status_code == 201
    assert body["detected"]["encoding"] == "gbk"
    assert body["detected"]["columns"] == ["会员", "下单时间", "实付金额"]
    assert set(_ingest(client, body["id"], mapping=body["mapping"])) == {f"张{i}" for i in range(5)}


@pytest.mark.parametrize("name", ["klingon", "rot13", "base64"])
def test_an_unknown_encoding_is_a_400_that_says_so(world, name):
    response = upload(api_as(world.editor), world.venture, content=CHINESE.encode("gbk"), encoding=name)

    assert response.status_code == 400
    assert f"Unknown encoding “{name}”" in response.json()["encoding"][0]
    assert not Dataset.objects.exists()


def test_an_encoding_that_does_not_decode_the_file_is_refused_with_the_line(world):
    response = upload(api_as(world.editor), world.venture, content=CHINESE.encode("gbk"), encoding="utf-8")

    assert response.status_code == 400
    assert response.json()["code"] == "encoding"
    assert "line 1" in response.json()["detail"]


def test_the_preview_reads_the_file_in_another_encoding_and_the_ingest_can_switch_to_it(world):
    """The encoding first chosen (here Latin-1, which decodes any bytes) can be overridden: the preview shows the rows decoded, the ingest
    then reads the file in the encoding chosen and the mapping names the columns as read in it."""
    client = api_as(world.editor)
    text = "客戶,日期,金額\n" + "".join(f"王{i % 3},2024-01-{i % 28 + 1:02d},{i}.50\n" for i in range(30))
    dataset_id = upload(client, world.venture, content=text.encode("big5"), encoding="latin-1").json()["id"]

    preview = client.get(f"/api/v1/datasets/{dataset_id}/preview/", {"encoding": "big5"}).json()
    bad = client.get(f"/api/v1/datasets/{dataset_id}/preview/", {"encoding": "nope"})
    users = _ingest(client, dataset_id, mapping={"user_id": "客戶", "timestamp": "日期"}, encoding="big5")

    assert preview["encoding"] == "big5"
    assert preview["columns"] == ["客戶", "日期", "金額"]
    assert preview["rows"][0] == ["王0", "2024-01-01", "0.50"]
    assert preview["mapping"] == {"user_id": "客戶", "timestamp": "日期", "amount": "金額"}
    assert "big5" in preview["encodings"]
    assert bad.status_code == 400
    assert Dataset.objects.get(pk=dataset_id).detected["encoding"] == "big5"
    assert set(users) == {"王0", "王1", "王2"}


def test_a_utf16_file_without_a_bom_is_ingested(world):
    client = api_as(world.editor)
    text = "user_id,timestamp,amount\n" + "".join(f"用户{i % 4},2024-01-01 10:00,{i}.50\n" for i in range(30))
    body = upload(client, world.venture, content=text.encode("utf-16-le")).json()

    assert body["detected"]["encoding"] == "utf-16-le"
    assert set(_ingest(client, body["id"], mapping=body["mapping"])) == {f"用户{i}" for i in range(4)}


def test_a_file_that_changes_encoding_is_refused_at_upload(world):
    content = ("user,time\n" + "Zoë,2024-01-01\n" * 20).encode("cp1252") + "微信,2024-01-02\n".encode() * 20

    response = upload(api_as(world.editor), world.venture, content=content)

    assert response.status_code == 400
    assert response.json()["code"] == "mixed_encoding"
    assert "line 22" in response.json()["detail"]


def test_epoch_seconds_under_a_name_that_says_nothing_are_ingested_as_the_time(world):
    client = api_as(world.editor)
    text = "id,ts,val\n" + "".join(f"c{i % 7},{1_700_000_000 + i * 3600},{i}.50\n" for i in range(40))
    body = upload(client, world.venture, content=text.encode(), auto_ingest=True).json()

    assert body["mapping"] == {"user_id": "id", "timestamp": "ts", "amount": "val"}
    assert body["status"] == "queued"
