"""A dataset's retention cohorts: computed by the ingest beside its Parquet, queued on the worker for a dataset
ingested before that, read back through the selector and GET /api/v1/datasets/{id}/cohorts/."""

import json
import re
from datetime import date, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from datasets.models import Dataset, DatasetCohorts
from datasets.selectors import CohortsPending, dataset_cohorts
from datasets.services import dataset_cohorts_run, dataset_delete, dataset_ingest_run, dataset_ingest_start
from ingest.cohorts import cohort_tables
from tests.conftest import api_as
from tests.datasets.factories import MAPPING, ready_dataset

pytestmark = pytest.mark.django_db

WITHOUT_AMOUNT = {"user_id": "customer", "timestamp": "time", "event": "event"}
WITHOUT_CHANNEL = {**WITHOUT_AMOUNT, "amount": "amount"}


@pytest.fixture
def dataset(world):
    return ready_dataset(user=world.editor, venture=world.venture)


def test_the_ingest_computes_the_cohorts_of_its_parquet(world, dataset):
    cohorts = DatasetCohorts.objects.get(dataset=dataset)
    with default_storage.open(dataset.parquet, "rb") as parquet:
        expected = cohort_tables(parquet, amounts=True, channels=True)

    assert (cohorts.status, cohorts.parquet) == ("ready", dataset.parquet)
    assert dataset_cohorts(user=world.viewer, dataset=dataset, period="week") == expected["week"]
    assert dataset_cohorts(user=world.viewer, dataset=dataset, period="month") == expected["month"]


def test_the_api_answers_the_contract_shape(world, dataset):
    body = api_as(world.viewer).get(f"/api/v1/datasets/{dataset.pk}/cohorts/?period=week&measure=active").json()
    expected = dataset_cohorts(user=world.viewer, dataset=dataset, period="week")

    assert set(body) == {
        "status",
        "period",
        "measure",
        "cohorts",
        "average",
        "average_customers",
        "average_cohorts",
        "last_day",
        "partial_last",
    }
    assert (body["period"], body["measure"]) == ("week", "active")
    first = body["cohorts"][0]
    assert first["start"] == "2025-01-06"
    assert first["values"][0] == 1.0
    assert [cohort["size"] for cohort in body["cohorts"]] == [cohort.size for cohort in expected.cohorts]
    assert sum(sum(cohort["sizes_by_channel"].values()) for cohort in body["cohorts"]) == 60  # every customer once
    assert all(0 <= value <= 1 for cohort in body["cohorts"] for value in cohort["values"])
    assert body["average"] == pytest.approx(list(expected.average_active))
    assert (body["last_day"], body["partial_last"]) == (expected.last_day.isoformat(), expected.partial_last)
    assert body["average_customers"] == list(expected.average_customers)
    assert len(body["average_customers"]) == len(body["average"])


def test_the_partial_last_month_stays_in_the_values_and_out_of_the_average(world):
    """A log ending on 2025-02-10: February is partial, so each cohort's last value (February) is kept in its
    values but left out of the average, whose last age is then the one January's cohort has whole."""
    rows = (
        ["customer,time,event,amount"]
        + [f"c{number},2025-01-{1 + number % 28:02d} 10:00,buy,10" for number in range(40)]
        + [f"c{number},2025-02-10 10:00,buy,10" for number in range(10)]
    )
    dataset = ready_dataset(user=world.editor, venture=world.venture, content=("\n".join(rows) + "\n").encode(), mapping=WITHOUT_CHANNEL)

    body = api_as(world.viewer).get(f"/api/v1/datasets/{dataset.pk}/cohorts/?period=month").json()

    assert (body["last_day"], body["partial_last"]) == ("2025-02-10", True)
    assert [cohort["values"] for cohort in body["cohorts"]] == [pytest.approx([1.0, 0.25])]
    assert (body["average"], body["average_customers"], body["average_cohorts"]) == ([1.0], [40], [1])


