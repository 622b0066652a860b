"""A founder fills a SWOT and the five forces in the browser and sees the charts, in English and in Chinese."""

import re

import pypdfium2
import pytest
from playwright.sync_api import Page, expect

from strategy.models import ForceDriver, Insight
from teams.models import Role
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import ARTIFACTS, log_in
from tests.teams.factories import TeamFactory, member
from tests.ventures.factories import VentureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fill_swot_and_five_forces_see_the_charts_then_read_them_in_chinese(page: Page, live_server):
    team = TeamFactory()
    owner = member(team, Role.OWNER).user
    venture = VentureFactory(team=team, name="Campus Bikes")
    log_in(page, live_server.url, owner.username, PASSWORD)
    page.goto(f"{live_server.url}/ventures/{venture.pk}/")
    page.get_by_role("link", name="Open the strategy views").click()

    swot_items = page.locator("section", has=page.get_by_role("heading", name="SWOT items"))
    for text, kind in (("Campus partnerships", "strength"), ("Rival e-scooters", "threat")):
        swot_items.locator("summary", has_text="Add").click()
        swot_items.get_by_label("Insight").fill(text)
        swot_items.get_by_label("SWOT tag").select_option(kind)
        swot_items.get_by_role("button", name="Save").click()
        expect(page.locator(".quadrant", has_text=text)).to_be_visible()
    expect(page.locator('[data-figure="swot"] .main-svg').first).to_be_visible()  # Plotly drew the chart

    page.get_by_role("link", name="Five forces").click()
    drivers = page.locator("section", has=page.get_by_role("heading", name="Drivers of the five forces"))
    drivers.locator("summary", has_text="Add").click()
    drivers.get_by_label("Force").select_option("buyer_power")
    drivers.get_by_label("Driver").fill("Students compare prices")
    drivers.get_by_label("Score").fill("4")
    drivers.get_by_role("button", name="Save").click()
    expect(page.get_by_text(re.compile("Industry attractiveness"))).to_be_visible()
    expect(page.locator('[data-figure="five_forces"] .main-svg').first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "five_forces_english.png"), full_page=True)

    page.get_by_role("button", name="简体中文").click()
    expect(page.locator('[data-figure="five_forces"]')).to_contain_text("购买者的议价能力")
    expect(page.get_by_role("link", name="五力模型")).to_be_visible()

    # The PDF button prints the page; printed, it keeps the chart and drops the controls.
    pdf = pypdfium2.PdfDocument(page.pdf(format="A4", landscape=True))
    printed = "".join(pdf[index].get_textpage().get_text_range() for index in range(len(pdf)))
    pdf.close()
    assert "购买者的议价能力" in printed
    assert "Students compare prices" in printed

    assert list(Insight.objects.values_list("kind", flat=True).order_by("kind")) == ["strength", "threat"]
    assert ForceDriver.objects.get().score == 4


def test_an_empty_chart_leads_to_the_form_that_fills_it_and_a_phone_gets_short_labels(page: Page, live_server):
    team = TeamFactory()
    owner = member(team, Role.OWNER).user
    venture = VentureFactory(team=team, name="Campus Bikes")
    log_in(page, live_server.url, owner.username, PASSWORD)
    page.goto(f"{live_server.url}/ventures/{venture.pk}/strategy/swot/")

    expect(page.locator("[data-figure]")).to_have_count(0)  # no empty quadrants drawn
    page.get_by_role("link", name="Add the first entry").click()
    expect(page.locator("#add-swot")).to_be_visible()  # its <details> opened
    expect(page.locator("#add-swot").get_by_label("Insight")).to_be_focused()
    page.locator("#add-swot").get_by_label("Insight").fill("Partnerships with three universities and the city council")
    page.locator("#add-swot").get_by_label("SWOT tag").select_option("strength")
    page.locator("#add-swot").get_by_role("button", name="Save").click()

    page.set_viewport_size({"width": 390, "height": 900})
    page.reload()
    label = page.locator('[data-figure="swot"] .textpoint text').first
    expect(label).to_be_visible()
    assert len(label.text_content() or "") <= 2 * 14 + 1  # the narrow labels: two lines of 14 columns at most


