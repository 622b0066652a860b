import pytest

from tests.conftest import api_as
from ventures.models import Venture

pytestmark = pytest.mark.django_db

NEW_VENTURE = {"name": "Campus Bikes", "pitch": "E-bikes for students", "industry": "Mobility", "stage": "mvp"}


def test_editor_creates_a_venture_in_their_team(world):
    response = api_as(world.editor).post("/api/v1/ventures/", {"team": world.team.pk, **NEW_VENTURE})

    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in NEW_VENTURE} == NEW_VENTURE
    assert body["team"] == world.team.pk
    assert Venture.objects.get(pk=body["id"]).created_by == world.editor


def test_creating_a_venture_in_another_team_answers_404(world):
    response = api_as(world.owner).post("/api/v1/ventures/", {"team": world.other_team.pk, **NEW_VENTURE})

    assert response.status_code == 404
    assert not Venture.objects.filter(name="Campus Bikes").exists()


def test_venture_fields_are_validated(world):
    response = api_as(world.owner).post("/api/v1/ventures/", {"team": world.team.pk, "name": "", "stage": "unicorn", "pitch": "x" * 201})

    assert response.status_code == 400
    assert set(response.json()) == {"name", "stage", "pitch"}


def test_venture_list_is_scoped_and_filterable(world):
    client = api_as(world.viewer)

    everything = client.get("/api/v1/ventures/").json()
    by_team = client.get(f"/api/v1/ventures/?team={world.other_team.pk}").json()

    assert [v["name"] for v in everything["results"]] == ["Acme Bikes"]
    assert by_team["results"] == []
    assert client.get("/api/v1/ventures/?team=abc").status_code == 400


@pytest.mark.parametrize(
    ("method", "body"),
    [("get", None), ("patch", {"name": "Stolen"}), ("delete", None)],
)
def test_another_teams_venture_answers_404(world, method, body):
    response = getattr(api_as(world.owner), method)(f"/api/v1/ventures/{world.other_venture.pk}/", body)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    world.other_venture.refresh_from_db()
    assert world.other_venture.name == "Rival Scooters"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/ventures/", {"team": "{team}", "name": "Viewer's idea"}),
        ("patch", "/api/v1/ventures/{venture}/", {"name": "Viewer's rename"}),
        ("delete", "/api/v1/ventures/{venture}/", None),
    ],
)
def test_viewer_writes_answer_403(world, method, path, body):
    url = path.format(venture=world.venture.pk)
    if body:
        body = {key: value.format(team=world.team.pk) for key, value in body.items()}

    response = getattr(api_as(world.viewer), method)(url, body)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Venture.objects.filter(team=world.team).count() == 1
    assert Venture.objects.get(pk=world.venture.pk).name == "Acme Bikes"


def test_editor_updates_part_of_a_venture_and_deletes_it(world):
    client = api_as(world.editor)

    patched = client.patch(f"/api/v1/ventures/{world.venture.pk}/", {"stage": "growth"})
    deleted = client.delete(f"/api/v1/ventures/{world.venture.pk}/")

    assert patched.status_code == 200
    assert patched.json()["stage"] == "growth"
    assert patched.json()["name"] == "Acme Bikes"
    assert deleted.status_code == 204
    assert not Venture.objects.filter(pk=world.venture.pk).exists()


def test_hostile_text_is_stored_as_given_and_returned_as_json(world):
    hostile = '<script>alert("x")</script>'

    response = api_as(world.owner).post("/api/v1/ventures/", {"team": world.team.pk, "name": hostile})

    assert response.json()["name"] == hostile


def test_an_editor_sets_the_currency_and_the_gross_margin(world):
    response = api_as(world.editor).patch(f"/api/v1/ventures/{world.venture.pk}/", {"currency": "eur", "gross_margin": "62.5"})

    assert response.status_code == 200
    assert (response.json()["currency"], response.json()["gross_margin"]) == ("EUR", "62.50")
    world.venture.refresh_from_db()
    assert (world.venture.currency, float(world.venture.gross_margin)) == ("EUR", 62.5)


def test_an_unknown_currency_or_a_margin_outside_0_100_is_refused(world):
    client = api_as(world.editor)

    assert set(client.patch(f"/api/v1/ventures/{world.venture.pk}/", {"currency": "XYZ"}).json()) == {"currency"}
    assert set(client.patch(f"/api/v1/ventures/{world.venture.pk}/", {"gross_margin": "101"}).json()) == {"gross_margin"}
    world.venture.refresh_from_db()
    assert (world.venture.currency, world.venture.gross_margin) == ("", None)


def test_a_viewer_cannot_set_the_currency(world):
    assert api_as(world.viewer).patch(f"/api/v1/ventures/{world.venture.pk}/", {"currency": "EUR"}).status_code == 403
