"""An owner shares the venture's dashboard; someone without an account opens the link and sees the charts, on a
desktop and on a phone, in English and in Chinese; the owner revokes the link and it stops working."""

import pypdfium2
import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from canvas.demo import BMC_TITLE, demo_canvases_seed
from dashboards.demo import DEMO_LAYOUT
from dashboards.services import dashboard_layout_save
from strategy.demo import demo_strategy_seed
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import ARTIFACTS, log_in
from tests.dashboards.factories import ready_dataset
from ventures.demo import demo_seed, demo_venture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo():
    """The demo venture (canvases, strategy views, a ready dataset's aggregates, the demo layout)."""
    login = demo_seed(password=PASSWORD)
    user = User.objects.get(username=login.username)
    venture = demo_venture(user=user)
    demo_canvases_seed(user=user, venture=venture)
    demo_strategy_seed(user=user, venture=venture)
    ready_dataset(venture, users=1500)
    dashboard_layout_save(user=user, venture=venture, layout=DEMO_LAYOUT, canvas=venture.canvases.get(title=BMC_TITLE))
    return {"user": user, "venture": venture}


def _charts_drawn(page: Page, *, phone: bool = False) -> None:
    """Plotly drew the four charts (an <svg> each) as the reader scrolled to them (static/js/figures.js draws a chart
    when it comes near the window). A phone shows the SWOT as lists instead of the quadrant chart, never drawn."""
    for panel in ("five_forces", "value_chain", "risk_matrix", *(() if phone else ("swot",))):
        page.locator(f"#panel-{panel} [data-figure]").first.scroll_into_view_if_needed()
        expect(page.locator(f"#panel-{panel} .js-plotly-plot .main-svg").first).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_have_count(3 if phone else 4)
    expect(page.locator("#panel-swot .quadrant-strength")).to_be_visible()
    if phone:
        expect(page.locator("#panel-swot [data-figure]")).to_be_hidden()


def test_owner_shares_the_dashboard_a_visitor_sees_the_charts_then_the_revoked_link_is_gone(
    page: Page, second_page: Page, browser: Browser, live_server, demo
):
    log_in(page, live_server.url, demo["user"].username, PASSWORD)
    page.goto(f"{live_server.url}/ventures/{demo['venture'].pk}/")
    page.get_by_role("link", name="Open the dashboard").click()
    expect(page.get_by_role("heading", name="Key numbers")).to_be_visible()
    _charts_drawn(page)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    # Printed (the export button prints): the charts and the canvas, none of the controls.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # what window.print() does first: charts to paper width
    expect(page.locator("#panel-risk_matrix .main-svg").first).to_have_attribute("width", "450")
    (ARTIFACTS / "dashboard-print.pdf").write_bytes(page.pdf(format="A4", landscape=True, print_background=True))
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    pdf = pypdfium2.PdfDocument(str(ARTIFACTS / "dashboard-print.pdf"))
    printed = "".join(pdf[index].get_textpage().get_text_range() for index in range(len(pdf)))
    pdf.close()
    assert "Key Partners" in printed
    assert "Create link" not in printed
    assert "Save layout" not in printed

    page.get_by_label("Label").fill("for investors")
    page.get_by_role("button", name="Create link").click()
    url = page.locator("#new-link").input_value()
    assert url.startswith(f"{live_server.url}/s/")

    visitor_errors: list[str] = []
    second_page.on("pageerror", lambda error: visitor_errors.append(str(error)))
    response = second_page.goto(url)
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    expect(second_page.get_by_role("heading", name="Ledgerly AI")).to_be_visible()
    _charts_drawn(second_page)
    expect(second_page.locator("form")).to_have_count(0)
    expect(second_page.locator("a")).to_have_count(0)
    second_page.screenshot(path=str(ARTIFACTS / "shared-dashboard.png"), full_page=True)
    second_page.set_viewport_size(PHONE)
    second_page.reload()
    _charts_drawn(second_page, phone=True)
    assert second_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than the phone
    second_page.screenshot(path=str(ARTIFACTS / "shared-dashboard-phone.png"), full_page=True)
    assert visitor_errors == []

    # A visitor whose browser prefers Chinese, on a phone.
    chinese = browser.new_context(locale="zh-CN", viewport=PHONE)
    try:
        zh_page = chinese.new_page()
        zh_page.goto(url)
        expect(zh_page.get_by_role("heading", name="关键数字")).to_be_visible()
        _charts_drawn(zh_page, phone=True)
        zh_page.screenshot(path=str(ARTIFACTS / "shared-dashboard-phone-zh.png"), full_page=True)
    finally:
        chinese.close()

    page.set_viewport_size(PHONE)
    page.reload()
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})

    page.on("dialog", lambda dialog: dialog.accept())  # "Revoke this link?"
    page.reload()
    row = page.locator("tr", has_text="for investors")
    expect(row.locator("td").nth(5)).to_have_text("3")  # views: on a desktop, reloaded on a phone, in Chinese
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator("tr", has_text="for investors")).to_contain_text("revoked")

    gone = second_page.reload()
    assert gone.status == 404
    expect(second_page.get_by_role("heading", name="Page not found")).to_be_visible()
