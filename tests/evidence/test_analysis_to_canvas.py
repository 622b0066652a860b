"""The canvas fed by the data: segments become Customer Segments notes, a revenue forecast a Revenue Streams note,
each citing its analysis and carrying its chart."""

import re

import pytest
from django.core.exceptions import ValidationError

from analysis.services import analysis_create, analysis_run
from canvas.models import CanvasItem
from tests.canvas.factories import CanvasFactory, CanvasItemFactory
from tests.conftest import api_as
from tests.datasets.factories import ready_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(world):
    return ready_dataset(user=world.editor, venture=world.venture)


def finished(world, dataset, kind, **params):
    analysis = analysis_create(user=world.editor, dataset=dataset, kind=kind, params=params)
    assert analysis_run(analysis_id=analysis.pk, attempt=1) == "succeeded"
    analysis.refresh_from_db()
    return analysis


def test_segments_become_customer_segment_notes_once(world, dataset):
    analysis = finished(world, dataset, "segmentation", k=3)
    canvas = CanvasFactory(venture=world.venture)
    client = api_as(world.editor)

    first = client.post(f"/api/v1/analyses/{analysis.pk}/add-to-canvas/", {"canvas": canvas.pk}, format="json")
    again = client.post(f"/api/v1/analyses/{analysis.pk}/add-to-canvas/", {"canvas": canvas.pk}, format="json")

    assert first.status_code == 201
    items = first.json()["items"]
    assert len(items) == 3
    assert {item["block"] for item in items} == {"customer_segments"}
    assert all(item["evidence"] == f"/analyses/{analysis.pk}/#segments" for item in items)
    assert all(item["evidence_figure"] == f"/api/v1/analyses/{analysis.pk}/figures/segments/" for item in items)
    assert "customers" in items[0]["text"]
    assert "% of revenue" in items[0]["text"]
    assert [item["id"] for item in again.json()["items"]] == [item["id"] for item in items]
    assert CanvasItem.objects.filter(canvas=canvas).count() == 3


def test_a_revenue_forecast_becomes_a_revenue_streams_note_with_its_interval(world, dataset):
    analysis = finished(world, dataset, "forecast", metric="revenue", frequency="W", horizon=4)
    canvas = CanvasFactory(venture=world.venture, kind="lean")

    response = api_as(world.editor).post(f"/api/v1/analyses/{analysis.pk}/add-to-canvas/", {"canvas": canvas.pk}, format="json")

    [item] = response.json()["items"]
    next_period = analysis.result["series"][0]["forecast"][0]
    assert item["block"] == "revenue_streams"
    assert next_period["ds"] in item["text"]
    assert "80 % interval" in item["text"]


