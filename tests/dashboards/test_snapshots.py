"""Share links in two modes: a live link shows the dashboard as it is now (its pinned panels: a new upload does not
change it, an "Update" does); a snapshot link shows the panels' rendering and figures stored when it was made,
whatever happens after, until it is revoked."""

import json
import re

import pytest

from dashboards.models import ShareSnapshot
from dashboards.panels import DEFAULT_LAYOUT
from dashboards.services import dashboard_layout_save, dashboard_panel_update, share_link_create, share_link_revoke
from strategy.resources import INSIGHTS
from strategy.services import row_create
from tests.conftest import TeamWorld
from tests.dashboards.factories import forecast_run, ready_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(world: TeamWorld) -> dict:
    dataset = ready_dataset(world.venture, name="Shop 2025")
    forecast_run(dataset, yhat=115)
    dashboard_layout_save(user=world.owner, venture=world.venture, layout=list(DEFAULT_LAYOUT))
    row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Campus partnerships", kind="strength")
    _live, live = share_link_create(user=world.editor, venture=world.venture, label="live")
    _snapshot, snapshot = share_link_create(user=world.editor, venture=world.venture, label="frozen", mode="snapshot")
    return {"dataset": dataset, "live": live, "snapshot": snapshot, "snapshot_link": _snapshot}


def _forecast_next(page: str) -> str:
    return re.search(r"Next period \(2025-01-27\): (\d[\d,]*\d)", page).group(1)


def test_a_new_upload_changes_neither_link_and_update_changes_only_the_live_one(client, world: TeamWorld, shared: dict):
    newer = ready_dataset(world.venture, name="Upload 1998")
    forecast_run(newer, yhat=9876)
    assert _forecast_next(client.get(f"/s/{shared['live']}/").content.decode()) == "115"

    dashboard_panel_update(user=world.editor, venture=world.venture, panel="forecast")
    row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Rival price cut", kind="threat")

    live = client.get(f"/s/{shared['live']}/").content.decode()
    frozen = client.get(f"/s/{shared['snapshot']}/").content.decode()
    assert _forecast_next(live) == "9,876"
    assert "Rival price cut" in live
    assert _forecast_next(frozen) == "115"
    assert "Rival price cut" not in frozen
    assert "Snapshot of " in frozen
    assert "Read-only view of live data" in live


def test_a_snapshot_stores_the_rendering_and_figures_in_every_language(shared: dict):
    stored = ShareSnapshot.objects.get(link=shared["snapshot_link"]).panels

    assert set(stored) == {"en", "zh-hans"}
    assert [panel["key"] for panel in stored["en"]] == list(DEFAULT_LAYOUT)
    assert "forecast" in next(panel for panel in stored["en"] if panel["key"] == "forecast")["figures"]
    assert next(panel for panel in stored["zh-hans"] if panel["key"] == "key_numbers")["title"] == "关键数字"


def test_a_snapshots_figures_are_served_as_stored(client, world: TeamWorld, shared: dict):
    row_create(user=world.owner, venture=world.venture, resource=INSIGHTS, text="Rival price cut", kind="threat")

    response = client.get(f"/s/{shared['snapshot']}/figures/swot.json")

    assert response.status_code == 200
    figure = json.loads(response.content)
    assert "Campus partnerships" in json.dumps(figure)
    assert "Rival price cut" not in json.dumps(figure)


def test_a_revoked_snapshot_is_gone(client, world: TeamWorld, shared: dict):
    share_link_revoke(user=world.editor, link=shared["snapshot_link"])

    assert client.get(f"/s/{shared['snapshot']}/").status_code == 404
    assert client.get(f"/s/{shared['snapshot']}/figures/swot.json").status_code == 404


def test_the_snapshot_is_shown_in_the_visitors_language(client, shared: dict):
    page = client.get(f"/s/{shared['snapshot']}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "关键数字" in page


def test_the_share_form_creates_a_snapshot_link(client, world: TeamWorld):
    client.force_login(world.editor)

    client.post(f"/ventures/{world.venture.pk}/dashboard/links/", {"target": "dashboard", "mode": "snapshot", "label": "frozen"})
    page = client.get(f"/ventures/{world.venture.pk}/dashboard/").content.decode()

    assert ShareSnapshot.objects.filter(link__label="frozen").exists()
    assert "snapshot of " in page
