"""The unit economics page on an ingested dataset (its month cohorts computed by the ingest) and a real lifetime value
run: what is missing is said, CAC is spend ÷ the cohort's new customers of that channel, LTV:CAC is shown, spend for a
channel the data never saw is flagged; rows are added, changed and deleted with plain forms; roles and teams hold."""

import re
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from analysis.services import analysis_create, analysis_run
from datasets.selectors import dataset_cohorts
from economics.models import MarketingSpend
from tests.datasets.factories import orders_csv, ready_dataset

pytestmark = pytest.mark.django_db

FROM_JANUARY_1 = orders_csv(start=datetime(2025, 1, 1))  # January entirely covered: its spend counts

JANUARY = date(2025, 1, 1)


@pytest.fixture
def dataset(world):
    return ready_dataset(user=world.editor, venture=world.venture, content=FROM_JANUARY_1)


@pytest.fixture
def lifetime_value(world, dataset):
    run = analysis_create(user=world.editor, dataset=dataset, kind="lifetime_value", params={})
    assert analysis_run(analysis_id=run.pk, attempt=1) == "succeeded"
    run.refresh_from_db()
    return run


def _page(client, world, **query) -> str:
    response = client.get(f"/ventures/{world.venture.pk}/economics/", query)
    assert response.status_code == 200
    return response.content.decode()


def _january_web_customers(world, dataset) -> int:
    table = dataset_cohorts(user=world.editor, dataset=dataset, period="month")
    return next(cohort for cohort in table.cohorts if cohort.start == JANUARY).size_by_channel["web"]


def test_an_empty_venture_is_asked_for_spend_margin_and_a_lifetime_value_run(client, world, dataset):
    client.force_login(world.editor)

    page = _page(client, world)

    assert 'id="missing-spend"' in page
    assert 'id="missing-margin"' in page
    assert f'href="/datasets/{dataset.pk}/#models"' in page  # where a lifetime value run is started
    assert "No spend entered yet." in page


def test_cac_and_ltv_to_cac_by_channel_with_an_unseen_channel_flagged(client, world, dataset, lifetime_value):
    world.venture.gross_margin, world.venture.currency = 60, "EUR"
    world.venture.save()
    MarketingSpend.objects.create(venture=world.venture, month=JANUARY, channel="web", spend=600)
    MarketingSpend.objects.create(venture=world.venture, month=JANUARY, channel="billboards", spend=50)
    client.force_login(world.viewer)

    page = _page(client, world)

    web_cac = 600 / _january_web_customers(world, dataset)
    web_value = next(row["average_value"] for row in lifetime_value.result["by_channel"] if row["channel"] == "web")
    web_row = re.search(r"<tr><td><span translate=\"no\">web</span>.*?</tr>", page, re.S).group(0)
    assert f"€{web_cac:,.2f}" in web_row
    assert f"{0.6 * web_value / web_cac:.1f}" in web_row  # LTV:CAC of the channel
    assert re.search(r'id="ltv-cac">\d+\.\d<', page)
    billboards = re.search(r"<tr><td><span translate=\"no\">billboards</span>.*?</tr>", page, re.S).group(0)
    assert "not in the data" in billboards
    app_row = re.search(r"<tr><td><span translate=\"no\">app</span>.*?</tr>", page, re.S).group(0)
    assert "organic" in app_row  # a channel without spend
    assert 'id="payback-figure"' in page
    assert "<form" not in page.split('id="spend"')[1]  # a viewer gets no forms


def test_rows_are_added_changed_and_deleted_with_plain_forms(client, world, dataset):
    client.force_login(world.editor)
    base = f"/ventures/{world.venture.pk}/economics/spend/"

    client.post(base, {"month": "2025-02", "channel": "web", "spend": "120"})
    row = MarketingSpend.objects.get()
    client.post(f"{base}{row.pk}/", {"month": "2025-03", "channel": "web", "spend": "80.5"})
    row.refresh_from_db()
    changed = (row.month, str(row.spend))
    bad = client.post(base, {"month": "soon", "channel": "web", "spend": "1"}, follow=True).content.decode()
    client.post(f"{base}{row.pk}/delete/")

    assert changed == (date(2025, 3, 1), "80.50")
    assert "The month is not a year and month like 2025-03." in bad
    assert not MarketingSpend.objects.exists()


