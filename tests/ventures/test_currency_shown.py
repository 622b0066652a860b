"""The venture's currency is shown with every money figure: dashboard panels, the forecast's and the lifetime value's
pages, the dataset's revenue chart, notes put on the canvas (and so its exports); a venture without one says so."""

import json
import re

import pytest
from django.utils import translation

from analysis.services import analysis_create, analysis_run
from canvas.models import CanvasItem
from evidence.services import analysis_to_canvas
from tests.canvas.factories import CanvasFactory
from tests.dashboards.factories import forecast_run, ready_dataset, segmentation_run
from tests.datasets.factories import ready_dataset as ingested_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def euros(world):
    world.venture.currency = "EUR"
    world.venture.save()
    dataset = ready_dataset(world.venture, name="Shop 2025")
    return dataset, forecast_run(dataset, yhat=1234.0)


def _panel(page: str, key: str) -> str:
    return re.search(rf'<section class="card dash-panel[^"]*" id="panel-{key}".*?</section>', page, re.S).group(0)


def test_the_dashboard_shows_revenue_in_the_currency(client, world, euros):
    dataset, _forecast = euros
    segmentation_run(dataset)
    client.force_login(world.viewer)

    page = client.get(f"/ventures/{world.venture.pk}/dashboard/").content.decode()

    numbers = _panel(page, "key_numbers")
    assert "<strong>€350</strong>" in numbers  # revenue of the last complete week
    assert "€1,234" in numbers  # the revenue forecast
    assert "sum of the amount column, EUR" in numbers
    forecast = _panel(page, "forecast")
    assert "€1,234, 80 % interval €1,219–€1,249" in forecast
    assert "Revenue (sum of the amount column, EUR)" in forecast
    assert "revenue (sum of the amount column, EUR), by segment" in _panel(page, "segmentation")


def test_without_a_currency_the_dashboard_says_none_is_set(client, world):
    forecast_run(ready_dataset(world.venture), yhat=1234.0)
    client.force_login(world.viewer)

    page = client.get(f"/ventures/{world.venture.pk}/dashboard/").content.decode()

    assert "no currency set" in _panel(page, "forecast")
    assert "€" not in page


def test_the_forecasts_page_shows_revenue_in_the_currency_and_counts_without(client, world, euros):
    dataset, forecast = euros
    orders = forecast_run(dataset, metric="orders", yhat=40.0)
    client.force_login(world.viewer)

    revenue_page = client.get(f"/analyses/{forecast.pk}/").content.decode()
    orders_page = client.get(f"/analyses/{orders.pk}/").content.decode()

    assert re.search(r'id="next-value">€1,234.0<', revenue_page)
    assert "80 % interval €1,219.0–€1,249.0" in revenue_page
    assert re.search(r'id="next-value">40.0<', orders_page)


def test_the_datasets_revenue_chart_names_the_currency(client, world):
    world.venture.currency = "EUR"
    world.venture.save()
    dataset = ingested_dataset(user=world.editor, venture=world.venture)
    client.force_login(world.viewer)

    page = client.get(f"/datasets/{dataset.pk}/").content.decode()

    figure = json.loads(re.search(r'<script id="activity" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert [trace["name"] for trace in figure["data"]] == ["Events", "Revenue (EUR)"]


def test_a_revenue_note_on_the_canvas_states_the_currency(world, euros):
    _dataset, forecast = euros
    canvas = CanvasFactory(venture=world.venture)

    with translation.override("en"):
        [item] = analysis_to_canvas(user=world.editor, analysis=forecast, canvas=canvas, language="en")

    assert "€1,234 (80 % interval €1,219–€1,249)" in item.text
    assert CanvasItem.objects.get(pk=item.pk).text == item.text  # what the exports print


def test_the_lifetime_value_page_and_note_state_the_currency(client, world):
    world.venture.currency = "EUR"
    world.venture.save()
    dataset = ingested_dataset(user=world.editor, venture=world.venture)
    run = analysis_create(user=world.editor, dataset=dataset, kind="lifetime_value", params={})
    assert analysis_run(analysis_id=run.pk, attempt=1) == "succeeded"
    run.refresh_from_db()
    client.force_login(world.viewer)

    page = client.get(f"/analyses/{run.pk}/").content.decode()
    with translation.override("en"):
        [item] = analysis_to_canvas(user=world.editor, analysis=run, canvas=CanvasFactory(venture=world.venture), language="en")

    section = re.search(r'<section class="card" id="lifetime-value">.*?</section>', page, re.S).group(0)
    assert re.search(r"per customer on average \(80 % range €[\d,.]+ to €[\d,.]+\)", section)
    assert re.search(r"Revenue per active customer per month, up to [\d-]+: €[\d,.]+\.", section)
    assert re.search(r"<td>€[\d,.]+</td>", section)  # value per customer by segment and channel
    assert re.match(r"ARPU €[\d,.]+ per month; expected 12-month value per customer €", item.text)