def test_only_a_revenue_forecast_feeds_revenue_streams(world, dataset):
    analysis = finished(world, dataset, "forecast", metric="orders", frequency="W", horizon=4)
    canvas = CanvasFactory(venture=world.venture)

    response = api_as(world.editor).post(f"/api/v1/analyses/{analysis.pk}/add-to-canvas/", {"canvas": canvas.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "not_revenue"


def test_another_venture_or_team_cannot_be_fed(world, dataset):
    analysis = finished(world, dataset, "segmentation", k=2)
    theirs = CanvasFactory(venture=world.other_venture)
    ours = CanvasFactory(venture=world.venture)

    assert (
        api_as(world.editor).post(f"/api/v1/analyses/{analysis.pk}/add-to-canvas/", {"canvas": theirs.pk}, format="json").status_code == 404
    )
    assert (
        api_as(world.other_owner).post(f"/api/v1/analyses/{analysis.pk}/add-to-canvas/", {"canvas": ours.pk}, format="json").status_code
        == 404
    )
    assert (
        api_as(world.viewer).post(f"/api/v1/analyses/{analysis.pk}/add-to-canvas/", {"canvas": ours.pk}, format="json").status_code == 403
    )


def test_the_canvas_shows_a_badge_that_opens_the_chart(client, world, dataset):
    analysis = finished(world, dataset, "segmentation", k=2)
    canvas = CanvasFactory(venture=world.venture)
    client.force_login(world.editor)

    response = client.post(f"/analyses/{analysis.pk}/to-canvas/", {"canvas": canvas.pk})
    page = client.get(canvas.get_absolute_url()).content.decode()

    assert response.status_code == 302
    assert response["Location"].startswith(canvas.get_absolute_url())
    assert f'data-evidence-figure="/api/v1/analyses/{analysis.pk}/figures/segments/"' in page
    assert f'data-evidence-page="/analyses/{analysis.pk}/#segments"' in page
    assert 'id="evidence-dialog"' in page


@pytest.mark.parametrize(
    "path",
    [
        "//evil.example/x",
        "javascript:alert(1)",
        "https://evil.example/",
        "/api/../admin/",
        "/canvases/1/",
        "/api/%2e%2e/admin/",  # a browser resolves the encoded dots to /admin/
        "/api/%2E%2E/admin/",
        "/api/v1/analyses/1/figures/%2e%2e/%2e%2e/%2e%2e/../admin/",
        "/api/v1/analyses/1/figures/..%2f..%2f..%2fadmin/",
        "/api/v1/analyses/1/figures/%252e%252e/",
        "/api/v1/analyses/1/figures/./segments/",
        "/api/v1/analyses/1/figures/segments/../../../../../admin/",
        "/api/v1/analyses/1/figures/segments%2f/",
        "/api\\..\\admin/",
        "/\\evil.example/api/v1/analyses/1/figures/segments/",
        "/api//v1/analyses/1/figures/segments/",
        "/api/v1/analyses/1/figures/segments/?next=//evil.example",
        "/api/v1/users/",
    ],
)
def test_a_chart_path_can_only_be_one_of_this_sites_api(path):
    item = CanvasItemFactory.build(canvas=CanvasFactory(), evidence_figure=path)

    with pytest.raises(ValidationError):
        item.full_clean()


@pytest.mark.parametrize("path", ["/api/v1/analyses/7/figures/segments/", "/api/v1/analyses/12/figures/forecast/", ""])
def test_an_analysis_figure_path_or_none_is_accepted(path):
    CanvasItemFactory.build(canvas=CanvasFactory(), evidence_figure=path).full_clean()


def test_lifetime_value_becomes_a_revenue_streams_note_with_arpu_and_the_value_range(world, dataset):
    analysis = finished(world, dataset, "lifetime_value", calibration_end="2025-04-15", horizon_days=365)
    canvas = CanvasFactory(venture=world.venture, kind="lean")

    response = api_as(world.editor).post(f"/api/v1/analyses/{analysis.pk}/add-to-canvas/", {"canvas": canvas.pk}, format="json")

    [item] = response.json()["items"]
    assert response.status_code == 201
    assert item["block"] == "revenue_streams"
    assert re.fullmatch(r"ARPU [\d,.]+ per month; expected 12-month value per customer [\d,.]+ \(80 %: [\d,.]+ – [\d,.]+\)", item["text"])
    assert item["note"].startswith("Checked on the 40 days after 2025-04-15")
    assert item["evidence"] == f"/analyses/{analysis.pk}/#lifetime-value"
    assert item["evidence_figure"] == f"/api/v1/analyses/{analysis.pk}/figures/value_distribution/"
    assert item["source"]["model"] == "BG/NBD, Gamma-Gamma"
    assert CanvasItem.objects.get(pk=item["id"]).source["figure"]["horizon_days"] == 365


def test_lifetime_value_notes_are_written_in_the_readers_language(world, dataset):
    analysis = finished(world, dataset, "lifetime_value", horizon_days=90)
    canvas = CanvasFactory(venture=world.venture)

    [item] = (
        api_as(world.editor)
        .post(f"/api/v1/analyses/{analysis.pk}/add-to-canvas/", {"canvas": canvas.pk}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .json()["items"]
    )

    assert item["text"].startswith("活跃客户月均收入 ")
    assert "未来 90 天的预期价值" in item["text"]
