"""Model runs through the API: start, follow, read the result in the contract's shape, figures, members CSV;
parameters checked before anything is queued; another team's ids are 404."""

import csv
import io

import pytest

from analysis.models import Analysis
from analysis.services import analysis_run
from tests.conftest import api_as
from tests.datasets.factories import ready_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(world):
    return ready_dataset(user=world.editor, venture=world.venture)


def start(client, dataset, kind, **params):
    return client.post("/api/v1/analyses/", {"dataset": dataset.pk, "kind": kind, "params": params}, format="json")


def finish(response) -> dict:
    analysis_id = response.json()["id"]
    assert analysis_run(analysis_id=analysis_id, attempt=1) == "succeeded", Analysis.objects.get(pk=analysis_id).error
    return response


def test_a_forecast_runs_and_reads_back_in_the_contract_shape(world, dataset, django_capture_on_commit_callbacks):
    client = api_as(world.editor)
    with django_capture_on_commit_callbacks() as callbacks:
        created = start(client, dataset, "forecast", metric="revenue", frequency="W", horizon=6)

    assert created.status_code == 201
    assert created.json()["status"] == "queued"
    assert len(callbacks) == 1  # the job is queued once the transaction commits
    finish(created)
    body = client.get(f"/api/v1/analyses/{created.json()['id']}/").json()

    assert (body["status"], body["progress"], body["error"]) == ("succeeded", 100, "")
    assert body["params"] == {"metric": "revenue", "frequency": "W", "horizon": 6, "split_by": "", "event": "", "thorough": False}
    [series] = body["result"]["series"]
    assert series["horizon"] == 6
    assert len(series["forecast"]) == 6
    assert set(series["forecast"][0]) == {"ds", "yhat", "lo80", "hi80", "lo95", "hi95"}
    assert all(p["lo95"] <= p["lo80"] <= p["yhat"] <= p["hi80"] <= p["hi95"] for p in series["forecast"])
    assert "SeasonalNaive" in series["backtest"]
    assert series["model"] in series["backtest"] or series["reason"].startswith("fallback")
    assert set(series["backtest"]["SeasonalNaive"]) == {"mase", "smape"}


def test_a_thorough_forecast_also_backtests_autoarima(world, dataset):
    client = api_as(world.editor)
    created = finish(start(client, dataset, "forecast", metric="revenue", frequency="W", horizon=4, thorough=True))
    body = client.get(f"/api/v1/analyses/{created.json()['id']}/").json()

    assert body["params"]["thorough"] is True
    for series in body["result"]["series"]:
        assert set(series["backtest"]["AutoARIMA"]) == {"mase", "smape"}
        assert series["model"] in series["backtest"]


def test_a_split_forecast_has_one_series_per_channel_and_a_figure_for_each(world, dataset):
    client = api_as(world.editor)
    created = finish(start(client, dataset, "forecast", metric="orders", frequency="W", horizon=4, split_by="channel"))
    analysis_id = created.json()["id"]

    keys = sorted(series["key"] for series in client.get(f"/api/v1/analyses/{analysis_id}/").json()["result"]["series"])
    figure = client.get(f"/api/v1/analyses/{analysis_id}/figures/forecast/", {"series": "web"})

    assert keys == ["app", "web"]
    assert figure.status_code == 200
    assert "web" in figure.json()["layout"]["title"]["text"]
    assert client.get(f"/api/v1/analyses/{analysis_id}/figures/forecast/", {"series": "fax"}).status_code == 404


def test_a_segmentation_runs_and_its_members_download_safely(world, dataset):
    client = api_as(world.editor)
    created = finish(start(client, dataset, "segmentation"))
    analysis_id = created.json()["id"]
    result = client.get(f"/api/v1/analyses/{analysis_id}/").json()["result"]

    assert 2 <= result["k"] <= 10
    assert sum(segment["size"] for segment in result["segments"]) == result["users"] == 60
    assert abs(sum(segment["revenue_share"] for segment in result["segments"]) - 1) < 1e-6
    assert {"id", "name", "size", "revenue_share", "profile"} <= set(result["segments"][0])
    assert result["method"] in ("rfm", "kmeans")
    if result["method"] == "kmeans":  # RFM segments have no silhouette: they are not clusters
        assert -1 <= result["silhouette"] <= 1
    else:
        assert result["silhouette"] is None
    assert len({segment["name"] for segment in result["segments"]}) == len(result["segments"])
    for name in ("segments", "scatter", "profiles"):
        assert client.get(f"/api/v1/analyses/{analysis_id}/figures/{name}/").status_code == 200
    segment = result["segments"][0]
    download = client.get(f"/api/v1/analyses/{analysis_id}/segments/{segment['id']}/members.csv")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert download["Content-Type"].startswith("text/csv")
    assert rows[0] == ["user_id", "segment", "rfm_segment", "recency", "frequency", "monetary"]
    assert len(rows) - 1 == segment["size"]
    assert client.get(f"/api/v1/analyses/{analysis_id}/segments/99/members.csv").status_code == 404


