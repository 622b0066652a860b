"""What the canvas itself does with notes from data and with assumption counts: an imported canvas keeps a data
note's words (and where it came from, as a sentence) but no link into another team's analyses; the header counts
untested assumptions only, and follows changes without a reload."""

import json
import re

import pytest

from canvas.models import CanvasItem
from canvas.services import item_add, item_update
from tests.conftest import api_as

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
SOURCE = {
    "dataset": 41,
    "dataset_name": "Their orders",
    "kind": "segmentation",
    "analysis": 97,
    "period_start": "2025-01-06",
    "period_end": "2025-05-25",
    "model": "RFM segments",
    "run_at": "2026-11-30T10:00:00+00:00",
    "figure": {"size": 20, "revenue_share": 0.5},
}


def data_note(**fields):
    return {
        "block": "customer_segments",
        "text": "Loyal: 20 customers, 50 % of revenue",
        "note": "On average 3 days since the last purchase.",
        "evidence": "/analyses/97/#segments",
        "evidence_figure": "/api/v1/analyses/97/figures/segments/",
        "source": SOURCE,
        "finding": "dataset:41/segmentation/Loyal",
        **fields,
    }


def test_an_imported_canvas_keeps_the_words_of_data_notes_but_no_link_to_their_analyses(client, world):
    document = {"kind": "business_model", "title": "Theirs", "items": [data_note(), data_note(finding="dataset:41/segmentation/Lost")]}

    response = api_as(world.editor).post("/api/v1/canvases/import/", {"venture": world.venture.pk, "document": document}, format="json")
    client.force_login(world.editor)
    page = client.get(f"/canvases/{response.json()['id']}/").content.decode()

    assert response.status_code == 201
    item = CanvasItem.objects.filter(canvas_id=response.json()["id"]).first()
    assert item.text == "Loyal: 20 customers, 50 % of revenue"
    assert (item.evidence, item.evidence_figure, item.finding, item.source) == ("", "", "", {})
    assert item.note.startswith("On average 3 days since the last purchase.\nFrom data: Their orders, ")
    assert "RFM segments, run on" in item.note
    assert "data-evidence-figure" not in page  # no dead "From data" badge
    assert "/analyses/97/" not in page


def test_import_keeps_a_web_link_and_plain_evidence(world):
    document = {
        "kind": "business_model",
        "title": "Links",
        "items": [
            {"block": "channels", "text": "A", "evidence": "https://example.com/survey"},
            {"block": "channels", "text": "B", "evidence": "12 of 15 pilots"},
        ],
    }

    response = api_as(world.editor).post("/api/v1/canvases/import/", {"venture": world.venture.pk, "document": document}, format="json")

    assert list(CanvasItem.objects.filter(canvas_id=response.json()["id"]).values_list("evidence", flat=True)) == [
        "https://example.com/survey",
        "12 of 15 pilots",
    ]


def test_the_export_carries_the_provenance_the_import_turns_into_words(world, bmc):
    item_add(user=world.owner, canvas=bmc, block="customer_segments", text="Loyal", source=SOURCE, finding="dataset:41/segmentation/Loyal")

    document = api_as(world.editor).get(f"/api/v1/canvases/{bmc.pk}/export/?format=json").json()

    assert document["items"][0]["source"]["dataset_name"] == "Their orders"


def test_a_data_note_shows_its_provenance_on_its_face(client, world, bmc):
    item_add(user=world.owner, canvas=bmc, block="customer_segments", text="Loyal", source=SOURCE, finding="dataset:41/segmentation/Loyal")
    client.force_login(world.viewer)

    page = client.get(f"/canvases/{bmc.pk}/").content.decode()
    face = re.search(r'<p class="item-source".*?</p>', page, re.S).group(0)

    assert "Their orders" in face
    assert "RFM segments" in face
    assert "01/06/2025 – 05/25/2025" in face
    assert "run 11/30/2026" in face


def test_two_notes_cannot_state_the_same_finding_on_one_canvas(world, bmc):
    item_add(user=world.owner, canvas=bmc, block="customer_segments", text="Loyal", source=SOURCE, finding="dataset:41/segmentation/Loyal")

    with pytest.raises(Exception):  # noqa: B017, PT011 - the model's unique constraint (ValidationError)
        item_add(
            user=world.owner, canvas=bmc, block="customer_segments", text="Loyal", source=SOURCE, finding="dataset:41/segmentation/Loyal"
        )


def assume(world, canvas, status, block="channels"):
    item = item_add(user=world.owner, canvas=canvas, block=block, text=f"{status} assumption")
    return item_update(user=world.owner, item=item, expected_version=item.version, is_assumption=True, assumption_status=status)


def status_line(html):
    return re.sub(r"\s+", " ", re.search(r'<p[^>]*id="canvas-status".*?</p>', html, re.S).group(0))


def test_the_header_counts_untested_assumptions_only(client, world, bmc):
    for status in ("untested", "testing", "validated", "invalidated"):
        assume(world, bmc, status)
    client.force_login(world.viewer)

    page = client.get(f"/canvases/{bmc.pk}/").content.decode()
    blocks = api_as(world.viewer).get(f"/api/v1/canvases/{bmc.pk}/").json()["blocks"]

    assert "1 untested assumption</span>" in status_line(page)
    assert "1 assumption being tested" in status_line(page)
    assert "1 untested</span>" in page  # the block's badge
    assert {block["key"]: block["untested_assumptions"] for block in blocks}["channels"] == 1


def test_the_poll_and_each_edit_bring_the_header_counts(client, world, bmc):
    item = assume(world, bmc, "untested")
    client.force_login(world.editor)
    version = bmc.versions.count()

    edited = client.post(
        f"/canvases/items/{item.pk}/edit/",
        {
            "text": item.text,
            "color": "yellow",
            "note": "",
            "is_assumption": "on",
            "assumption_status": "validated",
            "evidence": "",
            "version": item.version,
            "shown_block": "channels",
            "canvas": bmc.pk,
        },
        **HTMX,
    ).content.decode()
    polled = json.loads(client.get(f"/canvases/{bmc.pk}/poll/?version={version - 1}").content)

    assert 'hx-swap-oob="true" class="muted small canvas-status" id="canvas-status"' in edited
    assert "untested assumption" not in status_line(edited)
    assert "untested assumption" not in polled["status"]
    assume(world, bmc, "untested", block="key_partners")
    polled = json.loads(client.get(f"/canvases/{bmc.pk}/poll/?version={version}").content)
    assert "1 untested assumption" in polled["status"]
