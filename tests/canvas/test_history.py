"""The canvas history as people read it: coalesced rows, filters, a compare page with old → new values and the
names of named versions, dates in the user's language; the same through the API."""

import pytest

from canvas.services import canvas_version_name, item_add, item_move, item_update
from history.models import Version
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def coalescing(settings):
    settings.HISTORY_COALESCE_MINUTES = 5


def version_ids(canvas) -> dict[int, int]:
    return {v.number: v.pk for v in Version.objects.filter(object_id=canvas.pk, content_type__model="canvas")}


def test_moves_by_keyboard_read_as_one_row_and_filters_narrow_the_list(client, world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Web", position=0)
    item_add(user=world.editor, canvas=bmc, block="channels", text="Fairs")
    for version, position in ((1, 1), (2, 0), (3, 1)):
        item = item_move(user=world.owner, item=item, block="channels", position=position, expected_version=version)
    client.force_login(world.viewer)

    page = client.get(f"/canvases/{bmc.pk}/history/").content.decode()
    moves = client.get(f"/canvases/{bmc.pk}/history/?change=item_move").content.decode()
    editors = client.get(f"/canvases/{bmc.pk}/history/?author={world.editor.username}").content.decode()

    assert page.count("<tr>") == 1 + 4  # header; create, the owner's add, the editor's add, the owner's three moves
    assert "Note moved, 3 times" in page
    assert moves.count("<tr>") == 1 + 1
    assert editors.count("<tr>") == 1 + 1
    assert "“Fairs”" in editors
    assert f'<option value="{world.editor.username}" selected>' in editors


def test_compare_shows_each_field_old_and_new_and_the_versions_names(client, world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Web shop")
    canvas_version_name(user=world.owner, canvas=bmc, name="Before interviews")
    item_update(user=world.owner, item=item, expected_version=1, text="Campus fairs", is_assumption=True, assumption_status="testing")
    item_move(user=world.owner, item=item, block="customer_segments", position=0, expected_version=2)
    ids = version_ids(bmc)
    client.force_login(world.viewer)

    page = client.get(f"/canvases/{bmc.pk}/history/compare/?a={ids[2]}&b={ids[4]}").content.decode()

    assert "Version 2 “Before interviews” → Version 4" in page
    assert "<dt>Text</dt><dd><del>Web shop</del> → <ins>Campus fairs</ins></dd>" in page
    assert "<dt>Status</dt><dd><del>Untested</del> → <ins>Testing</ins></dd>" in page
    assert "<dt>Block</dt><dd><del>Channels</del> → <ins>Customer Segments</ins></dd>" in page


def test_compare_names_a_note_moved_within_its_block_with_its_positions(client, world, bmc):
    for text in ("a", "b", "c"):
        item_add(user=world.editor, canvas=bmc, block="channels", text=text)
    first = bmc.items.get(text="a")
    item_move(user=world.owner, item=first, block="channels", position=2, expected_version=1)
    ids = version_ids(bmc)
    client.force_login(world.viewer)

    page = client.get(f"/canvases/{bmc.pk}/history/compare/?a={ids[4]}&b={ids[5]}").content.decode()

    assert page.count('class="diff moved"') == 1
    assert "position 1 → 3" in page


def test_dates_follow_the_users_language(client, world, bmc):
    client.force_login(world.viewer)

    english = client.get(f"/canvases/{bmc.pk}/history/").content.decode()
    world.viewer.language = "zh-hans"
    world.viewer.save(update_fields=["language"])
    chinese = client.get(f"/canvases/{bmc.pk}/history/").content.decode()

    created = Version.objects.get(object_id=bmc.pk).changed_at
    assert created.strftime("%m/%d/%Y") in english
    assert f"{created.year}年{created.month}月{created.day}日" in chinese
    assert "版本" in chinese


def test_the_api_filters_versions_and_gives_old_and_new_values(world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Web")
    item_update(user=world.owner, item=item, expected_version=1, color="pink")
    item_add(user=world.editor, canvas=bmc, block="channels", text="Fairs")
    client = api_as(world.viewer)
    base = f"/api/v1/canvases/{bmc.pk}/versions/"

    everything = client.get(base).json()["results"]
    edits = client.get(base, {"change": "item_edit"}).json()["results"]
    by_editor = client.get(base, {"author": world.editor.username}).json()["results"]
    diff = client.get(f"{base}{edits[0]['id']}/diff/?against={everything[-1]['id']}").json()

    assert [(v["edits"], v["kinds"]) for v in everything] == [(1, ["item_add"]), (2, ["item_add", "item_edit"]), (1, ["create"])]
    assert [v["number"] for v in edits] == [3]
    assert [v["created_by"] for v in by_editor] == [world.editor.username]
    [added] = next(block for block in diff["blocks"] if block["key"] == "channels")["added"]
    assert added["color"] == "pink"
    assert client.get(base, {"change": "nothing"}).json()["results"] == []