def test_member_ids_that_look_like_formulas_are_neutralised(world):
    content = "customer,time,amount\n" + "".join(f"=cmd{n % 12},2025-01-{n % 28 + 1:02d},{n}\n" for n in range(120))
    dataset = ready_dataset(
        user=world.editor,
        venture=world.venture,
        content=content.encode(),
        mapping={"user_id": "customer", "timestamp": "time", "amount": "amount"},
    )
    client = api_as(world.editor)
    analysis_id = finish(start(client, dataset, "segmentation", k=2)).json()["id"]

    download = client.get(f"/api/v1/analyses/{analysis_id}/segments/0/members.csv")
    text = b"".join(download.streaming_content).decode("utf-8-sig")

    assert "'=cmd" in text
    assert "\n=cmd" not in text


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"metric": "profit"}, "Unknown metric"),
        ({"metric": "quantity"}, "no quantity column"),
        ({"metric": "event_count"}, "which event"),
        ({"metric": "orders", "frequency": "fortnight"}, "Unknown frequency"),
        ({"metric": "orders", "frequency": "D", "horizon": 999}, "between 1 and 180"),
        ({"metric": "orders", "split_by": "product"}, "no product column"),
        ({"metric": "orders", "split_by": "user_id"}, "channel or product"),
        ({"metric": "orders", "thorough": "yes"}, "true or false"),
        ({"metric": "orders", "thorough": 1}, "true or false"),
    ],
)
def test_bad_forecast_parameters_are_refused_before_anything_runs(world, dataset, params, fragment):
    response = start(api_as(world.editor), dataset, "forecast", **params)

    assert response.status_code == 400
    assert response.json()["code"] == "params"
    assert fragment in response.json()["detail"]
    assert not Analysis.objects.exists()


@pytest.mark.parametrize(
    ("given", "stored", "horizon"),
    [("D", "D", 28), ("week", "W", 12), ("Month", "M", 6), ("quarter", "Q", 4), ("q", "Q", 4), ("YEAR", "Y", 3), ("Y", "Y", 3)],
)
def test_every_reporting_frequency_is_taken_as_a_letter_or_a_word(world, dataset, given, stored, horizon):
    response = start(api_as(world.editor), dataset, "forecast", metric="orders", frequency=given)

    assert response.status_code == 201
    assert Analysis.objects.get().params["frequency"] == stored
    assert Analysis.objects.get().params["horizon"] == horizon  # each frequency's own default


def test_a_quarterly_horizon_has_its_own_limit(world, dataset):
    response = start(api_as(world.editor), dataset, "forecast", metric="orders", frequency="quarter", horizon=13)

    assert response.status_code == 400
    assert "between 1 and 12" in response.json()["detail"]


def test_a_dataset_that_is_not_ready_cannot_be_modelled(world, dataset):
    dataset.status = "failed"
    dataset.save()

    response = start(api_as(world.editor), dataset, "segmentation")

    assert response.status_code == 409
    assert response.json()["code"] == "dataset_not_ready"


def test_viewers_read_but_do_not_run_and_other_teams_see_nothing(world, dataset):
    analysis_id = finish(start(api_as(world.editor), dataset, "segmentation", k=3)).json()["id"]
    outsider = api_as(world.other_owner)

    assert api_as(world.viewer).get(f"/api/v1/analyses/{analysis_id}/").status_code == 200
    assert start(api_as(world.viewer), dataset, "segmentation").status_code == 403
    assert outsider.get(f"/api/v1/analyses/{analysis_id}/").status_code == 404
    assert outsider.get(f"/api/v1/analyses/{analysis_id}/figures/segments/").status_code == 404
    assert outsider.get(f"/api/v1/analyses/{analysis_id}/segments/0/members.csv").status_code == 404
    assert start(outsider, dataset, "segmentation").status_code == 404
    assert outsider.get("/api/v1/analyses/").json()["count"] == 0
    assert outsider.delete(f"/api/v1/analyses/{analysis_id}/").status_code == 404


def test_a_rerun_keeps_the_earlier_run_and_changes_only_what_was_asked(world, dataset):
    client = api_as(world.editor)
    first = finish(start(client, dataset, "segmentation", k=3)).json()["id"]

    second = client.post(f"/api/v1/analyses/{first}/rerun/", {"params": {"k": 4}}, format="json")

    assert second.status_code == 201
    assert second.json()["params"] == {"k": 4}
    assert Analysis.objects.filter(dataset=dataset).count() == 2
    assert client.get("/api/v1/analyses/", {"dataset": dataset.pk}).json()["count"] == 2


def test_running_twice_does_the_work_once(world, dataset):
    analysis_id = finish(start(api_as(world.editor), dataset, "segmentation", k=2)).json()["id"]
    finished_at = Analysis.objects.get(pk=analysis_id).finished_at

    assert analysis_run(analysis_id=analysis_id, attempt=1) == "succeeded"
    assert analysis_run(analysis_id=analysis_id, attempt=0) == "succeeded"  # an outdated delivery
    assert Analysis.objects.get(pk=analysis_id).finished_at == finished_at


def test_a_cancelled_run_stops_and_keeps_no_result(world, dataset):
    client = api_as(world.editor)
    analysis_id = start(client, dataset, "segmentation").json()["id"]

    cancelled = client.post(f"/api/v1/analyses/{analysis_id}/cancel/")

    assert cancelled.json()["status"] == "cancelled"
    assert analysis_run(analysis_id=analysis_id, attempt=1) == "cancelled"
    assert Analysis.objects.get(pk=analysis_id).result == {}


def test_a_model_that_cannot_run_fails_with_the_reason(world):
    content = "customer,time\n" + "".join(f"c1,2025-01-{day:02d}\n" for day in range(1, 20))
    dataset = ready_dataset(
        user=world.editor, venture=world.venture, content=content.encode(), mapping={"user_id": "customer", "timestamp": "time"}
    )
    analysis_id = start(api_as(world.editor), dataset, "segmentation").json()["id"]

    assert analysis_run(analysis_id=analysis_id, attempt=1) == "failed"
    analysis = Analysis.objects.get(pk=analysis_id)
    assert analysis.error_code.startswith("model_")
    assert "customers" in analysis.error
