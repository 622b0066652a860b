"""A founder runs customer lifetime value from the dataset page with a real worker, reads what it expects and how it
did on the held-out weeks, downloads every customer's prediction, puts ARPU and the value per customer on the
canvas, and reads the same page in Chinese on a phone."""

import pytest
from playwright.sync_api import Browser, Page, expect

from teams.models import Role
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import ARTIFACTS, log_in
from tests.canvas.factories import CanvasFactory
from tests.datasets.factories import ready_dataset
from tests.teams.factories import TeamFactory, member
from tests.ventures.factories import VentureFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_lifetime_value_from_the_dataset_page_to_the_canvas_in_both_languages(page: Page, browser: Browser, live_server, worker):
    team = TeamFactory()
    founder = member(team, Role.EDITOR).user
    venture = VentureFactory(team=team, name="Campus Bikes")
    dataset = ready_dataset(user=founder, venture=venture)
    canvas = CanvasFactory(venture=venture, title="Bikes model")
    log_in(page, live_server.url, founder.username, PASSWORD)

    page.goto(f"{live_server.url}{dataset.get_absolute_url()}")
    form = page.locator("#lifetime-value-form")
    form.get_by_label("Fit on the log up to").fill("2025-04-15")
    form.get_by_label("Days ahead").fill("365")
    form.get_by_role("button", name="Run lifetime value").click()

    expect(page.locator("#analysis-status")).to_have_text("Succeeded", timeout=90_000)
    expect(page.locator("#value-totals")).to_contain_text("Over the next 365 days, the 60 customers seen so far are expected")
    expect(page.locator("#value-totals")).to_contain_text("The 80 % ranges hold the fit’s uncertainty")
    expect(page.locator("#value-holdout")).to_contain_text("Checked on the 40 days after 2025-04-15")
    expect(page.locator("#value-holdout")).to_contain_text("the same rate as before")
    for name in ("value_distribution", "value_by_segment"):  # each drawn when scrolled to (static/js/figures.js)
        page.locator(f'[data-figure="figure-{name}"]').scroll_into_view_if_needed()
        expect(page.locator(f'[data-figure="figure-{name}"] .main-svg').first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Every customer’s prediction (CSV)").click()
    assert download.value.suggested_filename.endswith("-customers.csv")
    page.screenshot(path=str(ARTIFACTS / "lifetime_value_en.png"), full_page=True)

    page.get_by_label("Canvas", exact=True).select_option(label="Bikes model")
    page.get_by_role("button", name="Add to canvas").click()
    page.wait_for_url(f"**{canvas.get_absolute_url()}**")
    note = page.locator("#block-revenue_streams .item")
    expect(note).to_have_count(1)
    expect(note).to_contain_text("expected 12-month value per customer")
    page.screenshot(path=str(ARTIFACTS / "lifetime_value_canvas.png"), full_page=True)

    founder.language = "zh-hans"
    founder.save()
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone.add_cookies(page.context.cookies())  # the same session, now on a phone
    chinese = phone.new_page()
    chinese.goto(f"{live_server.url}{dataset.analyses.get().get_absolute_url()}")
    expect(chinese.locator("#value-totals")).to_contain_text("在未来 365 天里")
    expect(chinese.locator("#value-totals")).to_contain_text("80 % 区间包含拟合参数的不确定性")
    expect(chinese.locator("#value-holdout")).to_contain_text("每位客户按以往的频率继续购买")
    chinese.locator('[data-figure="figure-value_distribution"]').scroll_into_view_if_needed()
    expect(chinese.locator('[data-figure="figure-value_distribution"] .main-svg').first).to_be_visible()
    chinese.screenshot(path=str(ARTIFACTS / "lifetime_value_zh_phone.png"), full_page=True)
    phone.close()
