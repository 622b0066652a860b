"""An analyst runs a forecast and a segmentation on a dataset from the browser with a real worker, watches them
finish, reads the charts, and puts the segments on the canvas, where a badge opens the chart behind each note."""

import pytest
from playwright.sync_api import Page, expect

from teams.models import Role
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import ARTIFACTS, log_in
from tests.canvas.factories import CanvasFactory
from tests.datasets.factories import ready_dataset
from tests.teams.factories import TeamFactory, member
from tests.ventures.factories import VentureFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_run_a_forecast_and_a_segmentation_and_feed_the_canvas(page: Page, live_server, worker):
    team = TeamFactory()
    analyst = member(team, Role.EDITOR).user
    venture = VentureFactory(team=team, name="Campus Bikes")
    dataset = ready_dataset(user=analyst, venture=venture)
    canvas = CanvasFactory(venture=venture, title="Bikes model")
    log_in(page, live_server.url, analyst.username, PASSWORD)

    page.goto(f"{live_server.url}{dataset.get_absolute_url()}")
    forecast = page.locator("#forecast-form")
    forecast.get_by_label("Forecast").select_option("revenue")
    forecast.get_by_label("Frequency").select_option("W")
    forecast.get_by_label("Horizon").fill("6")
    forecast.get_by_role("button", name="Run forecast").click()

    expect(page.locator("#analysis-status")).to_have_text("Succeeded", timeout=90_000)
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    expect(page.locator('[data-figure="figure-forecast"] .main-svg').first).to_be_visible()
    expect(page.locator("#candidates")).to_contain_text("repeating last year")  # the baseline by what it does
    page.screenshot(path=str(ARTIFACTS / "analysis_forecast.png"), full_page=True)

    page.goto(f"{live_server.url}{dataset.get_absolute_url()}")
    expect(page.locator("#runs")).to_contain_text("Demand forecast")
    page.locator("#segmentation-form").get_by_role("button", name="Run segmentation").click()
    expect(page.locator("#analysis-status")).to_have_text("Succeeded", timeout=90_000)
    for name in ("segments", "scatter", "profiles"):  # each drawn when scrolled to
        page.locator(f'[data-figure="figure-{name}"]').scroll_into_view_if_needed()
        expect(page.locator(f'[data-figure="figure-{name}"] .main-svg').first).to_be_visible()
    segments = page.locator("#segment-list tbody tr")
    count = segments.count()
    assert count >= 2
    page.screenshot(path=str(ARTIFACTS / "analysis_segmentation.png"), full_page=True)

    page.get_by_label("Canvas", exact=True).select_option(label="Bikes model")
    page.get_by_role("button", name="Add to canvas").click()
    page.wait_for_url(f"**{canvas.get_absolute_url()}**")
    notes = page.locator("#block-customer_segments .item")
    expect(notes).to_have_count(count)
    expect(notes.first).to_contain_text("% of revenue")
    notes.first.get_by_role("button", name="From data").click()
    dialog = page.locator("#evidence-dialog")
    expect(dialog.locator(".main-svg").first).to_be_visible(timeout=30_000)
    expect(dialog.get_by_role("link", name="Open the analysis")).to_have_attribute(
        "href", f"/analyses/{dataset.analyses.first().pk}/#segments"
    )
    page.screenshot(path=str(ARTIFACTS / "canvas_evidence.png"), full_page=True)