def test_a_chart_below_the_window_is_drawn_when_scrolled_to_and_before_printing(page: Page, live_server):
    """A first visit draws only the charts in view (static/js/figures.js); the drivers' bars below are drawn when
    the reader scrolls near them, and every chart is drawn for printing."""
    from strategy.demo import demo_strategy_seed

    team = TeamFactory()
    owner = member(team, Role.OWNER).user
    venture = VentureFactory(team=team, name="Campus Bikes")
    demo_strategy_seed(user=owner, venture=venture)
    log_in(page, live_server.url, owner.username, PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(f"{live_server.url}/ventures/{venture.pk}/strategy/five_forces/")
    radar, bars = page.locator('[data-figure="five_forces"]'), page.locator('[data-figure="force_drivers"]')
    expect(radar).to_have_attribute("data-drawn", re.compile(r"^\d+$"))
    assert bars.evaluate("el => el.getBoundingClientRect().top") > 800  # below the window and the margin drawn ahead
    assert bars.get_attribute("data-drawn") is None
    assert bars.locator(".main-svg").count() == 0

    bars.scroll_into_view_if_needed()
    expect(bars).to_have_attribute("data-drawn", re.compile(r"^\d+$"))
    expect(bars.locator(".main-svg").first).to_be_visible()

    page.goto(f"{live_server.url}/ventures/{venture.pk}/strategy/value_chain/")
    page.set_viewport_size({"width": 1280, "height": 200})
    page.reload()
    chart = page.locator('[data-figure="value_chain"]')
    assert chart.get_attribute("data-drawn") is None
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(chart.locator(".main-svg").first).to_have_attribute("width", chart.get_attribute("data-print-width") or "")


def _printed(page: Page, url: str, name: str) -> bytes:
    """The view's PDF as the PDF button makes it: the charts redrawn at their printed size, then printed."""
    page.goto(url)  # loaded: figures.js has drawn the charts in view, and waits to draw the others
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # what the PDF button and window.print() do first
    for chart in page.locator("[data-figure]").all():  # the competitors view has none
        expect(chart.locator(".main-svg").first).to_have_attribute("width", chart.get_attribute("data-print-width") or "")
    page.emulate_media(media="print")
    raw = page.pdf(format="A4", landscape=True, print_background=True, tagged=True)
    (ARTIFACTS / f"strategy_{name}.pdf").write_bytes(raw)
    return raw


def _text(pdf: pypdfium2.PdfDocument) -> str:
    """The document's text, each run of white space one space (PDFium breaks lines where the layout wraps them)."""
    return " ".join("".join(pdf[index].get_textpage().get_text_range() for index in range(len(pdf))).split())


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("kind", ["swot", "five_forces", "value_chain", "risks", "competitors"])
def test_each_strategy_view_of_the_demo_prints_on_one_page(page: Page, live_server, kind, language):
    """The PDF button prints the demo's view on one page of A4 landscape, in English and in Chinese: the charts and
    each row once, no controls."""
    from strategy.demo import demo_strategy_seed

    team = TeamFactory()
    owner = member(team, Role.OWNER).user
    owner.language = language
    owner.save()
    venture = VentureFactory(team=team, name="Campus Bikes")
    demo_strategy_seed(user=owner, venture=venture, language=language)
    log_in(page, live_server.url, owner.username, PASSWORD)
    pdf = pypdfium2.PdfDocument(_printed(page, f"{live_server.url}/ventures/{venture.pk}/strategy/{kind}/", f"{kind}_{language}"))
    pages, printed = len(pdf), _text(pdf)
    pdf.close()

    assert pages == 1
    assert "CampusBikes" in printed.replace(" ", "")  # the document says whose view it is
    assert not re.search(r"\b(Edit|Delete|Add|Save|History|PDF)\b", printed)
    assert not re.search("编辑|删除|添加|保存|历史", printed.replace(" ", ""))
    if kind == "swot" and language == "en":  # listed in the quadrants, not again in the SWOT items and All insights tables
        assert printed.count("Partnerships with three accounting firms") == 3  # the chart, its quadrant, the TOWS row
        assert "All insights" not in printed


def _figures_by_page(pdf: pypdfium2.PdfDocument) -> dict[str, list[int]]:
    """The pages each chart is drawn on, from the tagged PDF's structure: Chromium tags a chart (role="img") as a
    Figure whose alternative text is its aria-label, and PDFium lists per page the elements with content there."""
    import ctypes

    import pypdfium2.raw as pdfium

    def text(getter, element) -> str:
        size = getter(element, None, 0)
        if size <= 2:
            return ""
        buffer = ctypes.create_string_buffer(size)
        getter(element, buffer, size)
        return buffer.raw[: size - 2].decode("utf-16-le")

    found: dict[str, list[int]] = {}

    def walk(element, index: int) -> None:
        if text(pdfium.FPDF_StructElement_GetType, element) == "Figure" and (name := text(pdfium.FPDF_StructElement_GetAltText, element)):
            found.setdefault(name, []).append(index)
            return
        for child in range(pdfium.FPDF_StructElement_CountChildren(element)):
            if kid := pdfium.FPDF_StructElement_GetChildAtIndex(element, child):
                walk(kid, index)

    pages = [pdf[index] for index in range(len(pdf))]  # held: PDFium frees a page's tree with the page
    for index, page in enumerate(pages):
        tree = pdfium.FPDF_StructTree_GetForPage(page.raw)
        for child in range(pdfium.FPDF_StructTree_CountChildren(tree)):
            walk(pdfium.FPDF_StructTree_GetChildAtIndex(tree, child), index)
        pdfium.FPDF_StructTree_Close(tree)
    return found


def _large_venture(owner, venture) -> None:
    """Far more rows than a page holds: long SWOT lists and TOWS, thirty drivers, every activity, forty risks."""
    from strategy import labels
    from strategy.resources import FIVE_FORCES, INSIGHTS, RISKS, TOWS, VALUE_CHAIN
    from strategy.services import row_create

    long = "a finding written out at length, the way a founder notes it after a long customer interview"
    insights = [
        row_create(
            user=owner,
            venture=venture,
            resource=INSIGHTS,
            text=f"{quadrant.name('en')} {number}: {long}",
            kind=quadrant.key,
            weight=1 + number % 5,
        )
        for quadrant in labels.SWOT_QUADRANTS
        for number in range(12)
    ]
    for number in range(20):
        row_create(
            user=owner,
            venture=venture,
            resource=TOWS,
            kind="so",
            text=f"Strategy {number}: {long}",
            first_id=insights[number % 12].pk,  # strengths, then opportunities: an S-O pair
            second_id=insights[24 + number % 12].pk,
        )
    for number in range(30):
        force = labels.FORCES[number % len(labels.FORCES)].key
        row_create(user=owner, venture=venture, resource=FIVE_FORCES, force=force, text=f"Driver {number}", score=1 + number % 5, weight=2)
    for activity in labels.ACTIVITIES:
        row_create(user=owner, venture=venture, resource=VALUE_CHAIN, activity=activity.key, description=long, cost_share=5, value_score=3)
    for number in range(40):
        row_create(
            user=owner,
            venture=venture,
            resource=RISKS,
            title=f"Risk {number}: {long}",
            category="technical",
            probability=1 + number % 5,
            impact=1 + number // 8,
        )


@pytest.mark.parametrize("kind", ["swot", "five_forces", "value_chain", "risks"])
def test_a_view_too_long_for_one_page_flows_on_without_splitting_a_chart(page: Page, live_server, kind):
    team = TeamFactory()
    owner = member(team, Role.OWNER).user
    venture = VentureFactory(team=team, name="Campus Bikes")
    _large_venture(owner, venture)
    log_in(page, live_server.url, owner.username, PASSWORD)
    url = f"{live_server.url}/ventures/{venture.pk}/strategy/{kind}/"
    charts = page.locator("[data-figure][role=img]")
    pdf = pypdfium2.PdfDocument(_printed(page, url, f"{kind}_large"))
    names = [charts.nth(index).get_attribute("aria-label") for index in range(charts.count())]
    pages, placed = len(pdf), _figures_by_page(pdf)
    pdf.close()

    assert pages >= 2
    assert sorted(placed) == sorted(names)  # every chart printed…
    assert all(len(on) == 1 for on in placed.values()), placed  # …each on one page
