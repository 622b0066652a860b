"""The pages of a model run: started from the dataset's page, then its result in the reader's language."""

import re

import pytest

from analysis.models import Analysis
from analysis.services import analysis_run
from tests.datasets.factories import ready_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(world):
    return ready_dataset(user=world.editor, venture=world.venture)


def test_a_forecast_started_from_the_dataset_page_shows_its_candidates_and_why(client, world, dataset, django_capture_on_commit_callbacks):
    client.force_login(world.editor)
    form = {"kind": "forecast", "forecast-metric": "revenue", "forecast-frequency": "W", "forecast-horizon": "4"}

    with django_capture_on_commit_callbacks() as callbacks:
        started = client.post(f"/datasets/{dataset.pk}/analyses/new/", form)
    analysis = Analysis.objects.get()
    analysis_run(analysis_id=analysis.pk, attempt=1)
    page = client.get(started["Location"]).content.decode()

    assert started["Location"] == f"/analyses/{analysis.pk}/"
    assert len(callbacks) == 1
    assert analysis.params == {"metric": "revenue", "frequency": "W", "horizon": 4, "split_by": "", "event": "", "thorough": False}
    assert 'id="candidates"' in page
    assert "repeating last year" in page  # the baselines by what they do, not by class name
    assert re.search(r"\d+ % (lower|higher) error than repeating", page)
    assert 'name="forecast-horizon" value="4"' in page  # "run again" starts from this run's parameters
    assert '<span class="chip">Frequency: week</span>' in page  # the parameters in words, not `frequency=W`
    assert "metric=" not in page


def test_the_forecast_form_offers_autoarima_and_passes_the_choice_on(client, world, dataset):
    client.force_login(world.editor)
    page = client.get(f"/datasets/{dataset.pk}/").content.decode()

    client.post(
        f"/datasets/{dataset.pk}/analyses/new/",
        {"kind": "forecast", "forecast-metric": "orders", "forecast-frequency": "W", "forecast-horizon": "4", "forecast-thorough": "on"},
    )

    assert 'name="forecast-thorough"' in page
    assert "Also try AutoARIMA (slower)" in page
    assert Analysis.objects.get().params["thorough"] is True


