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
