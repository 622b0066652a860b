"""Customer lifetime value through the analyses API: parameters checked before queueing, the run on the worker's
code path, the result in the shape the spend and canvas code read, the per-customer CSV streamed and
spreadsheet-safe, another team's run a 404."""

import csv
import io

import pytest

from analysis.models import Analysis
from analysis.services import analysis_run
from tests.conftest import api_as
from tests.datasets.factories import ready_dataset

pytestmark = pytest.mark.django_db

RESULT_KEYS = {
    "calibration_end",
    "horizon_days",
    "currency_free",
    "model",
    "customers",
    "repeat_customers",
    "totals",
    "average_value",
    "arpu",
    "distribution",
    "by_segment",
    "by_channel",
    "holdout",
    "model_error",
    "notes",
}


@pytest.fixture
def dataset(world):
    return ready_dataset(user=world.editor, venture=world.venture)


def start(client, dataset, **params):
    return client.post("/api/v1/analyses/", {"dataset": dataset.pk, "kind": "lifetime_value", "params": params}, format="json")


def finish(response) -> int:
    assert response.status_code == 201, response.json()
    analysis_id = response.json()["id"]
    assert analysis_run(analysis_id=analysis_id, attempt=1) == "succeeded", Analysis.objects.get(pk=analysis_id).error
    return analysis_id


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_a_run_with_a_holdout_reads_back_in_the_contract_shape(world, dataset):
    client = api_as(world.editor)
    analysis_id = finish(start(client, dataset, calibration_end="2025-04-15", horizon_days=180))
    body = client.get(f"/api/v1/analyses/{analysis_id}/").json()
    result = body["result"]

    assert body["params"] == {"calibration_end": "2025-04-15", "horizon_days": 180}
    assert set(result) == RESULT_KEYS
    assert (result["calibration_end"], result["horizon_days"], result["currency_free"]) == ("2025-04-15", 180, True)
    assert result["model"]["purchases"] == "BG/NBD"
    assert result["model"]["spend"] == "Gamma-Gamma"
    assert set(result["model"]["params"]) == {"r", "alpha", "a", "b", "p", "q", "v"}
    assert result["customers"] == 60
    assert 0 < result["repeat_customers"] <= 60
    for total in (result["totals"]["purchases"], result["totals"]["value"], result["average_value"]):
        assert 0 <= total["low"] <= total["value"] <= total["high"]
    assert result["average_value"]["value"] == pytest.approx(result["totals"]["value"]["value"] / 60)
    assert result["arpu"] > 0
    assert sum(segment["customers"] for segment in result["by_segment"]) == 60
    assert {row["channel"] for row in result["by_channel"]} == {"app", "web"}
    assert set(result["by_channel"][0]) == {"channel", "customers", "average_value", "average_purchases"}
    assert sum(bin_["customers"] for bin_ in result["distribution"]["bins"]) == 60
    holdout = result["holdout"]
    # The factory's log runs 140 days from 2025-01-06, so 40 days follow the calibration end.
    assert holdout["period_days"] == 40
    assert holdout["actual_total"] > 0
    assert {"predicted_total", "predicted_low", "model_low", "model_high", "mae", "naive_mae", "naive_total", "covered"} <= set(holdout)
    assert holdout["predicted_low"] <= holdout["model_low"] <= holdout["model_high"] <= holdout["predicted_high"]
    # 99 days of calibration: two inner cuts (at 50 and 62 days) leave four weeks or more after them.
    assert [cut["cut"] for cut in result["model_error"]["cuts"]] == ["2025-02-25", "2025-03-09"]
    assert result["model_error"]["error_share"] >= 0
    for name in ("value_distribution", "value_by_segment"):
        assert client.get(f"/api/v1/analyses/{analysis_id}/figures/{name}/").status_code == 200


def test_by_default_the_whole_log_is_calibrated_on_for_a_year_and_the_holdout_is_skipped(world, dataset):
    client = api_as(world.editor)
    analysis_id = finish(start(client, dataset))
    result = client.get(f"/api/v1/analyses/{analysis_id}/").json()["result"]

    assert Analysis.objects.get(pk=analysis_id).params == {"calibration_end": None, "horizon_days": 365}
    assert result["holdout"] == {"skipped": "no_data_after"}
    assert "calibrated_on_whole_log" in result["notes"]