def test_revenue_is_per_original_customer(world, dataset):
    body = api_as(world.viewer).get(f"/api/v1/datasets/{dataset.pk}/cohorts/?period=month&measure=revenue").json()
    expected = dataset_cohorts(user=world.viewer, dataset=dataset, period="month")

    assert [cohort["values"] for cohort in body["cohorts"]] == [pytest.approx(list(cohort.revenue)) for cohort in expected.cohorts]
    assert body["cohorts"][0]["values"][0] > 1


@pytest.mark.parametrize(
    ("query", "message"),
    [("period=day", "The period must be week or month."), ("measure=churn", "The measure must be active or revenue.")],
)
def test_a_bad_period_or_measure_is_a_400_that_says_which(world, dataset, query, message):
    response = api_as(world.viewer).get(f"/api/v1/datasets/{dataset.pk}/cohorts/?{query}")

    assert response.status_code == 400
    assert message in str(response.json())


def test_revenue_without_an_amount_column_is_a_400_naming_it(world):
    dataset = ready_dataset(user=world.editor, venture=world.venture, mapping=WITHOUT_AMOUNT)
    client = api_as(world.viewer)

    refused = client.get(f"/api/v1/datasets/{dataset.pk}/cohorts/?measure=revenue")
    active = client.get(f"/api/v1/datasets/{dataset.pk}/cohorts/?measure=active").json()

    assert refused.status_code == 400
    assert refused.json()["code"] == "no_amount"
    assert "amount" in refused.json()["detail"]
    assert active["cohorts"]
    assert "sizes_by_channel" not in active["cohorts"][0]


def test_another_teams_dataset_is_a_404_and_queues_nothing(world, dataset):
    DatasetCohorts.objects.all().delete()

    response = api_as(world.other_owner).get(f"/api/v1/datasets/{dataset.pk}/cohorts/")

    assert response.status_code == 404
    assert not DatasetCohorts.objects.exists()


def test_a_dataset_not_ready_is_a_409(world):
    dataset = ready_dataset(user=world.editor, venture=world.venture)
    dataset_ingest_start(user=world.editor, dataset=dataset, mapping=MAPPING)

    response = api_as(world.viewer).get(f"/api/v1/datasets/{dataset.pk}/cohorts/")

    assert (response.status_code, response.json()["code"]) == (409, "not_ready")


def test_a_dataset_ingested_before_cohorts_gets_them_on_the_worker_202_then_200(world, dataset, django_capture_on_commit_callbacks):
    """As after the migration: a ready Parquet without cohorts. The first read queues the job (once), answers 202 with
    progress until the worker is done, then 200; the job run twice does the work once."""
    DatasetCohorts.objects.all().delete()
    client = api_as(world.viewer)

    with django_capture_on_commit_callbacks() as sent:
        first = client.get(f"/api/v1/datasets/{dataset.pk}/cohorts/?period=week")
        again = client.get(f"/api/v1/datasets/{dataset.pk}/cohorts/?period=week")
    cohorts = DatasetCohorts.objects.get(dataset=dataset)
    runs = [dataset_cohorts_run(cohorts_id=cohorts.pk, attempt=cohorts.attempt) for _ in range(2)]
    done = client.get(f"/api/v1/datasets/{dataset.pk}/cohorts/?period=week")

    assert (first.status_code, first.json()) == (202, {"status": "queued", "progress": 0})
    assert again.status_code == 202
    assert len(sent) == 1  # one message for one computation
    assert runs == ["ready", "ready"]
    assert done.status_code == 200
    assert done.json()["cohorts"][0]["values"][0] == 1.0