def test_a_csv_upload_lists_the_lines_not_kept(client, world, dataset):
    client.force_login(world.editor)
    content = b"month,channel,spend\n2025-01,web,100\n2025-02,web,lots\n"

    page = client.post(
        f"/ventures/{world.venture.pk}/economics/spend/upload/", {"file": SimpleUploadedFile("s.csv", content)}
    ).content.decode()

    assert "1 rows added, 0 updated, 0 already so, 1 lines not kept." in page
    assert "Line 3: The spend is not a number." in page
    assert MarketingSpend.objects.get().channel == "web"


def test_the_margin_is_set_on_the_page(client, world, dataset):
    client.force_login(world.editor)

    client.post(f"/ventures/{world.venture.pk}/economics/margin/", {"gross_margin": "55"})

    world.venture.refresh_from_db()
    assert world.venture.gross_margin == 55


def test_viewers_cannot_write_and_strangers_see_nothing(client, world, dataset):
    row = MarketingSpend.objects.create(venture=world.venture, month=JANUARY, channel="web", spend=10)
    client.force_login(world.viewer)

    added = client.post(f"/ventures/{world.venture.pk}/economics/spend/", {"month": "2025-02", "channel": "web", "spend": "1"})
    deleted = client.post(f"/ventures/{world.venture.pk}/economics/spend/{row.pk}/delete/")
    margin = client.post(f"/ventures/{world.venture.pk}/economics/margin/", {"gross_margin": "10"})
    client.force_login(world.other_owner)
    stranger = client.get(f"/ventures/{world.venture.pk}/economics/")
    through_theirs = client.post(f"/ventures/{world.other_venture.pk}/economics/spend/{row.pk}/delete/")

    assert (added.status_code, deleted.status_code, margin.status_code) == (403, 403, 403)
    assert (stranger.status_code, through_theirs.status_code) == (404, 404)
    assert MarketingSpend.objects.count() == 1


