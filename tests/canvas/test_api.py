import pytest

from canvas.models import Canvas, CanvasItem
from canvas.services import item_add
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def add(client, canvas, block="value_propositions", text="Cheap rides", **extra):
    return client.post(f"/api/v1/canvases/{canvas.pk}/items/", {"block": block, "text": text, **extra})


def test_create_a_canvas_and_read_its_blocks(world):
    client = api_as(world.editor)

    created = client.post("/api/v1/canvases/", {"venture": world.venture.pk, "kind": "lean", "title": "Lean v1"})
    detail = client.get(f"/api/v1/canvases/{created.json()['id']}/").json()

    assert created.status_code == 201
    assert detail["version"] == 1
    assert [block["key"] for block in detail["blocks"]][:3] == ["problem", "solution", "key_metrics"]
    assert len(detail["blocks"]) == 9
    assert detail["blocks"][0]["name"] == "Problem"


def test_block_names_follow_the_language(world, bmc):
    detail = api_as(world.viewer).get(f"/api/v1/canvases/{bmc.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert detail["blocks"][0]["name"] == "重要伙伴"


def test_add_an_item_then_edit_it_with_its_version(world, bmc):
    client = api_as(world.editor)

    created = add(client, bmc, color="pink", is_assumption=True)
    item = created.json()
    edited = client.patch(f"/api/v1/items/{item['id']}/", {"text": "Cheaper rides", "version": item["version"]})
    by_header = client.patch(f"/api/v1/items/{item['id']}/", {"note": "from interviews"}, HTTP_IF_MATCH=f'"{edited.json()["version"]}"')

    assert created.status_code == 201
    assert (item["block"], item["position"], item["color"], item["assumption_status"]) == ("value_propositions", 0, "pink", "untested")
    assert edited.status_code == 200
    assert edited.json()["version"] == item["version"] + 1
    assert by_header.status_code == 200
    assert by_header["ETag"] == f'"{item["version"] + 2}"'
    assert client.get(f"/api/v1/canvases/{bmc.pk}/").json()["version"] == 4


def test_a_stale_edit_is_refused_with_the_current_item(world, bmc):
    client = api_as(world.editor)
    item = add(client, bmc).json()
    api_as(world.owner).patch(f"/api/v1/items/{item['id']}/", {"text": "Owner's words", "version": item["version"]})

    stale = client.patch(f"/api/v1/items/{item['id']}/", {"text": "Editor's words", "version": item["version"]})
    stale_delete = client.delete(f"/api/v1/items/{item['id']}/", HTTP_IF_MATCH=str(item["version"]))
    unversioned = client.patch(f"/api/v1/items/{item['id']}/", {"text": "No version"})

    assert stale.status_code == 409
    assert stale.json()["code"] == "stale"
    assert stale.json()["current"]["text"] == "Owner's words"
    assert stale_delete.status_code == 409
    assert unversioned.status_code == 428
    assert CanvasItem.objects.get(pk=item["id"]).text == "Owner's words"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"block": "nonsense", "text": "x"}, "block"),
        ({"block": "channels", "text": ""}, "text"),
        ({"block": "channels", "text": "x" * 501}, "text"),
        ({"block": "channels", "text": "x", "color": "chartreuse"}, "color"),
        ({"block": "problem", "text": "a lean block on a business model canvas"}, "block"),
        ({"block": "channels", "text": "x", "evidence_figure": "/api/%2e%2e/admin/"}, "evidence_figure"),
        ({"block": "channels", "text": "x", "evidence_figure": "/api/v1/analyses/1/figures/..%2f..%2f..%2f/"}, "evidence_figure"),
    ],
)
def test_bad_items_name_the_field(world, bmc, body, field):
    response = api_as(world.editor).post(f"/api/v1/canvases/{bmc.pk}/items/", body)

    assert response.status_code == 400
    assert field in response.json()
    assert not CanvasItem.objects.exists()