def test_cohorts_stored_before_partial_periods_were_told_apart_are_computed_again(world, dataset, django_capture_on_commit_callbacks):
    cohorts = DatasetCohorts.objects.get(dataset=dataset)
    with default_storage.open(cohorts.file, "rb") as stored:
        tables = json.load(stored)
    for table in tables.values():  # the shape stored before: no last day, no partial flag, no counts under the average
        for key in ("last_day", "partial_last", "average_customers", "average_cohorts"):
            del table[key]
    default_storage.delete(cohorts.file)
    default_storage.save(cohorts.file, ContentFile(json.dumps(tables).encode()))
    client = api_as(world.viewer)

    with django_capture_on_commit_callbacks() as sent:
        first = client.get(f"/api/v1/datasets/{dataset.pk}/cohorts/?period=month")
        again = client.get(f"/api/v1/datasets/{dataset.pk}/cohorts/?period=month")
    cohorts.refresh_from_db()
    assert dataset_cohorts_run(cohorts_id=cohorts.pk, attempt=cohorts.attempt) == "ready"
    done = client.get(f"/api/v1/datasets/{dataset.pk}/cohorts/?period=month").json()

    assert (first.status_code, again.status_code, len(sent)) == (202, 202, 1)
    assert "partial_last" in done
    assert len(done["average_customers"]) == len(done["average"])


def test_a_failed_computation_says_why(world, dataset):
    DatasetCohorts.objects.all().delete()
    dataset_cohorts(user=world.viewer, dataset=dataset, period="month")
    cohorts = DatasetCohorts.objects.get(dataset=dataset)
    default_storage.delete(dataset.parquet)  # the Parquet gone from storage: the job fails on it

    assert dataset_cohorts_run(cohorts_id=cohorts.pk, attempt=cohorts.attempt) == "failed"
    assert dataset_cohorts(user=world.viewer, dataset=dataset, period="month") == CohortsPending(
        "failed", 0, cohorts.messages.storage % {"error": "FileNotFoundError"}
    )
    response = api_as(world.viewer).get(f"/api/v1/datasets/{dataset.pk}/cohorts/")
    assert (response.status_code, response.json()["code"], response.json()["status"]) == (409, "cohorts_failed", "failed")


def test_a_new_ingest_replaces_the_cohorts_and_stops_a_computation_for_the_old_parquet(world, dataset):
    DatasetCohorts.objects.all().delete()
    dataset_cohorts(user=world.viewer, dataset=dataset, period="month")
    queued = DatasetCohorts.objects.get(dataset=dataset)
    old_parquet = dataset.parquet

    dataset = dataset_ingest_start(user=world.editor, dataset=dataset, mapping=MAPPING)
    assert dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt) == "ready"
    dataset.refresh_from_db()
    cohorts = DatasetCohorts.objects.get(dataset=dataset)

    assert dataset_cohorts_run(cohorts_id=queued.pk, attempt=queued.attempt) == "ready"  # nothing left to do
    assert cohorts.parquet == dataset.parquet != old_parquet
    assert DatasetCohorts.objects.get(dataset=dataset).file == cohorts.file
    assert isinstance(dataset_cohorts(user=world.viewer, dataset=dataset, period="month").cohorts[0].size, int)


def test_reingesting_deletes_the_old_cohorts_file_and_deleting_the_dataset_the_current_one(
    world, dataset, django_capture_on_commit_callbacks
):
    old = DatasetCohorts.objects.get(dataset=dataset).file

    with django_capture_on_commit_callbacks(execute=True):
        dataset = dataset_ingest_start(user=world.editor, dataset=dataset, mapping=MAPPING)
    with django_capture_on_commit_callbacks(execute=True):
        dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt)
    current = DatasetCohorts.objects.get(dataset=dataset).file
    assert not default_storage.exists(old)
    assert default_storage.exists(current)

    with django_capture_on_commit_callbacks(execute=True):
        dataset_delete(user=world.editor, dataset=Dataset.objects.get(pk=dataset.pk))
    assert not default_storage.exists(current)


def weekly_signups_csv(weeks: int) -> bytes:
    """Two customers a week for `weeks` weeks from Monday 2025-01-06; the first of each comes back the next week."""
    start = datetime(2025, 1, 6, 10)
    lines = ["customer,time,event,amount,channel"]
    for week in range(weeks):
        for number in range(2):
            lines.append(f"w{week}-{number},{start + timedelta(weeks=week, days=number):%Y-%m-%d %H:%M},buy,10,web")
        lines.append(f"w{week}-0,{start + timedelta(weeks=week + 1):%Y-%m-%d %H:%M},buy,5,web")
    return ("\n".join(lines) + "\n").encode()


