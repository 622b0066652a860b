"""A team's export: a zip of JSON and CSV a user can take elsewhere. Its contents, a canvas that imports back equal,
entry names that hostile titles cannot bend, nothing of another team, and the download for owners only."""

import csv
import io
import json
import zipfile

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from analysis.services import analysis_create, analysis_run
from canvas.exports import canvas_document
from canvas.models import Canvas
from strategy.resources import COMPETITORS, INSIGHTS
from strategy.services import row_create
from takeout.exports import safe_name, team_export_stream
from tests.canvas.factories import CanvasFactory, CanvasItemFactory
from tests.conftest import api_as
from tests.datasets.factories import ready_dataset
from tests.ventures.factories import VentureFactory

pytestmark = pytest.mark.django_db

HOSTILE = ["../../etc/passwd", "..", "/abs/olute", "C:\\Windows\\system32", "a/../../b", "nul\x01ctl", "", "   ", "=cmd|' /C calc'!A0"]


@pytest.fixture
def filled(world):
    """The team's venture with a canvas, strategy rows, a dataset and a segmentation; the other team has its own."""
    canvas = CanvasFactory(venture=world.venture, title="Acme BMC")
    CanvasItemFactory(canvas=canvas, block="customer_segments", text="Commuters", note='=HYPERLINK("http://x")')
    CanvasItemFactory(canvas=canvas, block="value_propositions", text="Fast bikes", is_assumption=True)
    row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Strong brand", kind="strength")
    row_create(user=world.owner, venture=world.venture, resource=COMPETITORS, name="-BigCo", threat=5)
    dataset = ready_dataset(user=world.editor, venture=world.venture)
    analysis = analysis_create(user=world.editor, dataset=dataset, kind="segmentation", params={"k": 2})
    assert analysis_run(analysis_id=analysis.pk, attempt=1) == "succeeded"
    secret = CanvasFactory(venture=world.other_venture, title="Rival secret plan")
    CanvasItemFactory(canvas=secret, text="RIVAL-ONLY-TEXT")
    row_create(user=world.other_owner, venture=world.other_venture, resource=INSIGHTS, text="RIVAL-ONLY-INSIGHT", kind="threat")
    ready_dataset(user=world.other_owner, venture=world.other_venture)
    return {"canvas": canvas, "dataset": dataset, "analysis": analysis}


def export(team, **options) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(team_export_stream(team=team, **options))))


def test_the_zip_holds_a_readme_the_ventures_canvases_views_datasets_and_analyses(world, filled):
    archive = export(world.team)
    names = set(archive.namelist())
    folder = f"ventures/{world.venture.pk}-acme-bikes"

    assert archive.testzip() is None
    assert {"README.txt", "team.json", "ventures.json"} <= names
    assert [venture["name"] for venture in json.loads(archive.read("ventures.json"))] == ["Acme Bikes"]
    assert f"{folder}/canvases/{filled['canvas'].pk}-acme-bmc.json" in names
    assert f"{folder}/canvases/{filled['canvas'].pk}-acme-bmc.csv" in names
    assert {f"{folder}/strategy/{view}.json" for view in ("swot", "five_forces", "value_chain", "risks", "competitors")} <= names
    assert json.loads(archive.read(f"{folder}/strategy/swot.json"))["rows"]["insights"][0]["text"] == "Strong brand"
    metadata = json.loads(archive.read(f"{folder}/datasets/{filled['dataset'].pk}-orders.json"))
    assert (metadata["status"], metadata["mapping"]["user_id"]) == ("ready", "customer")
    assert metadata["report"]["rows_accepted"] == filled["dataset"].report["rows_accepted"] > 0
    analysis = json.loads(archive.read(f"{folder}/analyses/{filled['analysis'].pk}-segmentation.json"))
    assert (analysis["params"]["k"], analysis["status"]) == (2, "succeeded")
    assert analysis["result"]
    assert not [name for name in names if name.endswith(".parquet")]  # no raw rows without --with-data


def test_csvs_are_spreadsheet_safe(world, filled):
    archive = export(world.team)
    folder = f"ventures/{world.venture.pk}-acme-bikes"

    canvas_rows = list(csv.DictReader(io.StringIO(archive.read(f"{folder}/canvases/{filled['canvas'].pk}-acme-bmc.csv").decode())))
    competitors = list(csv.DictReader(io.StringIO(archive.read(f"{folder}/strategy/competitors.csv").decode())))

    assert [row["note"] for row in canvas_rows if row["text"] == "Commuters"] == ['\'=HYPERLINK("http://x")']
    assert competitors[0]["name"] == "'-BigCo"


