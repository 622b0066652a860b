"""The "Unit economics" panel: LTV:CAC, payback and CAC of the lifetime value run it is bound to, the spend and the
margin; what is missing said in words; the shared page reads the same without a user."""

import re
from datetime import date, datetime

import pytest

from analysis.services import analysis_create, analysis_run
from dashboards.panels import DEFAULT_LAYOUT
from dashboards.services import dashboard_layout_save, share_link_create
from economics.models import MarketingSpend
from tests.datasets.factories import orders_csv, ready_dataset

pytestmark = pytest.mark.django_db

FROM_JANUARY_1 = orders_csv(start=datetime(2025, 1, 1))  # January entirely covered: its spend counts


def _panel(page: str) -> str:
    return re.search(r'<section class="card dash-panel[^"]*" id="panel-unit_economics".*?</section>', page, re.S).group(0)


@pytest.fixture
def run(world):
    dataset = ready_dataset(user=world.editor, venture=world.venture, content=FROM_JANUARY_1)
    analysis = analysis_create(user=world.editor, dataset=dataset, kind="lifetime_value", params={})
    assert analysis_run(analysis_id=analysis.pk, attempt=1) == "succeeded"
    return analysis


def test_the_panel_shows_ltv_to_cac_and_payback(client, world, run):
    world.venture.gross_margin, world.venture.currency = 60, "EUR"
    world.venture.save()
    MarketingSpend.objects.create(venture=world.venture, month=date(2025, 1, 1), channel="web", spend=600)
    client.force_login(world.viewer)

    panel = _panel(client.get(f"/ventures/{world.venture.pk}/dashboard/").content.decode())

    numbers = re.findall(r"<strong>(.*?)</strong>", panel)
    assert re.fullmatch(r"\d+\.\d", numbers[0])  # LTV:CAC
    assert numbers[2].startswith("€")  # CAC
    assert "Lifetime value run, marketing spend and monthly cohorts" in panel
    assert f'href="/ventures/{world.venture.pk}/economics/?dataset={run.dataset_id}"' in panel  # the page behind it


def test_the_panel_says_what_is_missing_and_updates_when_spend_is_entered(client, world, run):
    dashboard_layout_save(user=world.owner, venture=world.venture, layout=list(DEFAULT_LAYOUT))
    client.force_login(world.viewer)
    url = f"/ventures/{world.venture.pk}/dashboard/"

    before = _panel(client.get(url).content.decode())
    MarketingSpend.objects.create(venture=world.venture, month=date(2025, 1, 1), channel="web", spend=600)
    after = _panel(client.get(url).content.decode())

    assert "No marketing spend entered yet." in before
    assert "No gross margin set yet." in before
    assert "No marketing spend entered yet." not in after  # the cached panel is rebuilt: the spend is part of its key


def test_a_venture_without_a_lifetime_value_run_is_told_how_to_get_one(client, world):
    client.force_login(world.viewer)

    panel = _panel(client.get(f"/ventures/{world.venture.pk}/dashboard/").content.decode())

    assert "No lifetime value run yet" in panel


def test_the_shared_page_shows_the_panel(client, world, run):
    MarketingSpend.objects.create(venture=world.venture, month=date(2025, 1, 1), channel="web", spend=600)
    world.venture.gross_margin = 60
    world.venture.save()
    _link, token = share_link_create(user=world.owner, venture=world.venture, label="Investors")

    panel = _panel(client.get(f"/s/{token}/").content.decode())

    assert re.fullmatch(r"\d+\.\d", re.findall(r"<strong>(.*?)</strong>", panel)[0])
    assert "/economics/" not in panel  # the shared page links into nothing


def test_a_panel_bound_to_a_shorter_run_asks_for_a_12_month_one(client, world):
    dataset = ready_dataset(user=world.editor, venture=world.venture)
    short = analysis_create(user=world.editor, dataset=dataset, kind="lifetime_value", params={"horizon_days": 90})
    assert analysis_run(analysis_id=short.pk, attempt=1) == "succeeded"
    client.force_login(world.viewer)

    panel = _panel(client.get(f"/ventures/{world.venture.pk}/dashboard/").content.decode())

    assert re.findall(r"<strong>(.*?)</strong>", panel)[0] == "—"
    assert "LTV:CAC needs a 12-month lifetime value run" in panel
