import ctypes

import pypdfium2
import pypdfium2.raw
import pytest

from canvas.models import Canvas, CanvasItem, ItemComment
from canvas.services import canvas_version_restore, comment_add, item_add, item_delete, item_move, item_update
from history.models import Version

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_venture_page_lists_canvases_and_creates_one(client, world, bmc):
    client.force_login(world.editor)

    page = client.get(f"/ventures/{world.venture.pk}/").content.decode()
    created = client.post(f"/canvases/new/{world.venture.pk}/", {"kind": "lean", "title": "Lean one"})

    assert "Acme BMC" in page
    assert created["Location"] == f"/canvases/{Canvas.objects.get(title='Lean one').pk}/"


def test_create_canvas_offers_the_templates_name_as_title_and_takes_it_when_left_blank(client, world):
    client.force_login(world.editor)

    page = client.get(f"/ventures/{world.venture.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    created = client.post(f"/canvases/new/{world.venture.pk}/", {"kind": "lean", "title": "  "})

    assert 'name="title" value="商业模式画布"' in page
    assert "/static/js/canvas_new.js" in page  # which follows the template chosen until a title is typed
    assert Canvas.objects.get(pk=created["Location"].split("/")[2]).title == "Lean Canvas"


def test_editor_page_shows_blocks_with_questions_and_attribution(client, world, bmc):
    client.force_login(world.viewer)

    page = client.get(f"/canvases/{bmc.pk}/").content.decode()

    assert page.count('class="block"') == 9
    assert "For whom are we creating value?" in page
    assert "CC BY-SA 3.0" in page
    assert 'class="add-item"' not in page  # a viewer gets no edit control
    assert 'draggable="true"' not in page


def test_adding_a_note_returns_the_block(client, world, bmc):
    client.force_login(world.editor)

    response = client.post(f"/canvases/{bmc.pk}/blocks/channels/items/", {"text": "Campus fairs"}, **HTMX)

    body = response.content.decode()
    assert body.startswith('<section class="block" id="block-channels"')
    assert "Campus fairs" in body
    assert CanvasItem.objects.get().block == "channels"


def test_a_stale_edit_shows_both_versions_and_keep_both_keeps_both(client, world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Original")
    item_update(user=world.owner, item=item, expected_version=1, text="Owner's version")
    client.force_login(world.editor)
    mine = {"text": "Editor's version", "color": "yellow", "note": "", "assumption_status": "untested", "evidence": "", "version": 1}

    conflict = client.post(f"/canvases/items/{item.pk}/edit/", mine, **HTMX)
    both = client.post(f"/canvases/items/{item.pk}/edit/", {**mine, "version": 2, "resolution": "both"}, **HTMX)

    assert conflict.status_code == 409
    body = conflict.content.decode()
    assert "Editor&#x27;s version" in body
    assert "Owner&#x27;s version" in body
    assert "Keep mine" in body
    assert "Keep both" in body
    assert "Keep theirs" in body
    assert both.status_code == 200
    assert sorted(CanvasItem.objects.values_list("text", flat=True)) == ["Editor's version", "Owner's version"]


def test_keep_mine_overwrites_with_the_current_version(client, world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Original")
    item_update(user=world.owner, item=item, expected_version=1, text="Owner's version")
    client.force_login(world.editor)

    client.post(
        f"/canvases/items/{item.pk}/edit/",
        {"text": "Mine", "color": "pink", "note": "", "evidence": "", "version": 2, "resolution": "mine"},
        **HTMX,
    )

    assert CanvasItem.objects.get(pk=item.pk).text == "Mine"


def test_poll_is_204_until_the_canvas_changes(client, world, bmc):
    client.force_login(world.viewer)

    unchanged = client.get(f"/canvases/{bmc.pk}/poll/?version=1")
    item_add(user=world.owner, canvas=bmc, block="channels", text="New from a teammate")
    changed = client.get(f"/canvases/{bmc.pk}/poll/?version=1")

    assert unchanged.status_code == 204
    assert changed.json()["version"] == 2
    assert "New from a teammate" in changed.json()["blocks"]["channels"]


def test_moving_by_drag_returns_both_blocks(client, world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Web")
    client.force_login(world.editor)

    response = client.post(f"/canvases/items/{item.pk}/move/", {"block": "customer_segments", "position": 0, "version": 1})
    stale = client.post(f"/canvases/items/{item.pk}/move/", {"block": "channels", "position": 0, "version": 1})

    assert set(response.json()["blocks"]) == {"channels", "customer_segments"}
    assert CanvasItem.objects.get(pk=item.pk).block == "customer_segments"
    assert stale.status_code == 409


def test_viewer_cannot_move_or_edit(client, world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Web")
    client.force_login(world.viewer)

    assert client.post(f"/canvases/items/{item.pk}/move/", {"block": "customer_segments", "position": 0, "version": 1}).status_code == 403
    assert client.get(f"/canvases/items/{item.pk}/edit/").status_code == 403
    assert client.post(f"/canvases/{bmc.pk}/blocks/channels/items/", {"text": "x"}).status_code == 403


def test_viewers_comment(client, world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Web")
    client.force_login(world.viewer)

    response = client.post(f"/canvases/items/{item.pk}/comments/", {"text": "<b>why</b> web?"}, **HTMX)

    assert "&lt;b&gt;why&lt;/b&gt; web?" in response.content.decode()
    assert ItemComment.objects.get(item_ref=item.pk).author == world.viewer


def test_history_compare_and_restore_pages(client, world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Before")
    item_update(user=world.owner, item=item, expected_version=1, text="After")
    client.force_login(world.editor)
    versions = {v.number: v.pk for v in Version.objects.filter(object_id=bmc.pk)}
    history = client.get(f"/canvases/{bmc.pk}/history/").content.decode()
    compare = client.get(f"/canvases/{bmc.pk}/history/compare/?a={versions[2]}&b={versions[3]}").content.decode()
    client.post(f"/canvases/{bmc.pk}/history/{versions[2]}/restore/")

    assert "Note edited" in history
    assert "Before" in compare
    assert "After" in compare
    assert CanvasItem.objects.get(pk=item.pk).text == "Before"


def test_deleting_a_canvas_asks_first(client, world, bmc):
    client.force_login(world.editor)

    confirm = client.get(f"/canvases/{bmc.pk}/delete/")
    client.post(f"/canvases/{bmc.pk}/delete/")

    assert "cannot be undone" in confirm.content.decode()
    assert not Canvas.objects.filter(pk=bmc.pk).exists()


def test_archiving_hides_the_canvas_in_a_separate_list(client, world, bmc):
    client.force_login(world.editor)

    client.post(f"/canvases/{bmc.pk}/settings/", {"archive": "1"})

    assert Canvas.objects.get(pk=bmc.pk).archived_at is not None
    assert "1 archived canvas" in client.get(f"/ventures/{world.venture.pk}/").content.decode()


def test_pdf_export_renders_latin_and_chinese_text(client, world, bmc):
    item_add(user=world.owner, canvas=bmc, block="value_propositions", text="Books closed in ten minutes")
    item_add(user=world.owner, canvas=bmc, block="customer_segments", text="小店和咖啡馆")
    client.force_login(world.viewer)

    for size in ("A4", "A3"):
        response = client.get(f"/canvases/{bmc.pk}/export/pdf/?size={size}")
        text, chinese_font, (width, height) = pdf_first_page(response.content, "小")

        assert response["Content-Type"] == "application/pdf"
        assert "Books closed in ten minutes" in text
        assert "小店和咖啡馆" in text
        assert "CJK" in chinese_font  # drawn with an embedded CJK font: no tofu boxes
        assert width > height  # landscape


def pdf_first_page(content: bytes, char: str) -> tuple[str, str, tuple[float, float]]:
    """The first page's text, the name of the font that draws `char`, and the page size."""
    document = pypdfium2.PdfDocument(content)
    try:
        page = document[0]
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        name = ctypes.create_string_buffer(256)
        pypdfium2.raw.FPDFText_GetFontInfo(textpage.raw, text.index(char), name, 256, ctypes.byref(ctypes.c_int()))
        size = page.get_size()
        textpage.close()
        page.close()
    finally:
        document.close()
    return text, name.value.decode(), size


def test_png_export_is_an_image(client, world, bmc):
    client.force_login(world.viewer)

    response = client.get(f"/canvases/{bmc.pk}/export/png/")

    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


def test_evidence_is_a_link_only_when_it_is_a_web_address(client, world, bmc):
    item_add(user=world.owner, canvas=bmc, block="channels", text="A", is_assumption=True, evidence="https://example.com/interviews")
    item_add(user=world.owner, canvas=bmc, block="channels", text="B", is_assumption=True, evidence="javascript:alert(1)")
    client.force_login(world.viewer)

    page = client.get(f"/canvases/{bmc.pk}/").content.decode()

    assert 'href="https://example.com/interviews"' in page
    assert 'href="javascript:' not in page


def test_an_invalid_edit_keeps_the_block_and_shows_the_form_with_its_error(client, world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Web")
    item_add(user=world.owner, canvas=bmc, block="channels", text="Fairs")
    client.force_login(world.editor)

    response = client.post(
        f"/canvases/items/{item.pk}/edit/", {"text": "   ", "color": "yellow", "version": 1, "shown_block": "channels"}, **HTMX
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert body.startswith('<section class="block" id="block-channels"')
    assert "Fairs" in body  # the other notes stay
    assert "This field is required." in body


def test_saving_a_note_a_teammate_moved_updates_both_blocks(client, world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Web")
    moved = item_move(user=world.owner, item=item, block="customer_segments", position=0, expected_version=1)
    client.force_login(world.editor)
    mine = {"text": "Web shop", "color": "yellow", "note": "", "evidence": "", "version": moved.version, "shown_block": "channels"}

    response = client.post(f"/canvases/items/{item.pk}/edit/", mine, **HTMX)

    body = response.content.decode()
    assert body.startswith('<section class="block" id="block-channels"')
    assert '<section hx-swap-oob="true" class="block" id="block-customer_segments"' in body
    assert CanvasItem.objects.get(pk=item.pk).text == "Web shop"


def test_editing_a_note_a_teammate_deleted_keeps_the_words(client, world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Web")
    client.force_login(world.editor)
    form = client.get(f"/canvases/items/{item.pk}/edit/")
    item_delete(user=world.owner, item=item, expected_version=1)

    response = client.post(
        f"/canvases/items/{item.pk}/edit/",
        {"text": "Web, rewritten", "color": "yellow", "version": 1, "shown_block": "channels", "canvas": bmc.pk},
        **HTMX,
    )

    assert form.status_code == 200
    assert "yours was added as a new one" in response.content.decode()
    assert list(CanvasItem.objects.values_list("block", "text")) == [("channels", "Web, rewritten")]


def test_restoring_a_deleted_note_brings_its_comments_back(client, world, bmc):
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Web")
    comment_add(user=world.viewer, item=item, text="Which web?")
    before_delete = Version.objects.get(object_id=bmc.pk, number=2)
    item_delete(user=world.owner, item=item, expected_version=1)
    bmc.refresh_from_db()

    canvas_version_restore(user=world.owner, canvas=bmc, version=before_delete)
    client.force_login(world.viewer)

    restored = CanvasItem.objects.get(pk=item.pk)
    assert restored.version > 1  # above any version a stale client could hold
    assert [c.text for c in ItemComment.objects.filter(item_ref=restored.pk)] == ["Which web?"]
    assert "1 comment" in client.get(f"/canvases/{bmc.pk}/").content.decode()


def test_hostile_text_is_escaped_in_the_diff_page_and_kept_in_exports(client, world, bmc):
    hostile = "<img src=x onerror=alert(1)>"
    item = item_add(user=world.owner, canvas=bmc, block="channels", text="Plain")
    item_update(user=world.owner, item=item, expected_version=1, text=hostile)
    client.force_login(world.viewer)
    versions = {v.number: v.pk for v in Version.objects.filter(object_id=bmc.pk)}

    diff_page = client.get(f"/canvases/{bmc.pk}/history/compare/?a={versions[2]}&b={versions[3]}").content.decode()
    csv = client.get(f"/canvases/{bmc.pk}/export/csv/").content.decode("utf-8-sig")

    assert hostile not in diff_page
    assert "&lt;img src=x onerror=alert(1)&gt;" in diff_page
    assert hostile in csv  # a CSV is data, not HTML: kept as typed


def test_deleting_a_canvas_deletes_its_history(client, world, bmc):
    item_add(user=world.owner, canvas=bmc, block="channels", text="Web")
    client.force_login(world.editor)

    client.post(f"/canvases/{bmc.pk}/delete/")

    assert not Version.objects.filter(object_id=bmc.pk, content_type__model="canvas").exists()