def test_the_page_in_chinese(client, world, dataset, lifetime_value):
    MarketingSpend.objects.create(venture=world.venture, month=JANUARY, channel="web", spend=600)
    world.venture.gross_margin, world.venture.currency = 60, "CNY"
    world.venture.save()
    client.force_login(world.editor)

    page = client.get(f"/ventures/{world.venture.pk}/economics/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "单位经济" in page
    assert "¥600" in page


def test_ltv_to_cac_keeps_the_12_month_basis_when_a_shorter_run_is_newer(client, world, dataset, lifetime_value):
    world.venture.gross_margin = 60
    world.venture.save()
    MarketingSpend.objects.create(venture=world.venture, month=JANUARY, channel="web", spend=600)
    client.force_login(world.editor)
    before = re.search(r'id="ltv-cac">([^<]+)<', _page(client, world)).group(1)
    short = analysis_create(user=world.editor, dataset=dataset, kind="lifetime_value", params={"horizon_days": 90})
    assert analysis_run(analysis_id=short.pk, attempt=1) == "succeeded"

    page = _page(client, world)

    assert re.search(r'id="ltv-cac">([^<]+)<', page).group(1) == before
    basis = re.search(r'id="ltv-basis">.*?</span>', page, re.S).group(0)
    assert "12 months" in basis
    assert f'href="{lifetime_value.get_absolute_url()}"' in basis


def test_only_a_shorter_lifetime_value_run_asks_for_a_12_month_one(client, world, dataset):
    short = analysis_create(user=world.editor, dataset=dataset, kind="lifetime_value", params={"horizon_days": 90})
    assert analysis_run(analysis_id=short.pk, attempt=1) == "succeeded"
    client.force_login(world.editor)

    page = _page(client, world)

    missing = re.search(r'id="missing-ltv">.*?</li>', page, re.S).group(0)
    assert "Start a 12-month lifetime value run" in missing
    assert f'href="/datasets/{dataset.pk}/#models"' in missing


def test_the_channel_table_shows_the_cacs_divisor_the_margin_and_spend_without_customers(client, world, dataset, lifetime_value):
    world.venture.gross_margin = 70
    world.venture.save()
    MarketingSpend.objects.create(venture=world.venture, month=JANUARY, channel="web", spend=600)
    MarketingSpend.objects.create(venture=world.venture, month=JANUARY, channel="billboards", spend=50)
    client.force_login(world.editor)

    page = _page(client, world)

    assert "New customers in months with spend" in page
    assert "LTV × gross margin ÷ CAC" in page
    assert "(70 %)" in page
    web_row = re.search(r"<tr><td><span translate=\"no\">web</span>.*?</tr>", page, re.S).group(0)
    assert f"<td>{_january_web_customers(world, dataset)}</td>" in web_row
    billboards = re.search(r"<tr><td><span translate=\"no\">billboards</span>.*?</tr>", page, re.S).group(0)
    assert "no new customers" in billboards  # paid, not organic: spend without a customer


def test_the_headline_cac_is_paid_and_the_blended_one_is_labelled(client, world, dataset):
    world.venture.currency = "EUR"
    world.venture.save()
    MarketingSpend.objects.create(venture=world.venture, month=JANUARY, channel="web", spend=600)
    client.force_login(world.editor)

    page = _page(client, world)

    table = dataset_cohorts(user=world.editor, dataset=dataset, period="month")
    january = next(cohort for cohort in table.cohorts if cohort.start == JANUARY)
    assert re.search(r'id="cac">([^<]+)<', page).group(1) == f"€{600 / january.size_by_channel['web']:,.2f}"
    blended = re.search(r'id="blended-cac">([^<]+)<', page).group(1)
    assert blended.startswith(f"€{600 / january.size:,.2f} blended, with organic")
    assert "Months to pay back the paid CAC" in page


def test_spend_in_months_the_data_covers_partly_or_not_at_all_is_left_out_and_said(client, world):
    dataset = ready_dataset(user=world.editor, venture=world.venture)  # from 2025-01-06: 26 days of January
    world.venture.currency = "EUR"
    world.venture.save()
    MarketingSpend.objects.create(venture=world.venture, month=JANUARY, channel="web", spend=600)
    MarketingSpend.objects.create(venture=world.venture, month=date(2025, 2, 1), channel="web", spend=100)
    MarketingSpend.objects.create(venture=world.venture, month=date(2026, 1, 1), channel="web", spend=5000)
    client.force_login(world.editor)

    page = _page(client, world, dataset=dataset.pk)

    warning = re.search(r'id="left-out">.*?</section>', page, re.S).group(0)
    assert "Spend in 2025-01 is left out: the data covers only 26 days of it." in warning
    assert "Spend in 2026-01 is left out: the data does not cover it." in warning
    assert re.search(r'id="cac">([^<]+)<', page).group(1) == "€100.00"  # February's spend ÷ its one new web customer


def test_a_dataset_without_amounts_or_channels_says_so_instead_of_offering_a_run(client, world):
    mapping = {"user_id": "customer", "timestamp": "time", "event": "event"}
    dataset = ready_dataset(user=world.editor, venture=world.venture, content=FROM_JANUARY_1, mapping=mapping)
    MarketingSpend.objects.create(venture=world.venture, month=JANUARY, channel="web", spend=600)
    client.force_login(world.editor)

    page = _page(client, world)
    dataset_page = client.get(dataset.get_absolute_url()).content.decode()

    assert 'id="missing-amounts"' in page
    assert 'id="missing-ltv"' not in page  # no "start a run" that cannot start
    assert 'id="no-channel-column"' in page
    assert "not in the data" not in page
    unavailable = re.search(r'id="lifetime-value-unavailable">.*?</div>', dataset_page, re.S).group(0)
    assert "needs an amount column" in unavailable
