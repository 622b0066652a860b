"""A dataset's retention on the Business Model Canvas: one Customer Relationships note citing the dataset, with its
provenance, updated in place when added again, stale once the data is ingested again."""

import pytest

from canvas.models import CanvasItem
from canvas.services import canvas_create
from datasets.models import DatasetCohorts
from datasets.selectors import dataset_cohorts
from datasets.services import dataset_ingest_run, dataset_ingest_start
from tests.conftest import api_as
from tests.datasets.factories import MAPPING, orders_csv, ready_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(world):
    return ready_dataset(user=world.editor, venture=world.venture, content=orders_csv(days=400))


@pytest.fixture
def canvas(world):
    return canvas_create(user=world.editor, venture=world.venture, kind="business_model", title="BMC")


def add(world, dataset, canvas):
    return api_as(world.editor).post(f"/api/v1/datasets/{dataset.pk}/retention/add-to-canvas/", {"canvas": canvas.pk}, format="json")


def test_retention_becomes_one_cited_customer_relationships_note(world, dataset, canvas):
    response = add(world, dataset, canvas)
    [item] = response.json()["items"]
    curve = dataset_cohorts(user=world.editor, dataset=dataset, period="month").average_active

    assert response.status_code == 201
    assert item["block"] == "customer_relationships"
    assert item["text"] == f"Retention: 1 month {round(curve[1] * 100)} %, 3 months {round(curve[3] * 100)} %, " + (
        f"6 months {round(curve[6] * 100)} %, 12 months {round(curve[12] * 100)} %"
    )
    assert item["evidence"] == f"/datasets/{dataset.pk}/?period=month#retention"
    table = dataset_cohorts(user=world.editor, dataset=dataset, period="month")
    # each age says what it rests on: the later ages on the oldest cohorts only
    assert f"({table.average_cohorts[12]} cohorts, {table.average_customers[12]:,} customers)" in item["note"]
    assert f"({table.average_cohorts[1]} cohorts, {table.average_customers[1]:,} customers)" in item["note"]
    assert table.average_cohorts[12] < table.average_cohorts[1]
    assert "95 % interval" in item["note"]
    source = item["source"]
    assert (source["dataset"], source["dataset_name"], source["kind"], source["model"]) == (
        dataset.pk,
        "Orders",
        "retention",
        "Retention cohorts",
    )
    stated = CanvasItem.objects.get(pk=item["id"]).source["figure"]  # the figures the note states, for the stale rule
    assert stated == {"period": "month", "active": {str(age): pytest.approx(curve[age]) for age in (1, 3, 6, 12)}}
    assert item["stale"] == []


def test_adding_again_updates_the_note_in_place_and_a_new_ingest_makes_it_stale(world, dataset, canvas):
    [first] = add(world, dataset, canvas).json()["items"]
    [again] = add(world, dataset, canvas).json()["items"]
    assert again["id"] == first["id"]
    assert CanvasItem.objects.filter(canvas=canvas).count() == 1

    dataset = dataset_ingest_start(user=world.editor, dataset=dataset, mapping=MAPPING)
    assert dataset_ingest_run(dataset_id=dataset.pk, attempt=dataset.attempt) == "ready"
    blocks = api_as(world.editor).get(f"/api/v1/canvases/{canvas.pk}/").json()["blocks"]
    [note] = [item for block in blocks for item in block["items"]]

    assert [reason["code"] for reason in note["stale"]] == ["newer_run"]
    [updated] = add(world, dataset, canvas).json()["items"]
    assert (updated["id"], updated["stale"]) == (first["id"], [])


def test_short_data_uses_weeks_and_pending_cohorts_are_a_409(world, canvas):
    content = b"customer,time\na,2025-01-06\nb,2025-01-07\na,2025-01-14\nb,2025-01-28\n"
    dataset = ready_dataset(user=world.editor, venture=world.venture, content=content, mapping={"user_id": "customer", "timestamp": "time"})

    [item] = add(world, dataset, canvas).json()["items"]
    assert item["text"] == "Retention: 1 week 50 %"  # the week of 2025-01-27 ends after the data: left out

    DatasetCohorts.objects.all().delete()
    response = add(world, dataset, canvas)
    assert (response.status_code, response.json()["code"]) == (409, "cohorts_pending")


def test_a_lean_canvas_or_another_ventures_canvas_is_refused(world, dataset):
    lean = canvas_create(user=world.editor, venture=world.venture, kind="lean", title="Lean")
    theirs = canvas_create(user=world.other_owner, venture=world.other_venture, kind="business_model", title="Theirs")

    assert add(world, dataset, lean).json()["code"] == "no_block"
    assert add(world, dataset, theirs).status_code == 404


def test_the_dataset_page_offers_it_and_the_form_puts_it_on_the_canvas(client, world, dataset, canvas):
    client.force_login(world.editor)

    page = client.get(f"/datasets/{dataset.pk}/").content.decode()
    response = client.post(f"/datasets/{dataset.pk}/retention/to-canvas/", {"canvas": canvas.pk})
    item = CanvasItem.objects.get(canvas=canvas)

    assert "Customer Relationships note" in page
    assert response["Location"] == f"/canvases/{canvas.pk}/#item-{item.pk}"


def test_the_partial_last_month_is_left_out_of_the_note(world, canvas):
    """Customers who buy every month, in a log ending on 4 April: April (age 3) holds only the first days' buyers
    and would read as a drop to 14 %; the note states the whole months only."""
    rows = [f"c{number},2025-{month:02d}-{1 + number % 28:02d} 10:00" for number in range(56) for month in (1, 2, 3)]
    rows += [f"c{number},2025-04-{1 + number % 28:02d} 10:00" for number in range(56) if number % 28 < 4]
    content = ("customer,time\n" + "\n".join(rows) + "\n").encode()
    dataset = ready_dataset(user=world.editor, venture=world.venture, content=content, mapping={"user_id": "customer", "timestamp": "time"})

    [item] = add(world, dataset, canvas).json()["items"]

    assert item["text"] == "Retention: 1 month 100 %"
    assert CanvasItem.objects.get(pk=item["id"]).source["figure"]["active"] == {"1": 1.0}