def figure(page: str, name: str) -> dict:
    return json.loads(re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', page, re.S).group(1))


def test_the_page_shows_the_latest_cohorts_as_a_heat_map_with_numbers_and_the_average(client, world):
    dataset = ready_dataset(user=world.editor, venture=world.venture, content=weekly_signups_csv(20))
    client.force_login(world.viewer)

    page = client.get(f"/datasets/{dataset.pk}/?period=week&measure=active").content.decode()
    heatmap, average = figure(page, "cohorts-heatmap")["data"][0], figure(page, "cohorts-average")["data"][0]

    assert "Retention" in page
    assert "The latest 12 of 20 weekly cohorts." in page
    assert heatmap["type"] == "heatmap"
    assert heatmap["y"][0] == "2025-03-03 · 2"  # the 9th week (2025-01-06 + 8): the latest 12 of 20
    assert heatmap["text"][0][:2] == ["100", "50"]  # per cent, in the cells
    assert average["y"][:2] == pytest.approx([100.0, 50.0])


def test_the_partial_last_period_is_grey_on_the_page_and_thin_averages_are_left_out(client, world):
    """20 weekly cohorts of 2 customers, the log ending on a Monday: the last week is partial, each row's last cell
    is drawn grey apart from the others; the average rests on 40 customers at age 0, fewer later, and its points on
    fewer than 30 customers are not drawn."""
    dataset = ready_dataset(user=world.editor, venture=world.venture, content=weekly_signups_csv(20))
    table = dataset_cohorts(user=world.viewer, dataset=dataset, period="week")
    client.force_login(world.viewer)

    page = client.get(f"/datasets/{dataset.pk}/?period=week&measure=active").content.decode()
    full, partial = figure(page, "cohorts-heatmap")["data"]
    average = figure(page, "cohorts-average")["data"][0]

    assert (table.last_day, table.partial_last) == (date(2025, 5, 26), True)
    assert "The last week is partial: up to May 26, 2025." in page
    assert partial["z"][-1][:2] == [None, 0]  # the newest cohort: its second week (age 1) is the partial one
    assert partial["text"][-1][1] == "50"
    assert full["z"][-1][1] is None
    assert full["text"][0][:2] == ["100", "50"]
    assert "Weeks since first event" in page
    assert [point[0] for point in average["customdata"]] == [customers for customers in table.average_customers if customers >= 30]
    assert len(average["y"]) < len(table.average_active)
    assert "The average curve leaves out the ages resting on fewer than 30 customers or on a single cohort." in page


def test_the_page_switches_to_months_and_revenue(client, world, dataset):
    client.force_login(world.viewer)

    page = client.get(f"/datasets/{dataset.pk}/?period=month&measure=revenue").content.decode()
    expected = dataset_cohorts(user=world.viewer, dataset=dataset, period="month")

    assert "Revenue per original customer" in page
    assert figure(page, "cohorts-heatmap")["data"][0]["text"][0][0] == f"{expected.cohorts[0].revenue[0]:,.2f}"
    assert 'aria-current="page">By month' in page


def test_data_within_one_period_says_why_there_is_no_grid(client, world):
    dataset = ready_dataset(
        user=world.editor,
        venture=world.venture,
        content=b"customer,time\na,2025-01-06\nb,2025-01-07\n",
        mapping={"user_id": "customer", "timestamp": "time"},
    )
    client.force_login(world.viewer)

    page = client.get(f"/datasets/{dataset.pk}/?period=week").content.decode()

    assert "The data spans a single period: retention needs at least two." in page
    assert "cohorts-heatmap" not in page
    assert "Revenue per customer" not in page  # no amounts: no revenue to choose


def test_a_dataset_ingested_before_cohorts_shows_their_progress(client, world, dataset):
    DatasetCohorts.objects.all().delete()
    client.force_login(world.viewer)

    page = client.get(f"/datasets/{dataset.pk}/").content.decode()

    assert "Computing the cohorts of this dataset" in page
    assert f'data-status-url="/api/v1/datasets/{dataset.pk}/cohorts/?period=month"' in page
    assert DatasetCohorts.objects.get(dataset=dataset).status == "queued"