def test_the_customers_csv_streams_every_customer_with_its_predictions(world, dataset):
    client = api_as(world.editor)
    analysis_id = finish(start(client, dataset, calibration_end="2025-04-15"))
    total = client.get(f"/api/v1/analyses/{analysis_id}/").json()["result"]["totals"]["value"]["value"]

    download = client.get(f"/api/v1/analyses/{analysis_id}/customers.csv")
    rows = csv_rows(download)

    assert download.streaming
    assert download["Content-Type"].startswith("text/csv")
    assert rows[0] == ["user_id", "predicted_purchases", "probability_active", "predicted_value"]
    assert len(rows) == 61
    assert all(0 <= float(row[2]) <= 1 for row in rows[1:])
    assert sum(float(row[3]) for row in rows[1:]) == pytest.approx(total, rel=1e-3)


def test_customer_ids_that_look_like_formulas_are_neutralised_in_the_csv(world):
    lines = ["customer,time,amount"] + [
        f"{prefix}{n % 15},2025-{n % 9 + 1:02d}-{n % 27 + 1:02d},{10 + n % 7}"
        for n in range(300)
        for prefix in ("=", "+", "-", "@")[n % 4 :][:1]
    ]
    dataset = ready_dataset(
        user=world.editor,
        venture=world.venture,
        content=("\n".join(lines) + "\n").encode(),
        mapping={"user_id": "customer", "timestamp": "time", "amount": "amount"},
    )
    client = api_as(world.editor)
    analysis_id = finish(start(client, dataset))

    rows = csv_rows(client.get(f"/api/v1/analyses/{analysis_id}/customers.csv"))

    assert len(rows) == 61
    assert all(row[0][0] == "'" and row[0][1] in "=+-@" for row in rows[1:])


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"calibration_end": "15/04/2025"}, "YYYY-MM-DD"),
        ({"calibration_end": "2025-02-30"}, "YYYY-MM-DD"),
        ({"calibration_end": "2024-12-31"}, "within the log"),
        ({"calibration_end": "2026-01-01"}, "within the log"),
        ({"horizon_days": 0}, "between 1 and 1095"),
        ({"horizon_days": 1096}, "between 1 and 1095"),
        ({"horizon_days": "a year"}, "whole number of days"),
        ({"horizon_days": 1.5}, "whole number of days"),
        ({"horizon_days": True}, "whole number of days"),
    ],
)
def test_bad_parameters_are_refused_before_anything_runs(world, dataset, params, fragment):
    response = start(api_as(world.editor), dataset, **params)

    assert response.status_code == 400
    assert response.json()["code"] == "params"
    assert fragment in response.json()["detail"]
    assert not Analysis.objects.exists()


def test_a_log_without_amounts_is_refused_with_the_reason(world):
    dataset = ready_dataset(
        user=world.editor,
        venture=world.venture,
        content=b"customer,time\n" + b"".join(f"c{n % 9},2025-01-{n % 28 + 1:02d}\n".encode() for n in range(90)),
        mapping={"user_id": "customer", "timestamp": "time"},
    )

    response = start(api_as(world.editor), dataset)

    assert response.status_code == 400
    assert "Value models need an amount column" in response.json()["detail"]


def test_a_log_where_nobody_came_back_fails_with_the_reason(world):
    dataset = ready_dataset(
        user=world.editor,
        venture=world.venture,
        content=b"customer,time,amount\n" + b"".join(f"c{n},2025-01-{n % 28 + 1:02d},{n + 5}\n".encode() for n in range(40)),
        mapping={"user_id": "customer", "timestamp": "time", "amount": "amount"},
    )
    analysis_id = start(api_as(world.editor), dataset).json()["id"]

    assert analysis_run(analysis_id=analysis_id, attempt=1) == "failed"
    analysis = Analysis.objects.get(pk=analysis_id)
    assert analysis.error_code == "model_no_repeaters"
    assert "Nobody bought on a second day" in analysis.error


def test_other_teams_get_404_and_viewers_read_but_cannot_run(world, dataset):
    analysis_id = finish(start(api_as(world.editor), dataset))
    outsider = api_as(world.other_owner)

    assert outsider.get(f"/api/v1/analyses/{analysis_id}/customers.csv").status_code == 404
    assert outsider.get(f"/api/v1/analyses/{analysis_id}/figures/value_distribution/").status_code == 404
    assert start(outsider, dataset).status_code == 404
    assert api_as(world.viewer).get(f"/api/v1/analyses/{analysis_id}/customers.csv").status_code == 200
    assert start(api_as(world.viewer), dataset).status_code == 403


def test_a_segmentation_has_no_customer_value_csv(world, dataset):
    client = api_as(world.editor)
    response = client.post("/api/v1/analyses/", {"dataset": dataset.pk, "kind": "segmentation", "params": {}}, format="json")
    finish(response)

    assert client.get(f"/api/v1/analyses/{response.json()['id']}/customers.csv").status_code == 404