def test_the_result_speaks_the_readers_language(client, world, dataset):
    client.force_login(world.editor)
    client.post(f"/datasets/{dataset.pk}/analyses/new/", {"kind": "segmentation", "segmentation-k": "3"})
    analysis = Analysis.objects.get()
    analysis_run(analysis_id=analysis.pk, attempt=1)

    page = client.get(f"/analyses/{analysis.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "客户细分" in page
    assert any(segment["name_zh"] in page for segment in Analysis.objects.get().result["segments"])


def test_bad_parameters_from_the_form_are_explained_and_nothing_runs(client, world, dataset):
    client.force_login(world.editor)

    response = client.post(
        f"/datasets/{dataset.pk}/analyses/new/",
        {"kind": "forecast", "forecast-metric": "revenue", "forecast-frequency": "D", "forecast-horizon": "999"},
        follow=True,
    )

    assert not Analysis.objects.exists()
    assert "180" in response.content.decode()


def test_viewers_see_results_but_no_run_forms(client, world, dataset):
    client.force_login(world.viewer)

    page = client.get(f"/datasets/{dataset.pk}/").content.decode()
    response = client.post(f"/datasets/{dataset.pk}/analyses/new/", {"kind": "segmentation"})

    assert 'id="models"' in page
    assert 'id="segmentation-form"' not in page
    assert not Analysis.objects.exists()
    assert response.status_code in (302, 403)


def test_the_forecasters_notes_are_in_the_readers_language(client, world, dataset):
    client.force_login(world.editor)
    client.post(
        f"/datasets/{dataset.pk}/analyses/new/",
        {"kind": "forecast", "forecast-metric": "orders", "forecast-frequency": "W", "forecast-horizon": "4"},
    )
    analysis = Analysis.objects.get()
    analysis_run(analysis_id=analysis.pk, attempt=1)

    page = client.get(f"/analyses/{analysis.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "short_history" in Analysis.objects.get().result["series"][0]["notes"]  # 20 weeks: under two seasons
    assert "历史数据不足两个季节周期" in page
    assert "Less than two seasons" not in page


def test_a_runs_parameters_read_as_words_in_chinese(client, world, dataset):
    Analysis.objects.create(
        dataset=dataset,
        kind="forecast",
        params={"metric": "revenue", "frequency": "W", "horizon": 12, "thorough": True},
        created_by=world.editor,
    )
    Analysis.objects.create(dataset=dataset, kind="segmentation", params={}, created_by=world.editor)
    client.force_login(world.viewer)

    page = client.get(f"/datasets/{dataset.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    chips = re.findall(r'<span class="chip">(.*?)</span>', page)
    assert chips == ["客群数量：自动", "预测：收入", "频率：周", "向前预测 12 期", "同时尝试了 AutoARIMA"]
    assert "=" not in "".join(chips)


def test_lifetime_value_started_from_the_dataset_page_reads_in_words_in_both_languages(client, world, dataset):
    client.force_login(world.editor)
    dataset_page = client.get(f"/datasets/{dataset.pk}/").content.decode()
    started = client.post(
        f"/datasets/{dataset.pk}/analyses/new/",
        {"kind": "lifetime_value", "lifetime_value-calibration_end": "2025-04-15", "lifetime_value-horizon_days": "180"},
    )
    analysis = Analysis.objects.get()
    assert analysis_run(analysis_id=analysis.pk, attempt=1) == "succeeded"

    english = client.get(started["Location"]).content.decode()
    chinese = client.get(started["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert 'id="lifetime-value-form"' in dataset_page
    assert analysis.params == {"calibration_end": "2025-04-15", "horizon_days": 180}
    assert re.search(
        r"Over the next 180 days, the 60 customers seen so far are expected to buy again about [\d,]+ times \(80 % range", english
    )
    assert re.search(r"That is [\d,.]+ per customer on average", english)
    assert re.search(
        r"The 80 % ranges hold the fit’s uncertainty, the chance in who buys and the model’s own error: refitted at 2 "
        r"earlier dates from 2025-\d\d-\d\d to 2025-\d\d-\d\d, it missed the rest of the log up to 2025-04-15 by up to \d+ % "
        r"beyond its own range|The 80 % ranges hold the fit’s uncertainty and the chance in who buys: refitted at 2 earlier dates",
        english,
    )
    assert "Checked on the 40 days after 2025-04-15, which the model did not see" in english
    assert "each customer keeps buying at the same rate as before" in english
    assert re.search(r"Revenue per active customer per month, up to 2025-04-15: [\d,.]+\.", english)
    assert 'id="value-channels"' in english
    assert f"/api/v1/analyses/{analysis.pk}/customers.csv" in english
    assert '<span class="chip">Fitted up to: 2025-04-15</span>' in english
    assert "在未来 180 天里" in chinese
    assert "80 % 区间" in chinese
    assert re.search(r"80 % 区间包含拟合参数的不确定性[^<]*在 2025-\d\d-\d\d 至 2025-\d\d-\d\d 之间的 2 个较早日期重新拟合后", chinese)
    assert "与“每位客户按以往的频率继续购买”这一简单预测相比" in chinese
    assert "冠军客户" in chinese or "忠诚客户" in chinese
    english_arpu, chinese_arpu = (re.search(r'id="value-arpu">(.*?)</dd>', page).group(1) for page in (english, chinese))
    assert re.search(r": [\d,.]+\. \d+ customers? bought on more than one day\.$", english_arpu)  # a space between sentences
    assert re.search(r"[\d,.]+。\d+ 位客户在不止一天购买过。$", chinese_arpu)  # none after "。"


def test_without_amounts_the_dataset_page_offers_no_lifetime_value(client, world):
    dataset = ready_dataset(
        user=world.editor,
        venture=world.venture,
        content=b"customer,time\n" + b"".join(f"c{n % 9},2025-01-{n % 28 + 1:02d}\n".encode() for n in range(90)),
        mapping={"user_id": "customer", "timestamp": "time"},
    )
    client.force_login(world.editor)

    page = client.get(f"/datasets/{dataset.pk}/").content.decode()
    refused = client.post(f"/datasets/{dataset.pk}/analyses/new/", {"kind": "lifetime_value"})

    assert 'id="lifetime-value-form"' not in page
    assert refused.status_code == 404
    assert not Analysis.objects.exists()
