"""The dataset page's retention section in a browser: the heat map of cohorts draws with its numbers, and a dataset
ingested before cohorts existed shows their computation's progress, then the heat map once the worker is done."""

import pytest
from playwright.sync_api import Page, expect

from datasets.models import DatasetCohorts
from datasets.services import dataset_cohorts_run
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import log_in
from tests.datasets.factories import ready_dataset
from tests.datasets.test_cohorts import weekly_signups_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEATMAP = "[data-figure='cohorts-heatmap']"


@pytest.fixture
def dataset(world):
    return ready_dataset(user=world.editor, venture=world.venture, content=weekly_signups_csv(20))


def test_the_cohort_heat_map_draws_with_its_numbers_and_switches_period(page: Page, live_server, world, dataset):
    log_in(page, live_server.url, world.viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/datasets/{dataset.pk}/?period=week")

    page.locator(HEATMAP).scroll_into_view_if_needed()  # figures.js draws a chart when it comes near the window
    expect(page.locator(f"{HEATMAP} .main-svg").first).to_be_visible()
    assert page.evaluate(f'document.querySelector("{HEATMAP}").data[0].type') == "heatmap"
    expect(page.locator(f"{HEATMAP} text", has_text="50").first).to_be_visible()  # a cell's number
    page.locator("[data-figure='cohorts-average']").scroll_into_view_if_needed()
    expect(page.locator("[data-figure='cohorts-average'] .main-svg").first).to_be_visible()
    expect(page.locator("#retention-notes")).to_contain_text("The latest 12 of 20 weekly cohorts.")
    expect(page.locator("#retention-notes")).to_contain_text("The last week is partial: up to May 26, 2025.")
    assert page.evaluate(f'document.querySelector("{HEATMAP}").data.length') == 2  # the partial cells: a grey trace

    page.get_by_role("link", name="By month").click()
    page.locator(HEATMAP).scroll_into_view_if_needed()
    expect(page.locator(f"{HEATMAP} .main-svg").first).to_be_visible()
    assert page.evaluate(f'document.querySelector("{HEATMAP}").data[0].y.length') == 5  # January to May


def test_cohorts_computed_on_the_worker_appear_when_done(page: Page, live_server, world, dataset):
    DatasetCohorts.objects.all().delete()  # as for a dataset ingested before cohorts existed
    log_in(page, live_server.url, world.viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/datasets/{dataset.pk}/")
    expect(page.locator("#retention-progress")).to_be_visible()

    cohorts = DatasetCohorts.objects.get(dataset=dataset)
    assert dataset_cohorts_run(cohorts_id=cohorts.pk, attempt=cohorts.attempt) == "ready"

    page.locator(HEATMAP).scroll_into_view_if_needed()  # the page polled, then reloaded
    expect(page.locator(f"{HEATMAP} .main-svg").first).to_be_visible()
