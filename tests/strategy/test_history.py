"""A strategy view's history as people read it: coalesced rows, filters, old → new values; the same in the API."""

import pytest

from history.models import Version
from strategy.resources import INSIGHTS, RISKS
from strategy.services import row_create, row_update
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def coalescing(settings):
    settings.HISTORY_COALESCE_MINUTES = 5


def test_edits_coalesce_and_the_compare_shows_old_and_new_values_by_name(client, world):
    insight = row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Fast team", kind="strength")
    first = Version.objects.get(content_type__model="strategyview")
    insight = row_update(user=world.editor, row=insight, resource=INSIGHTS, expected_version=1, kind="weakness", weight=5)
    row_update(user=world.editor, row=insight, resource=INSIGHTS, expected_version=2, text="Small team")
    client.force_login(world.viewer)

    page = client.get(f"/ventures/{world.venture.pk}/strategy/swot/history/?version={first.pk}").content.decode()

    assert page.count("<tr>") == 1 + 2  # header; the owner's add, the editor's two edits
    assert "Edited, 2 times" in page
    assert "<dt>Insight</dt><dd><del>Fast team</del> → <ins>Small team</ins></dd>" in page
    assert "<dt>SWOT tag</dt><dd><del>Strengths</del> → <ins>Weaknesses</ins></dd>" in page
    assert "<dt>Weight</dt><dd><del>3</del> → <ins>5</ins></dd>" in page


def test_a_risk_owner_reads_as_a_username(client, world):
    risk = row_create(user=world.owner, venture=world.venture, resource=RISKS, title="Late parts", category="technical")
    first = Version.objects.get(content_type__model="strategyview")
    row_update(user=world.editor, row=risk, resource=RISKS, expected_version=1, owner_id=world.editor.pk)
    client.force_login(world.viewer)

    page = client.get(f"/ventures/{world.venture.pk}/strategy/risks/history/?version={first.pk}").content.decode()

    assert f"<del>—</del> → <ins>{world.editor.username}</ins>" in page


def test_history_filters_on_the_page_and_in_the_api(client, world):
    insight = row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Fast team", kind="strength")
    row_update(user=world.editor, row=insight, resource=INSIGHTS, expected_version=1, weight=5)
    client.force_login(world.viewer)
    page = f"/ventures/{world.venture.pk}/strategy/swot/history/"
    api = api_as(world.viewer)
    base = f"/api/v1/ventures/{world.venture.pk}/views/swot/versions/"

    edits = client.get(page, {"change": "edit"}).content.decode()
    none = client.get(page, {"author": world.viewer.username}).content.decode()
    by_owner = api.get(base, {"author": world.owner.username}).json()["results"]
    adds = api.get(base, {"change": "add"}).json()["results"]

    assert edits.count("<tr>") == 1 + 1
    assert "No version matches these filters." in none
    assert [(v["action"], v["created_by"]) for v in by_owner] == [("add", world.owner.username)]
    assert [v["kinds"] for v in adds] == [["add"]]


def test_the_api_diff_gives_each_fields_old_and_new_value(world):
    insight = row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Fast team", kind="strength")
    first = Version.objects.get(content_type__model="strategyview")
    row_update(user=world.editor, row=insight, resource=INSIGHTS, expected_version=1, weight=5)

    diff = api_as(world.viewer).get(f"/api/v1/ventures/{world.venture.pk}/views/swot/versions/{first.pk}/diff/").json()

    [group] = [group for group in diff["groups"] if group["changed"]]
    assert group["changed"][0]["values"] == [{"field": "weight", "before": 3, "after": 5}]
