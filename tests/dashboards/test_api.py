"""The dashboard API: layouts (members read, owners and editors write) and share links (token shown once)."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from canvas.services import canvas_create
from dashboards.models import Dashboard, ShareLink, ShareSnapshot
from dashboards.panels import DEFAULT_LAYOUT
from tests.conftest import TeamWorld, api_as
from tests.dashboards.factories import ShareLinkFactory, forecast_run, ready_dataset, segmentation_run

pytestmark = pytest.mark.django_db


def _dashboard_url(venture_id: int) -> str:
    return f"/api/v1/ventures/{venture_id}/dashboard/"


# --- layout ---------------------------------------------------------------------------------------------------------


def test_an_unsaved_dashboard_has_the_default_layout_and_lists_every_panel(world: TeamWorld):
    response = api_as(world.viewer).get(_dashboard_url(world.venture.pk))

    assert response.status_code == 200
    assert response.data["id"] == world.venture.pk
    assert response.data["layout"] == list(DEFAULT_LAYOUT)
    assert {"forecast", "segmentation", "swot", "canvas"} <= {panel["key"] for panel in response.data["panels"]}
    assert not Dashboard.objects.exists()  # reading creates nothing


def test_an_editor_saves_the_order_of_the_panels(world: TeamWorld):
    canvas = canvas_create(user=world.owner, venture=world.venture, kind="lean", title="Lean")

    first = api_as(world.editor).post(_dashboard_url(world.venture.pk), {"layout": ["risk_matrix", "swot"], "canvas": canvas.pk})
    second = api_as(world.editor).post(_dashboard_url(world.venture.pk), {"layout": ["swot", "risk_matrix", "canvas"]})

    assert first.status_code == 200, first.data
    assert second.data["layout"] == ["swot", "risk_matrix", "canvas"]
    assert second.data["canvas"] == canvas.pk  # not sent: kept
    assert second.data["version"] == first.data["version"] + 1
    assert Dashboard.objects.get(venture=world.venture).layout == ["swot", "risk_matrix", "canvas"]


def test_an_unknown_panel_is_refused_with_its_name(world: TeamWorld):
    response = api_as(world.owner).post(_dashboard_url(world.venture.pk), {"layout": ["swot", "horoscope"]})

    assert response.status_code == 400
    assert response.data["code"] == "unknown_panel"
    assert "Unknown panel “horoscope”" in response.data["detail"]
    assert not Dashboard.objects.exists()


@pytest.mark.parametrize(
    ("layout", "message"),
    [(["swot", "swot"], "Each panel can appear once: swot."), ([], "Choose at least one panel.")],
)
def test_a_layout_lists_each_panel_once_and_at_least_one(world: TeamWorld, layout, message):
    response = api_as(world.owner).post(_dashboard_url(world.venture.pk), {"layout": layout}, format="json")

    assert response.status_code == 400
    assert message in str(response.data)


def test_a_viewer_reads_but_cannot_change_the_layout(world: TeamWorld):
    response = api_as(world.viewer).post(_dashboard_url(world.venture.pk), {"layout": ["swot"]})

    assert response.status_code == 403


def test_another_teams_dashboard_does_not_exist(world: TeamWorld):
    assert api_as(world.owner).get(_dashboard_url(world.other_venture.pk)).status_code == 404
    assert api_as(world.owner).post(_dashboard_url(world.other_venture.pk), {"layout": ["swot"]}).status_code == 404


def test_the_canvas_shown_must_be_the_ventures_own(world: TeamWorld):
    theirs = canvas_create(user=world.other_owner, venture=world.other_venture, kind="lean", title="Theirs")
    mine_elsewhere = canvas_create(user=world.owner, venture=_second_venture(world), kind="lean", title="Other venture")

    hidden = api_as(world.owner).post(_dashboard_url(world.venture.pk), {"layout": ["canvas"], "canvas": theirs.pk})
    wrong = api_as(world.owner).post(_dashboard_url(world.venture.pk), {"layout": ["canvas"], "canvas": mine_elsewhere.pk})

    assert hidden.status_code == 404
    assert wrong.status_code == 400
    assert wrong.data["code"] == "invalid_canvas"


def _second_venture(world: TeamWorld):
    from tests.ventures.factories import VentureFactory

    return VentureFactory(team=world.team, name="Second")


# --- share links ------------------------------------------------------------------------------------------------------


def test_creating_a_link_answers_its_url_and_token_once_and_stores_only_a_hash(world: TeamWorld):
    expires = timezone.now() + timedelta(days=7)
    response = api_as(world.editor).post(
        "/api/v1/share-links/", {"dashboard": world.venture.pk, "label": "for investors", "expires_at": expires.isoformat()}
    )

    assert response.status_code == 201, response.data
    token = response.data["token"]
    assert len(token) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    assert response.data["url"] == f"http://testserver/s/{token}/"
    assert response.data["target"] == "dashboard"
    assert response.data["label"] == "for investors"
    assert response.data["created_by"] == world.editor.username
    link = ShareLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(value) for value in ShareLink.objects.values().get().values())
    assert token not in stored
    listed = api_as(world.editor).get("/api/v1/share-links/").data["results"]
    assert "token" not in listed[0]
    assert "url" not in listed[0]
    assert token not in str(api_as(world.editor).get(f"/api/v1/share-links/{link.pk}/").data)


def test_a_link_to_one_canvas(world: TeamWorld):
    canvas = canvas_create(user=world.owner, venture=world.venture, kind="lean", title="Lean")

    response = api_as(world.owner).post("/api/v1/share-links/", {"canvas": canvas.pk, "allow_embed": True})

    assert response.status_code == 201, response.data
    assert (response.data["target"], response.data["canvas"], response.data["venture"]) == ("canvas", canvas.pk, world.venture.pk)
    assert response.data["allow_embed"] is True


@pytest.mark.parametrize("body", [{}, {"dashboard": 1, "canvas": 1}])
def test_a_link_shares_either_a_dashboard_or_a_canvas(world: TeamWorld, body):
    response = api_as(world.owner).post("/api/v1/share-links/", body, format="json")

    assert response.status_code == 400
    assert not ShareLink.objects.exists()


def test_an_expiry_in_the_past_is_refused(world: TeamWorld):
    past = (timezone.now() - timedelta(minutes=1)).isoformat()

    response = api_as(world.owner).post("/api/v1/share-links/", {"dashboard": world.venture.pk, "expires_at": past})

    assert response.status_code == 400
    assert response.data["code"] == "expiry_in_past"


def test_a_viewer_of_team_a_cannot_create_links_for_team_bs_dashboard_or_canvas(world: TeamWorld):
    theirs = canvas_create(user=world.other_owner, venture=world.other_venture, kind="lean", title="Theirs")

    dashboard = api_as(world.viewer).post("/api/v1/share-links/", {"dashboard": world.other_venture.pk})
    canvas = api_as(world.viewer).post("/api/v1/share-links/", {"canvas": theirs.pk})

    assert dashboard.status_code == 404
    assert canvas.status_code == 404
    assert not ShareLink.objects.exists()


def test_a_viewer_sees_the_links_but_cannot_create_or_revoke_them(world: TeamWorld):
    link = ShareLinkFactory(venture=world.venture, created_by=world.owner)

    created = api_as(world.viewer).post("/api/v1/share-links/", {"dashboard": world.venture.pk})
    revoked = api_as(world.viewer).delete(f"/api/v1/share-links/{link.pk}/")
    listed = api_as(world.viewer).get("/api/v1/share-links/", {"venture": world.venture.pk})

    assert (created.status_code, revoked.status_code) == (403, 403)
    assert [row["id"] for row in listed.data["results"]] == [link.pk]
    assert listed.data["results"][0]["created_by"] == world.owner.username
    assert ShareLink.objects.get().revoked_at is None


def test_links_are_listed_only_within_the_users_teams(world: TeamWorld):
    mine = ShareLinkFactory(venture=world.venture)
    theirs = ShareLinkFactory(venture=world.other_venture)

    listed = api_as(world.owner).get("/api/v1/share-links/").data["results"]

    assert [row["id"] for row in listed] == [mine.pk]
    assert api_as(world.owner).get(f"/api/v1/share-links/{theirs.pk}/").status_code == 404
    assert api_as(world.owner).delete(f"/api/v1/share-links/{theirs.pk}/").status_code == 404
    assert ShareLink.objects.get(pk=theirs.pk).revoked_at is None


def test_delete_revokes_the_link_at_once(client, world: TeamWorld):
    link = ShareLinkFactory(venture=world.venture)
    assert client.get(f"/s/{link.token}/").status_code == 200

    response = api_as(world.editor).delete(f"/api/v1/share-links/{link.pk}/")

    assert response.status_code == 204
    assert client.get(f"/s/{link.token}/").status_code == 404
    detail = api_as(world.editor).get(f"/api/v1/share-links/{link.pk}/").data
    assert detail["revoked_at"] is not None
    assert detail["is_active"] is False


# --- bindings -------------------------------------------------------------------------------------------------------


def _bindings(response) -> dict:
    return {row["panel"]: row for row in response.data["bindings"]}


def test_the_bindings_are_read_with_the_newer_run_on_offer(world: TeamWorld):
    dataset = ready_dataset(world.venture)
    forecast = forecast_run(dataset)
    api_as(world.editor).post(_dashboard_url(world.venture.pk), {"layout": ["key_numbers", "forecast"]}, format="json")
    newer = forecast_run(dataset, metric="orders")

    bindings = _bindings(api_as(world.viewer).get(_dashboard_url(world.venture.pk)))

    assert bindings["key_numbers"] | {"run_at": None} == {
        "panel": "key_numbers",
        "dataset": dataset.pk,
        "analysis": forecast.pk,
        "run_at": None,
        "pinned": True,
        "newer": None,
    }
    assert (bindings["forecast"]["analysis"], bindings["forecast"]["newer"]["analysis"]) == (forecast.pk, newer.pk)


def test_an_editor_binds_a_panel_to_a_chosen_run_and_a_later_save_keeps_it(world: TeamWorld):
    dataset = ready_dataset(world.venture)
    older, _newer = segmentation_run(dataset), segmentation_run(dataset)
    url = _dashboard_url(world.venture.pk)

    chosen = api_as(world.editor).post(
        url, {"layout": ["segmentation"], "bindings": [{"panel": "segmentation", "analysis": older.pk}]}, format="json"
    )
    kept = api_as(world.editor).post(url, {"layout": ["swot", "segmentation"]}, format="json")

    assert chosen.status_code == 200
    assert _bindings(chosen)["segmentation"]["analysis"] == older.pk
    assert _bindings(kept)["segmentation"]["analysis"] == older.pk


def test_a_binding_must_be_a_run_of_the_panels_kind_and_of_the_users_teams(world: TeamWorld):
    dataset = ready_dataset(world.venture)
    segmentation = segmentation_run(dataset)
    foreign = forecast_run(ready_dataset(world.other_venture))
    url = _dashboard_url(world.venture.pk)

    wrong_kind = api_as(world.editor).post(
        url, {"layout": ["forecast"], "bindings": [{"panel": "forecast", "analysis": segmentation.pk}]}, format="json"
    )
    other_team = api_as(world.editor).post(
        url, {"layout": ["forecast"], "bindings": [{"panel": "forecast", "analysis": foreign.pk}]}, format="json"
    )

    assert wrong_kind.status_code == 400
    assert other_team.status_code == 404
    assert not Dashboard.objects.exists()


def test_a_snapshot_link_is_created_through_the_api(world: TeamWorld):
    response = api_as(world.editor).post("/api/v1/share-links/", {"dashboard": world.venture.pk, "mode": "snapshot"}, format="json")

    assert response.status_code == 201
    assert response.data["mode"] == "snapshot"
    assert ShareSnapshot.objects.filter(link_id=response.data["id"]).exists()
