"""The chart pages load the app's own plotly.js bundle (only our trace types, strict: nothing compiled at run time)
and draw every figure under the CSP, with Plotly's toolbar in the reader's language."""

import pytest
from playwright.sync_api import Page, expect

from analysis.services import analysis_create, analysis_run
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import log_in
from tests.datasets.factories import ready_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUNDLE = "/static/vendor/plotly/plotly-bizcanvas.min.js"
GL_BUNDLE = "/static/vendor/plotly/plotly-bizcanvas-gl.min.js"  # the same with WebGL scatter: the segmentation's page
# Counts every Content-Security-Policy violation of the page (an eval in plotly.js would be one).
CSP_WATCH = "window.cspViolations = []; document.addEventListener('securitypolicyviolation', e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"


@pytest.fixture
def pages(world):
    """A ready dataset's page and a segmentation's (bar, scatter, the WebGL scatter, heatmap)."""
    dataset = ready_dataset(user=world.editor, venture=world.venture)
    analysis = analysis_create(user=world.editor, dataset=dataset, kind="segmentation", params={"k": 3})
    assert analysis_run(analysis_id=analysis.pk, attempt=analysis.attempt) == "succeeded"
    return {"user": world.editor, "paths": [f"/datasets/{dataset.pk}/", f"/analyses/{analysis.pk}/"]}


def _drawn_with_the_bundle(page: Page, url: str, bundle: str) -> None:
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url) if request.resource_type == "script" else None)
    page.goto(url)
    charts = page.locator("[data-figure]").all()
    assert charts
    for chart in charts:  # each drawn when scrolled to (static/js/figures.js draws the charts in view first)
        chart.scroll_into_view_if_needed()
        expect(chart.locator(".main-svg").first).to_be_visible()
    plotly = [script for script in scripts if "/vendor/plotly/" in script]
    assert len(plotly) == 1, plotly  # one bundle, the page's own
    assert bundle.removesuffix(".js") in plotly[0]  # ".min" ends the name before any hash: the gl one differs
    assert not any("plotly-strict" in script for script in scripts)
    assert page.evaluate("window.cspViolations") == []


def test_dataset_and_analysis_charts_draw_with_the_small_bundle_under_the_csp(page: Page, live_server, pages):
    page.add_init_script(CSP_WATCH)
    log_in(page, live_server.url, pages["user"].username, PASSWORD)
    dataset_page, segmentation_page = pages["paths"]
    _drawn_with_the_bundle(page, live_server.url + dataset_page, BUNDLE)  # the smaller bundle, without WebGL
    _drawn_with_the_bundle(page, live_server.url + segmentation_page, GL_BUNDLE)
    # The segment scatter is WebGL (scattergl, in its strict form): drawn on a canvas.
    expect(page.locator(".js-plotly-plot canvas").first).to_be_attached()


def test_the_chart_toolbar_speaks_chinese_to_a_chinese_reader(page: Page, live_server, pages):
    pages["user"].language = "zh-hans"
    pages["user"].save(update_fields=["language"])
    log_in(page, live_server.url, pages["user"].username, PASSWORD)
    page.goto(live_server.url + pages["paths"][0])
    page.locator(".js-plotly-plot").first.hover()

    expect(page.locator(".modebar-btn[data-title='下载图表为PNG格式']").first).to_be_attached()