def test_with_data_adds_each_ready_datasets_events_as_parquet(world, filled):
    archive = export(world.team, with_data=True)
    name = f"ventures/{world.venture.pk}-acme-bikes/datasets/{filled['dataset'].pk}-orders.parquet"

    table = pq.read_table(io.BytesIO(archive.read(name)))

    assert table.num_rows == filled["dataset"].report["rows_accepted"] > 0
    assert "user_id" in table.column_names


def test_a_canvas_from_the_export_imports_back_equal(world, filled):
    archive = export(world.team)
    document = json.loads(archive.read(f"ventures/{world.venture.pk}-acme-bikes/canvases/{filled['canvas'].pk}-acme-bmc.json"))

    response = api_as(world.editor).post("/api/v1/canvases/import/", {"venture": world.venture.pk, "document": document}, format="json")

    assert response.status_code == 201
    copy = Canvas.objects.get(pk=response.json()["id"])
    original, again = canvas_document(filled["canvas"]), canvas_document(copy)
    for doc in (original, again):
        doc.pop("exported_at")
    assert again == original


def test_hostile_titles_give_safe_unique_entry_names(world):
    for title in HOSTILE:
        CanvasFactory(venture=world.venture, title=title)
    VentureFactory(team=world.team, name="../../../../tmp/evil")

    names = export(world.team).namelist()

    assert len(names) == len(set(names))
    for name in names:
        parts = name.split("/")
        assert not name.startswith("/")
        assert "\\" not in name
        assert ":" not in name
        assert not any(ord(char) < 32 for char in name)
        assert all(part not in ("", ".", "..") for part in parts), name
    assert safe_name(7, "../../etc/passwd") == "7-etcpasswd"
    assert safe_name(8, "..") == "8"
    assert safe_name(9, "商业模式画布") == "9-商业模式画布"


def test_another_teams_data_never_appears(world, filled):
    archive = export(world.team, with_data=True)
    everything = b"".join(archive.read(name) for name in archive.namelist())

    assert b"RIVAL" not in everything
    assert b"Rival" not in everything
    assert str(world.other_venture.pk) not in [
        name.split("/")[1].split("-")[0] for name in archive.namelist() if name.startswith("ventures/")
    ]


def test_the_command_writes_the_zip_by_id_or_by_slug(world, filled, tmp_path, capsys):
    by_id, by_slug = tmp_path / "by-id.zip", tmp_path / "by-slug.zip"

    call_command("team_export", str(world.team.pk), "--output", str(by_id))
    call_command("team_export", "acme", "--output", str(by_slug), "--with-data")

    assert "Wrote" in capsys.readouterr().out
    assert "README.txt" in zipfile.ZipFile(by_id).namelist()
    assert any(name.endswith(".parquet") for name in zipfile.ZipFile(by_slug).namelist())
    assert not list(tmp_path.glob("*.partial"))
    with pytest.raises(CommandError):
        call_command("team_export", "no-such-team", "--output", str(tmp_path / "x.zip"))


def test_owners_download_the_export_in_the_browser_others_cannot(client, world, filled):
    url = f"/teams/{world.team.pk}/export.zip"

    client.force_login(world.owner)
    page = client.get(f"/teams/{world.team.pk}/")
    response = client.get(url)

    assert url in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert "README.txt" in zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    for user, status in ((world.editor, 403), (world.viewer, 403), (world.other_owner, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert url not in client.get(f"/teams/{world.team.pk}/").content.decode()
    client.logout()
    assert client.get(url).status_code == 302


def test_the_zip_is_streamed_entry_by_entry_and_the_parquet_in_chunks(world, filled, monkeypatch):
    from takeout import exports

    monkeypatch.setattr(exports, "CHUNK_BYTES", 4096)
    chunks = list(team_export_stream(team=world.team, with_data=True))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    parquet = next(info for info in archive.infolist() if info.filename.endswith(".parquet"))

    assert len([chunk for chunk in chunks if chunk]) > len(archive.namelist()) + parquet.file_size // 4096 // 2
    assert max(len(chunk) for chunk in chunks) < max(info.compress_size for info in archive.infolist()) + 4096
