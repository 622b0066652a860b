"""Founders at work on a canvas: adding, dragging, editing at the same time as a teammate, exporting."""

import re

import pypdfium2
import pytest
from playwright.sync_api import Page, expect

from canvas.models import CanvasItem
from canvas.services import canvas_create, item_add
from teams.models import Role
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import log_in
from tests.teams.factories import TeamFactory, member
from tests.ventures.factories import VentureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team():
    team = TeamFactory(name="Owls")
    owner, editor = member(team, Role.OWNER).user, member(team, Role.EDITOR).user
    venture = VentureFactory(team=team, name="Campus Bikes")
    return {"owner": owner, "editor": editor, "venture": venture}


def add_note(page: Page, block: str, text: str) -> None:
    block_el = page.locator(f"#block-{block}")
    block_el.locator("textarea[name=text]").fill(text)
    block_el.get_by_role("button", name="Add").click()
    expect(page.locator(f"#block-{block} .item", has_text=text)).to_be_visible()


def test_create_a_canvas_add_notes_drag_one_and_it_persists(page: Page, live_server, team):
    log_in(page, live_server.url, team["owner"].username, PASSWORD)
    page.goto(f"{live_server.url}/ventures/{team['venture'].pk}/")
    page.get_by_label("Template").select_option("business_model")
    page.get_by_label("Title").fill("Our model")
    page.get_by_role("button", name="Create canvas").click()
    expect(page.get_by_role("heading", name=re.compile("Our model"))).to_be_visible()

    add_note(page, "value_propositions", "Ten-minute bookkeeping")
    expect(page.locator("#add-value_propositions")).to_be_focused()  # ready for the next note
    add_note(page, "customer_segments", "Cafés")
    add_note(page, "channels", "Accountants")
    page.locator("#block-channels .item", has_text="Accountants").drag_to(page.locator("#block-customer_segments .items"))
    expect(page.locator("#block-customer_segments .item", has_text="Accountants")).to_be_visible()

    page.reload()
    expect(page.locator("#block-customer_segments .item", has_text="Accountants")).to_be_visible()
    expect(page.locator("#block-channels .item")).to_have_count(0)
    assert CanvasItem.objects.get(text="Accountants").block == "customer_segments"

    # Keyboard: focus the note, Alt+Left moves it to the block beside it on screen, Alt+Down below its neighbour.
    page.locator("#block-customer_segments .item", has_text="Cafés").focus()
    page.keyboard.press("Alt+ArrowLeft")
    expect(page.locator("#block-customer_relationships .item", has_text="Cafés")).to_be_focused()
    page.keyboard.press("Alt+ArrowRight")
    expect(page.locator("#block-customer_segments .item", has_text="Cafés")).to_be_focused()
    assert list(CanvasItem.objects.filter(block="customer_segments").order_by("position").values_list("text", flat=True)) == [
        "Accountants",
        "Cafés",
    ]


def test_teammates_see_each_other_and_a_stale_edit_offers_keep_both(page: Page, second_page: Page, live_server, team):
    canvas = canvas_create(user=team["owner"], venture=team["venture"], kind="business_model", title="Shared")
    item_add(user=team["owner"], canvas=canvas, block="channels", text="Original wording")
    url = f"{live_server.url}/canvases/{canvas.pk}/"
    log_in(page, live_server.url, team["owner"].username, PASSWORD)
    log_in(second_page, live_server.url, team["editor"].username, PASSWORD)
    page.goto(url)
    second_page.goto(url)

    # Both open the same note for editing; the owner saves first.
    for person in (page, second_page):
        person.locator("#block-channels .item", has_text="Original wording").get_by_role("button", name="Edit").click()
    page.locator("#block-channels .editing textarea[name=text]").fill("Owner's wording")
    page.locator("#block-channels").get_by_role("button", name="Save").click()
    expect(page.locator("#block-channels .item", has_text="Owner's wording")).to_be_visible()

    second_page.locator("#block-channels .editing textarea[name=text]").fill("Editor's wording")
    second_page.locator("#block-channels").get_by_role("button", name="Save").click()
    conflict = second_page.locator(".conflict")
    expect(conflict).to_contain_text("A teammate changed this note")
    expect(conflict).to_contain_text("Owner's wording")
    expect(conflict).to_contain_text("Editor's wording")
    conflict.get_by_role("button", name="Keep both").click()
    expect(second_page.locator("#block-channels .item", has_text="Owner's wording")).to_be_visible()
    expect(second_page.locator("#block-channels .item", has_text="Editor's wording")).to_be_visible()

    # The owner's page learns of the new note without a reload (conditional polling).
    expect(page.locator("#block-channels .item", has_text="Editor's wording")).to_be_visible(timeout=15_000)
    assert sorted(CanvasItem.objects.values_list("text", flat=True)) == ["Editor's wording", "Owner's wording"]


def test_export_a_pdf_that_contains_the_notes(page: Page, live_server, team):
    canvas = canvas_create(user=team["owner"], venture=team["venture"], kind="lean", title="Lean export")
    item_add(user=team["owner"], canvas=canvas, block="problem", text="Bookkeeping eats a day a month")
    item_add(user=team["owner"], canvas=canvas, block="customer_segments", text="小店主")
    log_in(page, live_server.url, team["editor"].username, PASSWORD)
    page.goto(f"{live_server.url}/canvases/{canvas.pk}/")

    page.locator("summary", has_text="Export").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF A4").click()
    pdf = pypdfium2.PdfDocument(download.value.path())
    text = pdf[0].get_textpage().get_text_range()
    pdf.close()

    assert download.value.suggested_filename == "lean-export.pdf"
    assert "Bookkeeping eats a day a month" in text
    assert "小店主" in text