def test_move_between_blocks_keeps_positions_contiguous(world, bmc):
    client = api_as(world.editor)
    first, _second, _third = (add(client, bmc, text=text).json() for text in ("A", "B", "C"))
    add(client, bmc, block="channels", text="Web")

    moved = client.post(f"/api/v1/items/{first['id']}/move/", {"block": "channels", "position": 0, "version": first["version"]})

    assert moved.status_code == 200
    assert (moved.json()["block"], moved.json()["position"]) == ("channels", 0)
    positions = {(i.block, i.text): i.position for i in CanvasItem.objects.all()}
    assert positions == {("value_propositions", "B"): 0, ("value_propositions", "C"): 1, ("channels", "A"): 0, ("channels", "Web"): 1}
    stale_move = client.post(
        f"/api/v1/items/{first['id']}/move/", {"block": "value_propositions", "position": 0, "version": first["version"]}
    )
    assert stale_move.status_code == 409


def test_versions_diff_and_restore(world, bmc):
    client = api_as(world.editor)
    item = add(client, bmc, text="Before interviews").json()
    named = client.post(f"/api/v1/canvases/{bmc.pk}/versions/", {"name": "after customer interviews"})
    client.patch(f"/api/v1/items/{item['id']}/", {"text": "After interviews", "version": item["version"]})
    add(client, bmc, block="channels", text="Campus fairs")
    versions = client.get(f"/api/v1/canvases/{bmc.pk}/versions/").json()["results"]
    named_id = named.json()["id"]

    diff = client.get(f"/api/v1/canvases/{bmc.pk}/versions/{versions[0]['id']}/diff/?against={named_id}").json()
    restored = client.post(f"/api/v1/canvases/{bmc.pk}/versions/{named_id}/restore/")

    assert named.status_code == 201
    assert [v["number"] for v in versions] == [4, 3, 2, 1]
    blocks = {block["key"]: block for block in diff["blocks"]}
    assert [i["text"] for i in blocks["channels"]["added"]] == ["Campus fairs"]
    assert blocks["value_propositions"]["changed"][0]["before"]["text"] == "Before interviews"
    assert blocks["value_propositions"]["changed"][0]["fields"] == ["text"]
    assert restored.status_code == 200
    assert restored.json()["version"] == 5  # restoring is a new version: nothing is lost
    assert [i.text for i in CanvasItem.objects.filter(canvas=bmc)] == ["Before interviews"]
    back = client.post(f"/api/v1/canvases/{bmc.pk}/versions/{versions[0]['id']}/restore/")
    assert sorted(i["text"] for b in back.json()["blocks"] for i in b["items"]) == ["After interviews", "Campus fairs"]


