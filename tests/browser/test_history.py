"""History a person can read: a note moved by keyboard is one row, not one per key press; filters and restore work."""

import pytest
from playwright.sync_api import Page, expect

from canvas.models import CanvasItem
from canvas.services import canvas_create, item_add
from history.models import Version
from teams.models import Role
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import log_in
from tests.teams.factories import TeamFactory, member
from tests.ventures.factories import VentureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def canvas(settings):
    settings.HISTORY_COALESCE_MINUTES = 5
    team = TeamFactory(name="Owls")
    owner, editor = member(team, Role.OWNER).user, member(team, Role.EDITOR).user
    canvas = canvas_create(user=owner, venture=VentureFactory(team=team, name="Campus Bikes"), kind="business_model", title="Ours")
    for text in ("Web", "Fairs", "Cafés"):
        item_add(user=editor, canvas=canvas, block="channels", text=text)
    return canvas


def order() -> list[str]:
    return list(CanvasItem.objects.filter(block="channels").order_by("position").values_list("text", flat=True))


def test_moves_by_keyboard_are_one_version_that_filters_and_restore_work_with(page: Page, live_server, canvas):
    log_in(page, live_server.url, canvas.created_by.username, PASSWORD)
    page.goto(f"{live_server.url}/canvases/{canvas.pk}/")
    notes = page.locator("#block-channels .items > .item")

    notes.filter(has_text="Web").focus()
    for key, expected in (("Alt+ArrowDown", 1), ("Alt+ArrowDown", 2), ("Alt+ArrowUp", 1)):
        page.keyboard.press(key)
        expect(notes.nth(expected)).to_contain_text("Web")
        expect(notes.nth(expected)).to_be_focused()
    assert order() == ["Fairs", "Web", "Cafés"]

    page.goto(f"{live_server.url}/canvases/{canvas.pk}/history/")
    rows = page.locator("table.history tbody tr")
    expect(rows).to_have_count(3)  # created; the editor's three notes; the owner's three moves
    expect(rows.nth(0).locator(".change")).to_contain_text("Note moved, 3 times")
    expect(rows.nth(1).locator(".change")).to_contain_text("Note added, 3 times")
    assert Version.objects.filter(object_id=canvas.pk, content_type__model="canvas").count() == 3

    page.get_by_label("Kind of change").select_option(label="Note moved")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    page.get_by_role("link", name="Show all").click()
    expect(rows).to_have_count(3)

    page.get_by_role("button", name="Compare the two selected versions").click()
    expect(page.locator("h1")).to_contain_text("Version 4 → Version 7")
    expect(page.locator(".diff.moved")).to_contain_text("position 1 → 2")

    page.goto(f"{live_server.url}/canvases/{canvas.pk}/history/")
    page.once("dialog", lambda dialog: dialog.accept())
    rows.nth(1).get_by_role("button", name="Restore").click()
    expect(page.locator("#block-channels .items > .item").first).to_contain_text("Web")
    assert order() == ["Web", "Fairs", "Cafés"]
    page.goto(f"{live_server.url}/canvases/{canvas.pk}/history/")
    expect(rows.nth(0).locator(".change")).to_contain_text("Restored version 4")
