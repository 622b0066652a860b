"""Marketing spend through the API: rows listed, created, changed and deleted by editors; a CSV whose every line is
either kept or reported with its number; another team's venture or row is 404, a viewer's write 403."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from economics.models import MarketingSpend
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def _url(venture, suffix: str = "") -> str:
    return f"/api/v1/ventures/{venture.pk}/spend/{suffix}"


def _row(venture, month=date(2025, 1, 1), channel="ads", spend="100.00"):
    return MarketingSpend.objects.create(venture=venture, month=month, channel=channel, spend=spend)


def test_an_editor_enters_spend_and_reads_it_back(world):
    client = api_as(world.editor)

    created = client.post(_url(world.venture), {"month": "2025-03", "channel": " ads ", "spend": "1,200.50"}, format="json")
    listed = api_as(world.viewer).get(_url(world.venture)).json()

    assert created.status_code == 201
    assert {key: created.json()[key] for key in ("month", "channel", "spend")} == {"month": "2025-03", "channel": "ads", "spend": "1200.50"}
    assert [row["id"] for row in listed["results"]] == [created.json()["id"]]
    assert MarketingSpend.objects.get().month == date(2025, 3, 1)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"month": "March", "channel": "ads", "spend": "10"}, "month"),
        ({"month": "2025-13", "channel": "ads", "spend": "10"}, "month"),
        ({"month": "2025-03", "channel": "   ", "spend": "10"}, "channel"),
        ({"month": "2025-03", "channel": "ads", "spend": "-5"}, "spend_negative"),
        ({"month": "2025-03", "channel": "ads", "spend": "ten"}, "spend"),
    ],
)
def test_bad_rows_are_refused_with_a_reason(world, body, code):
    response = api_as(world.editor).post(_url(world.venture), body, format="json")

    assert response.status_code == 400
    assert code in {response.json().get("code"), *response.json()}  # the service's code, or the field the serializer named
    assert not MarketingSpend.objects.exists()


def test_the_same_month_and_channel_twice_is_a_conflict(world):
    _row(world.venture)

    response = api_as(world.editor).post(_url(world.venture), {"month": "2025-01", "channel": "ads", "spend": "5"}, format="json")

    assert response.status_code == 409


def test_an_editor_changes_and_deletes_a_row(world):
    row = _row(world.venture)
    client = api_as(world.editor)

    changed = client.patch(_url(world.venture, f"{row.pk}/"), {"spend": "250"}, format="json")
    deleted = client.delete(_url(world.venture, f"{row.pk}/"))

    assert changed.json()["spend"] == "250.00"
    assert deleted.status_code == 204
    assert not MarketingSpend.objects.exists()


def test_a_viewer_cannot_write_spend(world):
    row = _row(world.venture)
    client = api_as(world.viewer)

    assert client.post(_url(world.venture), {"month": "2025-02", "channel": "ads", "spend": "5"}, format="json").status_code == 403
    assert client.patch(_url(world.venture, f"{row.pk}/"), {"spend": "1"}, format="json").status_code == 403
    assert client.delete(_url(world.venture, f"{row.pk}/")).status_code == 403
    assert MarketingSpend.objects.get().spend == 100


def test_another_teams_venture_and_rows_are_404(world):
    theirs = _row(world.other_venture)
    client = api_as(world.owner)

    assert client.get(_url(world.other_venture)).status_code == 404
    assert client.post(_url(world.other_venture), {"month": "2025-02", "channel": "ads", "spend": "5"}, format="json").status_code == 404
    assert client.patch(_url(world.other_venture, f"{theirs.pk}/"), {"spend": "1"}, format="json").status_code == 404
    assert client.delete(_url(world.venture, f"{theirs.pk}/")).status_code == 404  # not through one's own venture either
    assert MarketingSpend.objects.get().spend == 100


CSV = b"""month,channel,spend
2025-01,ads,400
2025-02,ads,"1,300.50"
March 2025,ads,10
2025-02,ads,99

2025-03,,10
2025-03,newsletter,-1
2025-03,tv,100,extra
2025-04,tv,50
"""


def test_a_csv_keeps_every_good_line_and_reports_every_other_with_its_number(world):
    _row(world.venture, channel="ads", spend="1.00")  # January: the file's figure replaces it

    response = api_as(world.editor).post(_url(world.venture, "upload/"), {"file": SimpleUploadedFile("spend.csv", CSV)}, format="multipart")

    body = response.json()
    assert response.status_code == 200
    assert (body["added"], body["updated"], body["unchanged"]) == (2, 1, 0)
    assert [(reject["line"], reject["reason"]) for reject in body["rejected"]] == [
        (4, "The month is not a year and month like 2025-03."),
        (5, "the same month and channel as line 3"),
        (7, "The channel is empty."),
        (8, "The spend is negative."),
        (9, "expected 3 columns (month, channel, spend), found 4"),
    ]
    assert sorted((row.month.month, row.channel, str(row.spend)) for row in MarketingSpend.objects.all()) == [
        (1, "ads", "400.00"),
        (2, "ads", "1300.50"),
        (4, "tv", "50.00"),
    ]


def test_a_file_that_is_not_a_spend_table_is_refused_whole(world):
    client = api_as(world.editor)

    empty = client.post(_url(world.venture, "upload/"), {"file": SimpleUploadedFile("e.csv", b"month,channel,spend\n")}, format="multipart")
    binary = client.post(_url(world.venture, "upload/"), {"file": SimpleUploadedFile("b.csv", b"\xff\xfe\x00bad")}, format="multipart")

    assert (empty.status_code, empty.json()["code"]) == (400, "csv_empty")
    assert (binary.status_code, binary.json()["code"]) == (400, "csv_encoding")
    assert not MarketingSpend.objects.exists()


def test_a_viewer_cannot_upload_spend(world):
    response = api_as(world.viewer).post(_url(world.venture, "upload/"), {"file": SimpleUploadedFile("s.csv", CSV)}, format="multipart")

    assert response.status_code == 403
    assert not MarketingSpend.objects.exists()
