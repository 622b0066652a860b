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
    editor = api_as(world.editor)
    for path in ("swot", "five-forces", "value-chain", "risks"):
        editor.post(f"/api/v1/ventures/{world.venture.pk}/{path}/", RESOURCE_BODIES[path])

    response = api_as(world.viewer).get(f"/api/v1/ventures/{world.venture.pk}/figures/{kind}/")

    assert response.status_code == 200
    assert set(response.json()) >= {"data", "layout"}


@pytest.mark.parametrize("kind", ["swot", "five_forces", "force_drivers", "value_chain", "risk_matrix"])
def test_a_view_with_nothing_to_draw_answers_no_content(world, kind):
    response = api_as(world.viewer).get(f"/api/v1/ventures/{world.venture.pk}/figures/{kind}/")

    assert response.status_code == 204
    assert response.content == b""


def test_force_names_follow_the_language(world):
    row_create(user=world.owner, venture=world.venture, resource=COMPETITORS, name="BigCo", threat=5)
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


def test_tows_pairs_two_insights_of_the_right_kinds_of_this_venture(world):
    strength = row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Fast", kind="strength")
    opportunity = row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Regulation", kind="opportunity")
    theirs = row_create(user=world.other_owner, venture=world.other_venture, resource=INSIGHTS, text="Secret", kind="opportunity")
    client = api_as(world.editor)
    base = f"/api/v1/ventures/{world.venture.pk}/swot/strategies/"

    good = client.post(base, {"kind": "so", "text": "Use speed on regulation", "first": strength.pk, "second": opportunity.pk})
    wrong_kind = client.post(base, {"kind": "wo", "text": "x", "first": strength.pk, "second": opportunity.pk})
    foreign = client.post(base, {"kind": "so", "text": "x", "first": strength.pk, "second": theirs.pk})

    assert good.status_code == 201
    assert wrong_kind.status_code == 400
    assert "first" in wrong_kind.json()
    assert foreign.status_code == 400
    assert "second" in foreign.json()


def test_a_risk_owner_must_be_in_the_team_but_a_departed_owner_does_not_block_edits(world):
    client = api_as(world.editor)
    base = f"/api/v1/ventures/{world.venture.pk}/risks/"

    outsider = client.post(base, {"title": "x", "category": "legal", "owner": world.other_owner.pk})
    risk = client.post(base, {"title": "Key person leaves", "category": "talent", "owner": world.viewer.pk}).json()
    world.team.memberships.filter(user=world.viewer).delete()
    status_only = client.patch(f"{base}{risk['id']}/", {"status": "monitoring", "version": risk["version"]})

    assert outsider.status_code == 400
    assert "owner" in outsider.json()
    assert status_only.status_code == 200


def test_creating_without_required_fields_names_them(world):
    response = api_as(world.editor).post(f"/api/v1/ventures/{world.venture.pk}/risks/", {})

    assert response.status_code == 400
    assert {"title", "category"} <= set(response.json())


def test_restore_survives_swapped_activities_and_departed_owners(world):
    from strategy.models import Risk, StrategyView
    from strategy.resources import RISKS, VALUE_CHAIN
    from strategy.services import view_restore

    ops = row_create(user=world.owner, venture=world.venture, resource=VALUE_CHAIN, activity="operations", cost_share=10)
    tech = row_create(user=world.owner, venture=world.venture, resource=VALUE_CHAIN, activity="technology", cost_share=20)
    view = StrategyView.objects.get(venture=world.venture, kind="value_chain")
    before = view.versions.get(number=2)
    client = api_as(world.editor)
    client.patch(f"/api/v1/ventures/{world.venture.pk}/value-chain/{ops.pk}/", {"activity": "service", "version": 1})
    client.patch(f"/api/v1/ventures/{world.venture.pk}/value-chain/{tech.pk}/", {"activity": "operations", "version": 1})

    view_restore(user=world.editor, venture=world.venture, kind="value_chain", version=before)

    assert dict(ValueActivity.objects.values_list("pk", "activity")) == {ops.pk: "operations", tech.pk: "technology"}
    risk = row_create(user=world.owner, venture=world.venture, resource=RISKS, title="x", category="legal", owner_id=world.viewer.pk)
    risks_before = StrategyView.objects.get(venture=world.venture, kind="risks").versions.get(number=1)
    Risk.objects.filter(pk=risk.pk).delete()
    world.team.memberships.filter(user=world.viewer).delete()
    view_restore(user=world.editor, venture=world.venture, kind="risks", version=risks_before)
    assert Risk.objects.get(pk=risk.pk).owner_id is None


def test_only_swot_items_move_between_quadrants(client, world):
    from strategy.resources import FIVE_FORCES

    driver = row_create(user=world.owner, venture=world.venture, resource=FIVE_FORCES, force="rivalry", text="x")
    client.force_login(world.editor)

    response = client.post(
        f"/ventures/{world.venture.pk}/strategy/rows/five_forces/{driver.pk}/", {"move": "quadrant", "kind": "threat", "version": 1}
    )

    assert response.status_code == 400


def test_choices_are_named_in_the_readers_language(client, world):
    client.force_login(world.editor)

    page = client.get(f"/ventures/{world.venture.pk}/strategy/risks/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "数据与隐私" in page
