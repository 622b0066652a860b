"""Unit economics on the canvas: Cost Structure (CAC by channel), Channels (each channel's CAC and share of new
customers), Key Metrics on a Lean Canvas (LTV:CAC, payback); one note per finding, updated in place, with provenance,
and stale once the spend, the margin or the lifetime value run behind it changed."""

from datetime import date, datetime

import pytest

from analysis.services import analysis_create, analysis_run
from canvas.models import CanvasItem
from canvas.sources import sources_check
from economics.models import MarketingSpend
from tests.canvas.factories import CanvasFactory
from tests.datasets.factories import orders_csv, ready_dataset

pytestmark = pytest.mark.django_db

FROM_JANUARY_1 = orders_csv(start=datetime(2025, 1, 1))  # January entirely covered: its spend counts


@pytest.fixture
def economics(world):
    dataset = ready_dataset(user=world.editor, venture=world.venture, content=FROM_JANUARY_1)
    run = analysis_create(user=world.editor, dataset=dataset, kind="lifetime_value", params={})
    assert analysis_run(analysis_id=run.pk, attempt=1) == "succeeded"
    world.venture.gross_margin, world.venture.currency = 60, "EUR"
    world.venture.save()
    MarketingSpend.objects.create(venture=world.venture, month=date(2025, 1, 1), channel="web", spend=600)
    return dataset


def _add(client, world, canvas):
    return client.post(f"/ventures/{world.venture.pk}/economics/to-canvas/", {"canvas": canvas.pk})


def test_the_findings_land_in_their_blocks_with_provenance_once(client, world, economics):
    canvas = CanvasFactory(venture=world.venture, kind="lean")
    client.force_login(world.editor)

    first = _add(client, world, canvas)
    ids = set(canvas.items.values_list("id", flat=True))
    _add(client, world, canvas)

    assert first.status_code == 302
    assert set(canvas.items.values_list("id", flat=True)) == ids  # updated in place, nothing added
    blocks = {item.finding.rsplit("/", 1)[1]: item for item in CanvasItem.objects.filter(canvas=canvas)}
    assert set(blocks) == {"cac", "channel:web", "channel:app", "key_metrics"}
    assert blocks["cac"].block == "cost_structure"
    assert blocks["cac"].text.startswith("Customer acquisition cost (CAC): €")
    assert "web €" in blocks["cac"].text
    assert blocks["channel:web"].block == "channels"
    assert "% of new customers" in blocks["channel:web"].text
    assert blocks["channel:app"].text.startswith("app (organic): ")
    assert blocks["key_metrics"].block == "key_metrics"
    assert blocks["key_metrics"].text.startswith("LTV:CAC ")
    assert "paid CAC paid back in" in blocks["key_metrics"].text
    assert blocks["key_metrics"].note.startswith("Paid CAC €")
    assert "blended with organic" in blocks["cac"].text
    source = blocks["key_metrics"].source
    assert (source["kind"], source["dataset"], source["dataset_name"]) == ("unit_economics", economics.pk, "Orders")
    assert source["period_start"] == "2025-01-01"
    assert blocks["key_metrics"].evidence.startswith(f"/ventures/{world.venture.pk}/economics/")


def test_a_business_model_canvas_gets_no_key_metrics_note(client, world, economics):
    canvas = CanvasFactory(venture=world.venture, kind="business_model")
    client.force_login(world.editor)

    _add(client, world, canvas)

    assert set(canvas.items.values_list("block", flat=True)) == {"cost_structure", "channels"}


def test_notes_go_stale_when_spend_or_margin_change(client, world, economics):
    canvas = CanvasFactory(venture=world.venture, kind="lean")
    client.force_login(world.editor)
    _add(client, world, canvas)

    fresh = list(canvas.items.all())
    sources_check(fresh)
    MarketingSpend.objects.create(venture=world.venture, month=date(2025, 2, 1), channel="web", spend=100)
    world.venture.gross_margin = 40
    world.venture.save()
    later = list(canvas.items.all())
    sources_check(later)

    assert all(item.stale == [] for item in fresh)
    assert all({stale.code for stale in item.stale} == {"spend_changed", "margin_changed"} for item in later)


def test_without_spend_nothing_lands_and_the_reason_is_shown(client, world, economics):
    MarketingSpend.objects.all().delete()
    canvas = CanvasFactory(venture=world.venture, kind="lean")
    client.force_login(world.editor)

    page = client.post(f"/ventures/{world.venture.pk}/economics/to-canvas/", {"canvas": canvas.pk}, follow=True).content.decode()

    assert not canvas.items.exists()
    assert "Enter spend first: CAC divides it by the new customers." in page


def test_a_viewer_or_another_venture_cannot_put_them_on_a_canvas(client, world, economics):
    canvas = CanvasFactory(venture=world.venture, kind="lean")
    theirs = CanvasFactory(venture=world.other_venture, kind="lean")
    client.force_login(world.viewer)
    viewer = _add(client, world, canvas)
    client.force_login(world.editor)
    other = _add(client, world, theirs)

    assert viewer.status_code in (302, 403)
    assert other.status_code == 404
    assert not CanvasItem.objects.exists()


def test_paid_spend_without_new_customers_says_so_on_the_notes(client, world, economics):
    MarketingSpend.objects.create(venture=world.venture, month=date(2025, 1, 1), channel="billboards", spend=50)
    canvas = CanvasFactory(venture=world.venture, kind="lean")
    client.force_login(world.editor)

    _add(client, world, canvas)

    notes = {item.finding.rsplit("/", 1)[1]: item.text for item in CanvasItem.objects.filter(canvas=canvas)}
    assert notes["channel:billboards"].startswith("billboards: spend but no new customers")
    assert "billboards no new customers" in notes["cac"]
