"""A founder puts an analysis on the canvas, runs it again and puts it there again: the canvas keeps one note per
finding, each saying which dataset, period, model and run it came from; a teammate's open page learns that a note
went stale and what the header counts, without a reload."""

import re

import pytest
from playwright.sync_api import Page, expect

from analysis.services import analysis_create, analysis_run
from canvas.services import canvas_create, item_add, item_update
from teams.models import Role
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import log_in
from tests.datasets.factories import ready_dataset
from tests.teams.factories import TeamFactory, member
from tests.ventures.factories import VentureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def finished(user, dataset, kind, **params):
    analysis = analysis_create(user=user, dataset=dataset, kind=kind, params=params)
    assert analysis_run(analysis_id=analysis.pk, attempt=1) == "succeeded"
    analysis.refresh_from_db()
    return analysis


def add_to_canvas(page: Page, base_url: str, analysis, title: str) -> None:
    page.goto(f"{base_url}{analysis.get_absolute_url()}")
    page.get_by_label("Canvas", exact=True).select_option(label=title)
    page.get_by_role("button", name="Add to canvas").click()
    page.wait_for_url(re.compile(r"/canvases/\d+/"))


def test_add_to_canvas_twice_leaves_one_note_per_finding_with_its_provenance(page: Page, live_server):
    team = TeamFactory()
    founder = member(team, Role.EDITOR).user
    venture = VentureFactory(team=team, name="Campus Bikes")
    dataset = ready_dataset(user=founder, venture=venture)
    canvas = canvas_create(user=founder, venture=venture, kind="business_model", title="Bikes model")
    first = finished(founder, dataset, "segmentation", k=3)
    forecast = finished(founder, dataset, "forecast", metric="revenue", frequency="W", horizon=4)
    log_in(page, live_server.url, founder.username, PASSWORD)

    add_to_canvas(page, live_server.url, first, "Bikes model")
    add_to_canvas(page, live_server.url, first, "Bikes model")
    add_to_canvas(page, live_server.url, forecast, "Bikes model")
    add_to_canvas(page, live_server.url, forecast, "Bikes model")
    second = finished(founder, dataset, "segmentation", k=3)  # run again, then put it on the canvas again
    add_to_canvas(page, live_server.url, second, "Bikes model")

    segments = page.locator("#block-customer_segments .item")
    expect(segments).to_have_count(3)
    expect(page.locator("#block-revenue_streams .item")).to_have_count(1)
    names = [text.split(":")[0] for text in segments.locator(".item-text").all_inner_texts()]
    assert len(set(names)) == 3  # no "Loyal" twice
    for note in [*segments.all(), page.locator("#block-revenue_streams .item")]:
        source = note.locator(".item-source")
        expect(source).to_contain_text("Orders")  # the dataset
        expect(source).to_contain_text(re.compile(r"\d+/\d+/\d{4} – \d+/\d+/\d{4}"))  # the period
        expect(source).to_contain_text(re.compile(r"run \d+/\d+/\d{4}"))  # the date of the run
    expect(segments.first.locator(".item-source")).to_contain_text(re.compile("RFM segments|k-means clusters"))
    expect(segments.first.locator(".evidence-badge")).to_have_attribute(
        "data-evidence-figure", f"/api/v1/analyses/{second.pk}/figures/segments/"
    )
    expect(page.locator("[data-stale]")).to_have_count(0)

    # A newer forecast run makes the forecast note stale; a teammate's change brings the mark and the counts.
    finished(founder, dataset, "forecast", metric="revenue", frequency="W", horizon=4)
    item = item_add(user=founder, canvas=canvas, block="channels", text="Campus fairs")
    item_update(user=founder, item=item, expected_version=item.version, is_assumption=True, assumption_status="untested")
    expect(page.locator("#block-revenue_streams [data-stale]")).to_contain_text("A newer run of", timeout=15_000)
    expect(page.locator("#canvas-status")).to_contain_text("1 untested assumption")
    expect(page.locator("#canvas-status")).to_contain_text("1 note from data is stale")
