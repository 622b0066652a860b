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
