"""An editor opens the unit economics from the venture, sets the gross margin, enters spend in the table, reads CAC
and LTV:CAC with the payback chart, corrects a row, and puts the findings on the canvas; the page in Chinese and at
phone width."""

import re
from datetime import date, datetime

import pytest
from playwright.sync_api import Browser, Page, expect

from analysis.services import analysis_create, analysis_run
from dashboards.services import dashboard_layout_save
from strategy.models import Risk
from teams.models import Role
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import ARTIFACTS, log_in
from tests.canvas.factories import CanvasFactory
from tests.datasets.factories import orders_csv, ready_dataset
from tests.teams.factories import TeamFactory, member
from tests.ventures.factories import VentureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FROM_JANUARY_1 = orders_csv(start=datetime(2025, 1, 1))  # January entirely covered: its spend counts


def test_spend_entered_in_the_table_gives_ltv_to_cac_and_lands_on_the_canvas(page: Page, browser: Browser, live_server):
    team = TeamFactory()
    editor = member(team, Role.EDITOR).user
    venture = VentureFactory(team=team, name="Campus Bikes", currency="EUR")
    dataset = ready_dataset(user=editor, venture=venture, content=FROM_JANUARY_1)
    run = analysis_create(user=editor, dataset=dataset, kind="lifetime_value", params={})
    assert analysis_run(analysis_id=run.pk, attempt=1) == "succeeded"
    canvas = CanvasFactory(venture=venture, kind="lean", title="Bikes lean")
    log_in(page, live_server.url, editor.username, PASSWORD)

    page.goto(f"{live_server.url}{venture.get_absolute_url()}")
    page.get_by_role("link", name="Open the unit economics").click()
    expect(page.locator("#missing-spend")).to_be_visible()
    page.locator("#margin").get_by_label("Gross margin (%)").fill("60")
    page.locator("#margin").get_by_role("button", name="Save").click()
    expect(page.locator("#margin-value")).to_have_text("60 %")

    add = page.locator("#spend-add")
    add.get_by_label("Month").fill("2025-01")
    add.get_by_label("Channel").fill("web")
    add.get_by_label("Spend").fill("500")
    add.get_by_role("button", name="Add").click()
    expect(page.locator("#spend-table tbody tr")).to_have_count(1)
    expect(page.locator("#missing-spend")).to_have_count(0)
    expect(page.locator("#ltv-cac")).to_have_text(re.compile(r"^\d+\.\d$"))
    first_ratio = float(page.locator("#ltv-cac").inner_text())
    expect(page.locator('[data-figure="payback-figure"] .main-svg').first).to_be_visible()

    row = page.locator("#spend-table tbody tr").first
    row.get_by_label("Spend").fill("1000")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#spend-table tbody tr").first.get_by_label("Spend")).to_have_value("1000.00")
    assert float(page.locator("#ltv-cac").inner_text()) == pytest.approx(first_ratio / 2, abs=0.06)  # twice the CAC
    page.screenshot(path=str(ARTIFACTS / "unit_economics.png"), full_page=True)

    page.get_by_label("Canvas", exact=True).select_option(label="Bikes lean")
    page.get_by_role("button", name="Put on the canvas").click()
    page.wait_for_url(f"**{canvas.get_absolute_url()}**")
    expect(page.locator("#block-key_metrics .item")).to_contain_text("LTV:CAC")
    expect(page.locator("#block-cost_structure .item")).to_contain_text("€")
    expect(page.locator("#block-channels .item")).to_have_count(2)

    for language, width in (("en-US", 1400), ("zh-CN", 1400), ("zh-CN", 390), ("en-US", 390)):
        context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
        other = context.new_page()
        log_in_any(other, live_server.url, editor.username)
        other.goto(f"{live_server.url}/ventures/{venture.pk}/economics/")
        expect(other.locator('[data-figure="payback-figure"] .main-svg').first).to_be_visible()
        if language == "zh-CN":
            expect(other.locator("h1")).to_have_text("单位经济")
        other.screenshot(path=str(ARTIFACTS / f"unit_economics-{language}-{width}.png"), full_page=True)
        context.close()


def log_in_any(page: Page, base_url: str, username: str) -> None:
    """Log in whatever the page's language (the form's fields by name)."""
    page.goto(base_url + "/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(base_url + "/")


def test_the_dashboard_panel_is_compact_and_opens_the_page(page: Page, live_server):
    team = TeamFactory()
    editor = member(team, Role.EDITOR).user
    venture = VentureFactory(team=team, name="Campus Bikes", currency="EUR", gross_margin=60)
    dataset = ready_dataset(user=editor, venture=venture, content=FROM_JANUARY_1)
    run = analysis_create(user=editor, dataset=dataset, kind="lifetime_value", params={})
    assert analysis_run(analysis_id=run.pk, attempt=1) == "succeeded"
    venture.marketing_spend.create(month=date(2025, 1, 1), channel="web", spend=500)
    Risk.objects.create(venture=venture, title="Bike theft", probability=4, impact=3)
    dashboard_layout_save(user=member(team, Role.OWNER).user, venture=venture, layout=["unit_economics", "risk_matrix"])
    log_in(page, live_server.url, editor.username, PASSWORD)

    page.goto(f"{live_server.url}/ventures/{venture.pk}/dashboard/")
    panel = page.locator("#panel-unit_economics")
    expect(panel.locator("strong").first).to_have_text(re.compile(r"^\d+\.\d$"))
    expect(page.locator("#panel-risk_matrix .main-svg").first).to_be_visible()
    assert page.locator("#panel-risk_matrix").bounding_box()["height"] > 400
    assert panel.bounding_box()["height"] < 300  # beside the chart, three numbers keep their own height
    panel.get_by_role("link", name="Open the page").click()

    page.wait_for_url(f"**/ventures/{venture.pk}/economics/?dataset={dataset.pk}")
    expect(page.locator("#ltv-cac")).to_have_text(re.compile(r"^\d+\.\d$"))
