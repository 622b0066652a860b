"""An analyst uploads a CSV, corrects the mapping, and watches a real worker ingest it."""

import pytest
from playwright.sync_api import Page, expect

from teams.models import Role
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import ARTIFACTS, log_in
from tests.teams.factories import TeamFactory, member
from tests.ventures.factories import VentureFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_upload_correct_the_mapping_and_watch_the_ingest_finish(page: Page, live_server, worker, tmp_path):
    team = TeamFactory()
    analyst = member(team, Role.EDITOR).user
    venture = VentureFactory(team=team, name="Campus Bikes")
    csv = tmp_path / "rides.csv"
    csv.write_text(
        "rider,started,fare,station\n"
        + "".join(f"r{i % 40},2024-03-{i % 28 + 1:02d} 08:{i % 60:02d},{i % 9}.50,S{i % 5}\n" for i in range(3000))
    )
    log_in(page, live_server.url, analyst.username, PASSWORD)
    page.goto(f"{live_server.url}/ventures/{venture.pk}/")

    datasets = page.locator("#datasets")
    datasets.get_by_label("Name").fill("Rides")
    datasets.locator("input[type=file]").set_input_files(str(csv))
    datasets.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("heading", name="Rides")).to_be_visible()
    page.get_by_label("User / customer").select_option("rider")  # "rider" is no name the app guesses
    expect(page.get_by_label("Time")).to_have_value("started")
    page.get_by_label("Amount").select_option("fare")
    page.get_by_role("button", name="Ingest").click()

    expect(page.locator("#dataset-status")).to_have_text("Ready", timeout=60_000)
    expect(page.locator("#dataset-progress")).to_have_attribute("value", "100")
    report = page.locator("section", has=page.get_by_role("heading", name="Ingest report"))
    expect(report).to_contain_text("3,000")
    expect(report).to_contain_text("40")
    expect(page.locator('[data-figure="activity"] .main-svg').first).to_be_visible()  # the summary charts are drawn
    expect(page.locator('[data-figure="new-returning"] .main-svg').first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "dataset_ready.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_file_that_is_no_table_is_explained_on_the_page(page: Page, live_server, tmp_path):
    team = TeamFactory()
    analyst = member(team, Role.EDITOR).user
    venture = VentureFactory(team=team)
    html = tmp_path / "export.csv"
    html.write_text("<!DOCTYPE html><html><body>Please sign in</body></html>")
    log_in(page, live_server.url, analyst.username, PASSWORD)
    page.goto(f"{live_server.url}/ventures/{venture.pk}/")

    page.locator("#datasets input[type=file]").set_input_files(str(html))
    page.locator("#datasets").get_by_role("button", name="Upload").click()

    error = page.locator("#datasets .upload-form").get_by_role("alert")
    expect(error).to_be_visible()
    expect(error).to_contain_text("This is a web page (HTML), not a CSV export.")
    assert error.evaluate("e => getComputedStyle(e).color") == "rgb(196, 50, 10)"  # --danger, not the grey of the hints
    assert page.url.endswith(f"/ventures/{venture.pk}/")


def test_the_upload_form_looks_like_a_drop_zone(page: Page, live_server):
    team = TeamFactory()
    analyst = member(team, Role.EDITOR).user
    venture = VentureFactory(team=team)
    log_in(page, live_server.url, analyst.username, PASSWORD)
    page.goto(f"{live_server.url}/ventures/{venture.pk}/")

    zone = page.locator("#datasets .upload-form")
    expect(zone).to_contain_text("Or drop a CSV file anywhere in this box.")
    assert zone.evaluate("e => getComputedStyle(e).borderTopStyle") == "dashed"
    assert zone.evaluate("e => getComputedStyle(e).borderTopColor") != "rgba(0, 0, 0, 0)"  # visible before any drag
    zone.dispatch_event("dragenter")
    expect(zone).to_have_class("grid-form upload-form dropping")
