"""A pinned dashboard and its share links do not change when a new dataset is uploaded and modelled; the owner is
offered "Update to the run of <date>" and, after it, the dashboard and the live link show the new run while the
snapshot link keeps what it stored. The owner orders panels by dragging them or with the keyboard."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from dashboards.services import dashboard_layout_save
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import ARTIFACTS, log_in
from tests.dashboards.factories import forecast_run, ready_dataset, segmentation_run
from tests.datasets.factories import ready_dataset as uploaded_dataset
from ventures.demo import demo_seed, demo_venture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAYOUT = ["key_numbers", "forecast", "segmentation", "swot"]


@pytest.fixture
def pinned():
    """The demo venture's dashboard, saved while one dataset with a weekly revenue forecast and a segmentation existed."""
    login = demo_seed(password=PASSWORD)
    user = User.objects.get(username=login.username)
    venture = demo_venture(user=user)
    dataset = ready_dataset(venture, name="Shop 2025", users=321)
    forecast_run(dataset, yhat=115)
    segmentation_run(dataset)
    dashboard_layout_save(user=user, venture=venture, layout=LAYOUT)
    return {"user": user, "venture": venture}


def _create_link(page: Page, label: str, kind: str) -> str:
    page.get_by_label("Label").fill(label)
    page.get_by_label("Kind of link").select_option(kind)
    page.get_by_role("button", name="Create link").click()
    return page.locator("#new-link").input_value()


def _shown(page: Page) -> dict:
    numbers = page.locator("#panel-key_numbers")
    return {
        "customers": numbers.locator("strong").first.inner_text(),
        "revenue_forecast": numbers.locator("strong").nth(3).inner_text(),
        "forecast": re.search(r"Next period \([\d-]+\): (€?\d[\d,]*\d)", page.locator("#panel-forecast").inner_text()).group(1),
        "dataset": "Shop 2025" if "Shop 2025" in numbers.inner_text() else numbers.inner_text(),
    }


BEFORE = {"customers": "321", "revenue_forecast": "€115", "forecast": "€115", "dataset": "Shop 2025"}  # the demo's euros


def test_a_new_upload_changes_nothing_until_update_then_the_live_link_follows_and_the_snapshot_does_not(
    page: Page, second_page: Page, live_server, pinned
):
    log_in(page, live_server.url, pinned["user"].username, PASSWORD)
    dashboard = f"{live_server.url}/ventures/{pinned['venture'].pk}/dashboard/"
    page.goto(dashboard)
    live = _create_link(page, "for investors", "live")
    snapshot = _create_link(page, "board pack", "snapshot")
    for url in (live, snapshot):
        second_page.goto(url)
        assert _shown(second_page) == BEFORE

    # A teammate uploads a new dataset and forecasts daily orders on it.
    newer = uploaded_dataset(user=pinned["user"], venture=pinned["venture"])
    forecast_run(newer, metric="orders", frequency="D", yhat=9876)

    page.goto(dashboard)
    assert _shown(page) == BEFORE
    for url in (live, snapshot):
        second_page.goto(url)
        assert _shown(second_page) == BEFORE
    expect(second_page.get_by_text(re.compile(r"Snapshot of \d{4}-\d\d-\d\d"))).to_be_visible()

    # The owner is offered the newer runs, panel by panel, and takes them.
    offer = page.locator("#panel-forecast").get_by_role("button", name=re.compile(r"Update to the run of \d{4}-"))
    expect(offer).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "dashboard-update-offer.png"), full_page=True)
    offer.click()
    page.locator("#panel-key_numbers").get_by_role("button", name=re.compile("Update to the run of")).click()
    expect(page.locator("#panel-forecast")).to_contain_text("Next period (2025-01-27): 9,876")
    expect(page.locator("#panel-key_numbers")).to_contain_text("“Orders”")
    expect(page.locator("#panel-key_numbers strong").nth(3)).to_have_text("—")  # the new dataset has no revenue forecast

    second_page.goto(live)
    expect(second_page.locator("#panel-forecast")).to_contain_text("9,876")
    expect(second_page.locator("#panel-forecast")).to_contain_text("Orders (count)")
    expect(second_page.locator("#panel-forecast")).to_contain_text("daily")
    expect(second_page.locator("#panel-key_numbers")).to_contain_text("“Orders”")
    expect(second_page.get_by_role("button", name=re.compile("Update to the run of"))).to_have_count(0)
    second_page.goto(snapshot)
    assert _shown(second_page) == BEFORE


def _order(page: Page) -> list[str]:
    return page.locator("[data-dash-grid] > section").evaluate_all("sections => sections.map(s => s.dataset.panel)")


def test_panels_are_ordered_by_keyboard_and_by_drag_and_drop_and_the_order_is_saved(page: Page, live_server, pinned):
    log_in(page, live_server.url, pinned["user"].username, PASSWORD)
    page.goto(f"{live_server.url}/ventures/{pinned['venture'].pk}/dashboard/#customize")
    expect(page.locator("input[type=number]")).to_have_count(0)  # no typed positions

    move_down = page.get_by_role("button", name="Move Key numbers down")
    move_down.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Order saved.")
    assert _order(page) == ["forecast", "key_numbers", "segmentation", "swot"]
    expect(page.get_by_role("button", name="Move Key numbers down")).to_be_focused()  # the focus stays on the moved row

    page.get_by_role("status").evaluate("el => { el.textContent = ''; }")
    swot = page.locator(".layout-row[data-key=swot] [data-drag-handle]")
    swot.drag_to(page.locator(".layout-row[data-key=forecast]"), target_position={"x": 20, "y": 2})
    expect(page.get_by_role("status")).to_have_text("Order saved.")
    assert _order(page) == ["swot", "forecast", "key_numbers", "segmentation"]

    page.reload()
    assert _order(page) == ["swot", "forecast", "key_numbers", "segmentation"]
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#customize").screenshot(path=str(ARTIFACTS / "dashboard-layout-phone.png"))
