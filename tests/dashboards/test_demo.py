"""The demo seed gives the demo venture a dashboard layout and a share link; the shared page of the demo venture,
with its dataset ingested, stays far below the ~1 MB page budget (figures are aggregates, whatever the data size)."""

import io
import re

import pytest
from django.core.management import call_command

from dashboards.demo import DEMO_LAYOUT
from dashboards.models import Dashboard, ShareLink
from datasets.models import Dataset
from datasets.services import dataset_ingest_run
from tests.dashboards.factories import forecast_run, ready_dataset

pytestmark = pytest.mark.django_db

PAGE_BUDGET_BYTES = 1_000_000


def _seed() -> str:
    out = io.StringIO()
    call_command("demo_seed", password="demo-password-123", stdout=out)
    return re.search(r"Demo share link \(no login; path on this server\): (/s/\S+/)", out.getvalue()).group(1)


def test_the_demo_has_a_layout_and_one_working_share_link_replaced_on_every_seed(client):
    first = _seed()
    second = _seed()

    assert Dashboard.objects.get().layout == DEMO_LAYOUT
    assert ShareLink.objects.count() == 1
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_the_demo_ventures_shared_page_payload(client):
    path = _seed()
    dataset = Dataset.objects.get()
    assert dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt) == "ready"

    page = client.get(path)
    body = page.content.decode()
    figures = [client.get(f"{path}figures/{name}.json").content for name in re.findall(r'id="figure-(\w+)"', body)]

    assert page.status_code == 200
    assert "1,500" in body or "1500" in body  # every demo shop is a customer in the data
    assert len(page.content) < PAGE_BUDGET_BYTES  # the figures are inline: this is the whole page but static files
    print(
        f"\nshared demo page: {len(page.content)} bytes of HTML with {len(figures)} inline figures ({sum(map(len, figures))} bytes of figure JSON)"
    )


def test_a_new_upload_does_not_change_the_demo_link_and_its_revenue_tile_is_filled(client):
    path = _seed()
    venture = Dashboard.objects.get().venture
    before = client.get(path).content.decode()

    newer = ready_dataset(venture, users=1998, name="Upload 1998")
    forecast_run(newer, metric="orders", frequency="D", yhat=9876)
    after = client.get(path).content.decode()

    tiles = re.findall(r"<strong>(.*?)</strong>", after)
    assert "Upload 1998" not in after
    assert "9,876" not in after
    assert tiles[3] != "—"  # the revenue forecast of the demo dataset, not the newer orders forecast
    assert re.findall(r"<strong>(.*?)</strong>", before)[:4] == tiles[:4]
