import pytest

from strategy.models import ForceDriver, Insight, ValueActivity
from strategy.resources import COMPETITORS, INSIGHTS
from strategy.services import row_create
from tests.conftest import api_as

pytestmark = pytest.mark.django_db

RESOURCE_BODIES = {
    "insights": {"text": "We are fast", "kind": "strength", "weight": 4},
    "swot": {"text": "Regulation helps", "kind": "opportunity", "weight": 5},
    "competitors": {"name": "BigCo", "threat": 4, "is_new_entrant": True},
    "five-forces": {"force": "buyer_power", "text": "Shops switch easily", "score": 4, "weight": 2},
    "value-chain": {"activity": "operations", "cost_share": "30.00", "value_score": 4},
    "risks": {"title": "Seed round slips", "category": "funding", "probability": 3, "impact": 5, "response": "mitigate"},
}


@pytest.mark.parametrize("path", list(RESOURCE_BODIES))
def test_each_resource_is_created_listed_updated_with_its_version_and_deleted(world, path):
    client = api_as(world.editor)
    base = f"/api/v1/ventures/{world.venture.pk}/{path}/"

    created = client.post(base, RESOURCE_BODIES[path])
    row = created.json()
    listed = client.get(base).json()
    stale_first = client.patch(f"{base}{row['id']}/", {"version": row["version"] + 1})
    updated = client.patch(f"{base}{row['id']}/", {"version": row["version"]}, HTTP_IF_MATCH=f'"{row["version"]}"')
    deleted = client.delete(f"{base}{row['id']}/", HTTP_IF_MATCH=f'"{updated.json()["version"]}"')

    assert created.status_code == 201, created.json()
    assert listed["count"] == 1
    assert stale_first.status_code == 409
    assert stale_first.json()["current"]["id"] == row["id"]
    assert updated.status_code == 200
    assert deleted.status_code == 204


def test_stale_edit_is_refused_and_returns_the_current_row(world):
    insight = row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Original", kind="strength")
    client = api_as(world.editor)
    base = f"/api/v1/ventures/{world.venture.pk}/insights/{insight.pk}/"
    client.patch(base, {"text": "Owner's", "version": 1})

    stale = client.patch(base, {"text": "Editor's", "version": 1})
    missing = client.patch(base, {"text": "No version"})

    assert stale.status_code == 409
    assert stale.json()["current"]["text"] == "Owner's"
    assert missing.status_code == 428
    assert Insight.objects.get(pk=insight.pk).text == "Owner's"


def test_value_chain_shares_over_100_percent_are_refused(world):
    client = api_as(world.editor)
    base = f"/api/v1/ventures/{world.venture.pk}/value-chain/"
    client.post(base, {"activity": "operations", "cost_share": "70"})

    response = client.post(base, {"activity": "technology", "cost_share": "40"})

    assert response.status_code == 400
    assert "110" in response.json()["cost_share"][0]
    assert ValueActivity.objects.count() == 1


def test_a_competitor_shows_in_swot_threats_and_rivalry(world):
    row_create(user=world.owner, venture=world.venture, resource=COMPETITORS, name="BigCo", threat=5, is_new_entrant=True)
    client = api_as(world.viewer)

    swot = client.get(f"/api/v1/ventures/{world.venture.pk}/figures/swot/").json()
    scores = client.get(f"/api/v1/ventures/{world.venture.pk}/five-forces/scores/").json()

    threats = next(trace for trace in swot["data"] if trace["name"] == "Threats")
    assert any("BigCo" in text for text in threats["hovertext"])
    assert scores["scores"]["rivalry"] == 5.0
    assert scores["scores"]["new_entrants"] == 5.0


@pytest.mark.parametrize("kind", ["swot", "five_forces", "force_drivers", "value_chain", "risk_matrix"])
def test_every_figure_is_plotly_json(world, kind):
    response = api_as(world.viewer).get(f"/api/v1/ventures/{world.venture.pk}/figures/{kind}/")

    assert response.status_code == 200
    assert set(response.json()) >= {"data", "layout"}


def test_force_names_follow_the_language(world):
    response = api_as(world.viewer).get(f"/api/v1/ventures/{world.venture.pk}/figures/five_forces/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "现有竞争者之间的竞争" in response.json()["data"][0]["theta"]


@pytest.mark.parametrize("path", [*RESOURCE_BODIES, "figures/swot", "five-forces/scores", "views/swot/versions"])
def test_another_teams_venture_answers_404(world, path):
    response = api_as(world.owner).get(f"/api/v1/ventures/{world.other_venture.pk}/{path}/")

    assert response.status_code == 404


def test_another_teams_row_answers_404_even_through_my_venture(world):
    theirs = row_create(user=world.other_owner, venture=world.other_venture, resource=INSIGHTS, text="Secret", kind="threat")
    client = api_as(world.owner)

    assert client.get(f"/api/v1/ventures/{world.venture.pk}/insights/{theirs.pk}/").status_code == 404
    assert client.patch(f"/api/v1/ventures/{world.venture.pk}/insights/{theirs.pk}/", {"text": "x", "version": 1}).status_code == 404
    assert Insight.objects.get(pk=theirs.pk).text == "Secret"


@pytest.mark.parametrize("path", list(RESOURCE_BODIES))
def test_viewer_writes_answer_403(world, path):
    response = api_as(world.viewer).post(f"/api/v1/ventures/{world.venture.pk}/{path}/", RESOURCE_BODIES[path])

    assert response.status_code == 403


def test_history_restore_brings_rows_back(world):
    client = api_as(world.editor)
    base = f"/api/v1/ventures/{world.venture.pk}/five-forces/"
    first = client.post(base, {"force": "rivalry", "text": "Price war", "score": 4}).json()
    client.delete(f"{base}{first['id']}/", HTTP_IF_MATCH='"1"')
    versions = client.get(f"/api/v1/ventures/{world.venture.pk}/views/five_forces/versions/").json()["results"]

    diff = client.get(f"/api/v1/ventures/{world.venture.pk}/views/five_forces/versions/{versions[1]['id']}/diff/").json()
    restored = client.post(f"/api/v1/ventures/{world.venture.pk}/views/five_forces/versions/{versions[1]['id']}/restore/")

    assert [v["action"] for v in versions] == ["delete", "add"]
    assert diff["groups"][0]["removed"][0]["text"] == "Price war"
    assert restored.json()["version"] == 3
    assert ForceDriver.objects.get(pk=first["id"]).version > 1
