"""One note per finding, saying where it came from: a newer run updates the note in place (a new item version, in
history), an older one never replaces it, and a note the data no longer backs is marked stale with the reason."""

import pytest

from analysis.models import Analysis
from analysis.services import analysis_create, analysis_run
from canvas.models import CanvasItem
from canvas.selectors import canvas_blocks
from canvas.services import canvas_create, item_add
from evidence.services import analysis_items, analysis_to_canvas
from history.models import Version
from tests.conftest import api_as
from tests.datasets.factories import ready_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(world):
    return ready_dataset(user=world.editor, venture=world.venture)


@pytest.fixture
def canvas(world):
    return canvas_create(user=world.editor, venture=world.venture, kind="business_model", title="BMC")


def finished(world, dataset, kind, **params):
    analysis = analysis_create(user=world.editor, dataset=dataset, kind=kind, params=params)
    assert analysis_run(analysis_id=analysis.pk, attempt=1) == "succeeded"
    analysis.refresh_from_db()
    return analysis


def add(world, analysis, canvas):
    response = api_as(world.editor).post(f"/api/v1/analyses/{analysis.pk}/add-to-canvas/", {"canvas": canvas.pk}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["items"]


def canvas_items(world, canvas):
    blocks = api_as(world.editor).get(f"/api/v1/canvases/{canvas.pk}/").json()["blocks"]
    return {item["id"]: item for block in blocks for item in block["items"]}


def test_a_newer_run_updates_each_segment_note_in_place_with_its_provenance(world, dataset, canvas):
    first, second = finished(world, dataset, "segmentation", k=3), finished(world, dataset, "segmentation", k=3)
    before = add(world, first, canvas)

    after = add(world, second, canvas)

    assert [item["id"] for item in after] == [item["id"] for item in before]  # the same notes, not new ones
    assert CanvasItem.objects.filter(canvas=canvas).count() == 3
    assert {item["version"] for item in after} == {2}
    assert all(item["evidence"] == f"/analyses/{second.pk}/#segments" for item in after)
    source = after[0]["source"]
    days = dataset.report["summary"]["daily"]["day"]
    assert (source["dataset"], source["dataset_name"], source["analysis"]) == (dataset.pk, "Orders", second.pk)
    assert (source["period_start"], source["period_end"]) == (days[0], days[-1])
    assert source["model"] in ("RFM segments", "k-means clusters")
    assert source["run_at"].startswith(second.finished_at.date().isoformat())
    assert after[0]["stale"] == []
    edits = Version.objects.filter(object_id=canvas.pk, action="item_edit")
    assert edits.count() == 3  # each update is a version in the canvas's history


def test_the_forecast_note_is_one_per_metric_and_frequency_and_an_older_run_never_replaces_it(world, dataset, canvas):
    older = finished(world, dataset, "forecast", metric="revenue", frequency="W", horizon=4)
    newer = finished(world, dataset, "forecast", metric="revenue", frequency="W", horizon=4)
    monthly = finished(world, dataset, "forecast", metric="revenue", frequency="M", horizon=2)

    [note] = add(world, newer, canvas)
    [again] = add(world, older, canvas)
    [other] = add(world, monthly, canvas)

    assert again["id"] == note["id"]
    assert again["source"]["analysis"] == newer.pk  # the older run left it as it was
    assert again["version"] == note["version"] == 1
    assert other["id"] != note["id"]  # another finding: monthly revenue
    assert CanvasItem.objects.filter(canvas=canvas, block="revenue_streams").count() == 2


def test_a_note_from_an_older_run_is_stale_and_says_so_on_the_page_and_in_the_api(client, world, dataset, canvas):
    first = finished(world, dataset, "forecast", metric="revenue", frequency="W", horizon=4)
    [note] = add(world, first, canvas)
    assert canvas_items(world, canvas)[note["id"]]["stale"] == []
    finished(world, dataset, "forecast", metric="revenue", frequency="W", horizon=4)

    [stale] = canvas_items(world, canvas)[note["id"]]["stale"]
    client.force_login(world.viewer)
    page = client.get(canvas.get_absolute_url()).content.decode()

    assert stale["code"] == "newer_run"
    assert "A newer run of" in stale["reason"]
    assert "data-stale" in page
    assert "1 note from data is stale" in page
    assert api_as(world.editor).get(f"/api/v1/items/{note['id']}/").json()["stale"][0]["code"] == "newer_run"


def test_a_newer_run_that_differs_materially_contradicts_the_note(world, dataset, canvas):
    first = finished(world, dataset, "segmentation", k=3)
    notes = add(world, first, canvas)
    second = finished(world, dataset, "segmentation", k=3)
    segments = second.result["segments"]
    segments[0]["revenue_share"] += 0.05  # five percentage points: material
    segments[1]["revenue_share"] += 0.04  # four: not
    segments[2]["name"] = "Renamed"  # the note's segment is gone
    Analysis.objects.filter(pk=second.pk).update(result={**second.result, "segments": segments})

    items = canvas_items(world, canvas)
    codes = [[stale["code"] for stale in items[note["id"]]["stale"]] for note in notes]

    assert codes == [["contradicted"], ["newer_run"], ["contradicted"]]
    assert "% of revenue" in items[notes[0]["id"]]["stale"][0]["reason"]
    assert "no such segment" in items[notes[2]["id"]]["stale"][0]["reason"]


def test_a_forecast_outside_the_notes_interval_contradicts_it(world, dataset, canvas):
    first = finished(world, dataset, "forecast", metric="revenue", frequency="W", horizon=4)
    [note] = add(world, first, canvas)
    second = finished(world, dataset, "forecast", metric="revenue", frequency="W", horizon=4)
    result = second.result
    point = result["series"][0]["forecast"][0]
    point["yhat"] = point["hi80"] * 2
    Analysis.objects.filter(pk=second.pk).update(result=result)

    [stale] = canvas_items(world, canvas)[note["id"]]["stale"]

    assert stale["code"] == "contradicted"
    assert "outside this note's 80 % interval" in stale["reason"]


def test_a_newer_upload_of_the_same_source_makes_the_note_stale(world, dataset, canvas):
    [note, *_] = add(world, finished(world, dataset, "segmentation", k=3), canvas)

    ready_dataset(user=world.editor, venture=world.venture)  # "Orders" again

    [stale] = canvas_items(world, canvas)[note["id"]]["stale"]
    assert stale["code"] == "newer_data"
    assert "“Orders” was uploaded on" in stale["reason"]


def test_a_note_whose_dataset_was_deleted_is_stale(world, dataset, canvas):
    [note, *_] = add(world, finished(world, dataset, "segmentation", k=3), canvas)

    dataset.delete()

    assert [stale["code"] for stale in canvas_items(world, canvas)[note["id"]]["stale"]] == ["deleted"]


def test_the_stale_check_reads_a_few_rows_whatever_the_number_of_notes(world, dataset, canvas, django_assert_max_num_queries):
    for _ in range(2):
        analysis_to_canvas(user=world.editor, analysis=finished(world, dataset, "segmentation", k=3), canvas=canvas, language="en")
    analysis_to_canvas(
        user=world.editor,
        analysis=finished(world, dataset, "forecast", metric="revenue", frequency="W", horizon=4),
        canvas=canvas,
        language="en",
    )
    with django_assert_max_num_queries(5):
        blocks = canvas_blocks(canvas=canvas, language="en")
    assert sum(len(block["items"]) for block in blocks) == 4


def test_notes_added_before_findings_existed_are_updated_not_repeated(world, dataset, canvas):
    old = finished(world, dataset, "segmentation", k=3)
    _block, entries = analysis_items(old, language="en")
    for entry in [entries[0], entries[0], entries[1]]:  # as the old code left them: twins, no finding, no source
        item_add(user=world.editor, canvas=canvas, block="customer_segments", text=entry["text"], evidence_figure=entry["evidence_figure"])
    mine = item_add(user=world.editor, canvas=canvas, block="customer_segments", text=entries[0]["text"])  # no chart: someone's words

    add(world, finished(world, dataset, "segmentation", k=3), canvas)

    notes = list(CanvasItem.objects.filter(canvas=canvas).order_by("position"))
    assert len(notes) == 5  # three findings: two adopted, one added; the twin and the hand-written note stay
    assert [bool(note.finding) for note in notes] == [True, False, True, False, True]
    assert mine.pk in {note.pk for note in notes if not note.finding}


def test_lifetime_value_is_one_revenue_note_updated_in_place_and_contradicted_outside_its_range(world, dataset, canvas):
    first = finished(world, dataset, "lifetime_value", calibration_end="2025-04-15", horizon_days=365)
    [note] = add(world, first, canvas)
    second = finished(world, dataset, "lifetime_value", calibration_end="2025-04-15", horizon_days=365)
    assert [stale["code"] for stale in canvas_items(world, canvas)[note["id"]]["stale"]] == ["newer_run"]

    [updated] = add(world, second, canvas)
    assert updated["id"] == note["id"]
    assert updated["version"] == note["version"] + 1
    assert canvas_items(world, canvas)[note["id"]]["stale"] == []

    third = finished(world, dataset, "lifetime_value", calibration_end="2025-04-15", horizon_days=365)
    result = third.result
    result["average_value"]["value"] = second.result["average_value"]["high"] * 2
    Analysis.objects.filter(pk=third.pk).update(result=result)
    [stale] = canvas_items(world, canvas)[note["id"]]["stale"]

    assert stale["code"] == "contradicted"
    assert "outside this note's 80 % range" in stale["reason"]


def test_a_lifetime_value_over_another_horizon_is_a_newer_run_not_a_contradiction(world, dataset, canvas):
    [note] = add(world, finished(world, dataset, "lifetime_value", horizon_days=365), canvas)
    finished(world, dataset, "lifetime_value", horizon_days=30)

    assert [stale["code"] for stale in canvas_items(world, canvas)[note["id"]]["stale"]] == ["newer_run"]