def test_viewers_read_and_comment_but_never_edit(world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Web")
    client = api_as(world.viewer)

    assert client.get(f"/api/v1/canvases/{bmc.pk}/").status_code == 200
    assert client.post(f"/api/v1/items/{item.pk}/comments/", {"text": "Which web?"}).status_code == 201
    writes = [
        client.post(f"/api/v1/canvases/{bmc.pk}/items/", {"block": "channels", "text": "x"}),
        client.patch(f"/api/v1/items/{item.pk}/", {"text": "x", "version": 1}),
        client.delete(f"/api/v1/items/{item.pk}/", HTTP_IF_MATCH="1"),
        client.post(f"/api/v1/items/{item.pk}/move/", {"block": "channels", "position": 0, "version": 1}),
        client.patch(f"/api/v1/canvases/{bmc.pk}/", {"title": "x"}),
        client.delete(f"/api/v1/canvases/{bmc.pk}/"),
        client.post(f"/api/v1/canvases/{bmc.pk}/versions/", {"name": "x"}),
        client.post(f"/api/v1/canvases/{bmc.pk}/duplicate/", {}),
        client.post("/api/v1/canvases/", {"venture": world.venture.pk, "kind": "lean", "title": "x"}),
    ]
    assert [response.status_code for response in writes] == [403] * len(writes)
    assert CanvasItem.objects.get(pk=item.pk).text == "Web"


def test_another_teams_canvas_and_items_answer_404(world, other_bmc):
    item = item_add(user=world.other_owner, canvas=other_bmc, block="channels", text="Secret channel")
    client = api_as(world.owner)

    responses = [
        client.get(f"/api/v1/canvases/{other_bmc.pk}/"),
        client.patch(f"/api/v1/canvases/{other_bmc.pk}/", {"title": "x"}),
        client.post(f"/api/v1/canvases/{other_bmc.pk}/items/", {"block": "channels", "text": "x"}),
        client.get(f"/api/v1/items/{item.pk}/"),
        client.patch(f"/api/v1/items/{item.pk}/", {"text": "x", "version": 1}),
        client.post(f"/api/v1/items/{item.pk}/move/", {"block": "channels", "position": 0, "version": 1}),
        client.get(f"/api/v1/items/{item.pk}/comments/"),
        client.get(f"/api/v1/canvases/{other_bmc.pk}/versions/"),
        client.get(f"/api/v1/canvases/{other_bmc.pk}/export/?format=json"),
        client.post("/api/v1/canvases/", {"venture": world.other_venture.pk, "kind": "lean", "title": "x"}),
    ]
    assert [response.status_code for response in responses] == [404] * len(responses)
    assert client.get("/api/v1/canvases/").json()["count"] == 0


def test_json_export_round_trips_through_import(world, bmc):
    client = api_as(world.editor)
    add(
        client,
        bmc,
        text="学生骑行 🚲 <script>alert(1)</script>",
        is_assumption=True,
        assumption_status="validated",
        evidence="https://example.com",
    )
    add(client, bmc, block="channels", text='=HYPERLINK("evil")')

    document = client.get(f"/api/v1/canvases/{bmc.pk}/export/?format=json").json()
    imported = client.post("/api/v1/canvases/import/", {"venture": world.venture.pk, "document": document}, format="json")
    again = client.post("/api/v1/canvases/import/", {**document, "venture": world.venture.pk}, format="json")

    assert imported.status_code == 201
    assert again.status_code == 201
    copy = Canvas.objects.get(pk=imported.json()["id"])
    fields = ("block", "position", "text", "color", "note", "is_assumption", "assumption_status", "evidence")
    assert [tuple(getattr(i, f) for f in fields) for i in copy.items.all()] == [
        tuple(getattr(i, f) for f in fields) for i in bmc.items.all()
    ]


def test_import_refuses_bad_documents_whole(world):
    document = {"kind": "business_model", "title": "Bad", "items": [{"block": "channels", "text": "ok"}, {"block": "nope", "text": "x"}]}

    response = api_as(world.editor).post("/api/v1/canvases/import/", {"venture": world.venture.pk, "document": document}, format="json")

    assert response.status_code == 400
    assert not Canvas.objects.filter(title="Bad").exists()


def test_csv_export_neutralises_formulas(world, bmc):
    client = api_as(world.editor)
    for text in ("=1+1", "+SUM(A1)", "-2", "@cmd", "\tTab", "Plain"):
        item_add(user=world.editor, canvas=bmc, block="channels", text=text)  # the service keeps the tab the API trims

    body = client.get(f"/api/v1/canvases/{bmc.pk}/export/?format=csv").content.decode("utf-8-sig")

    cells = [line.split(",")[3] for line in body.splitlines()[1:]]
    assert cells == ["'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "'\tTab", "Plain"]


def test_duplicate_copies_items_into_a_new_canvas(world, bmc):
    item_add(user=world.owner, canvas=bmc, block="channels", text="Web")

    copy = api_as(world.editor).post(f"/api/v1/canvases/{bmc.pk}/duplicate/", {}).json()

    assert copy["title"] == "Copy of Acme BMC"
    assert [i["text"] for b in copy["blocks"] for i in b["items"]] == ["Web"]


def test_patch_cannot_move_an_item(world, bmc):
    item = add(api_as(world.editor), bmc).json()

    response = api_as(world.editor).patch(f"/api/v1/items/{item['id']}/", {"block": "channels", "version": item["version"]})

    assert response.status_code == 400
    assert "block" in response.json()
    assert CanvasItem.objects.get(pk=item["id"]).block == "value_propositions"


def test_stale_answer_has_the_item_shape_and_etag(world, bmc):
    client = api_as(world.editor)
    item = add(client, bmc).json()
    client.patch(f"/api/v1/items/{item['id']}/", {"text": "v2", "version": 1})

    stale = client.post(f"/api/v1/items/{item['id']}/move/", {"block": "channels", "position": 0, "version": 1})

    assert stale.status_code == 409
    assert set(stale.json()["current"]) == set(client.get(f"/api/v1/items/{item['id']}/").json())
    assert stale["ETag"] == '"2"'
