"""The teams API: what each role may do, and that another team's ids do not exist for you."""

import pytest

from teams.models import Invitation, Membership, Role
from tests.accounts.factories import UserFactory
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def test_creating_a_team_makes_the_creator_its_owner(world):
    response = api_as(world.viewer).post("/api/v1/teams/", {"name": "Side project"})

    assert response.status_code == 201
    assert response.json()["my_role"] == "owner"
    assert Membership.objects.get(team_id=response.json()["id"], user=world.viewer).role == Role.OWNER


def test_team_list_shows_only_my_teams(world):
    response = api_as(world.editor).get("/api/v1/teams/")

    assert response.status_code == 200
    assert [team["name"] for team in response.json()["results"]] == ["Acme"]
    assert response.json()["results"][0]["member_count"] == 3


def test_team_list_needs_authentication(api):
    response = api.get("/api/v1/teams/")
    bad_token = api.get("/api/v1/teams/", HTTP_AUTHORIZATION="Token not-a-token")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"detail", "code"}
    assert bad_token.status_code == 401


def test_token_authentication_works_for_scripts(world, api):
    token = api.post("/api/v1/auth/token/", {"username": world.owner.username, "password": "correct-horse-battery-staple"}).json()["token"]

    response = api.get("/api/v1/teams/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/teams/{team}/", None),
        ("patch", "/api/v1/teams/{team}/", {"name": "Mine now"}),
        ("delete", "/api/v1/teams/{team}/", None),
        ("get", "/api/v1/teams/{team}/members/", None),
        ("post", "/api/v1/teams/{team}/members/", {"username": "{outsider}", "role": "viewer"}),
        ("patch", "/api/v1/teams/{team}/members/{member}/", {"role": "viewer"}),
        ("delete", "/api/v1/teams/{team}/members/{member}/", None),
        ("get", "/api/v1/teams/{team}/invitations/", None),
        ("post", "/api/v1/teams/{team}/invitations/", {"role": "viewer"}),
    ],
)
def test_another_teams_ids_answer_404(world, method, path, body):
    outsider = UserFactory()
    url = path.format(team=world.other_team.pk, member=world.other_owner.pk)
    if body:
        body = {key: value.format(outsider=outsider.username) for key, value in body.items()}

    response = getattr(api_as(world.owner), method)(url, body)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert Membership.objects.filter(team=world.other_team).count() == 1
    assert world.other_team.name == "Rivals"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/api/v1/teams/{team}/", {"name": "Renamed"}),
        ("delete", "/api/v1/teams/{team}/", None),
        ("post", "/api/v1/teams/{team}/members/", {"username": "{outsider}", "role": "viewer"}),
        ("patch", "/api/v1/teams/{team}/members/{member}/", {"role": "viewer"}),
        ("delete", "/api/v1/teams/{team}/members/{member}/", None),
        ("get", "/api/v1/teams/{team}/invitations/", None),
        ("post", "/api/v1/teams/{team}/invitations/", {"role": "viewer"}),
    ],
)
@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_only_owners_manage_the_team(world, method, path, body, role):
    outsider = UserFactory()
    actor = getattr(world, role)
    url = path.format(team=world.team.pk, member=world.owner.pk)
    if body:
        body = {key: value.format(outsider=outsider.username) for key, value in body.items()}

    response = getattr(api_as(actor), method)(url, body)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Membership.objects.filter(team=world.team).count() == 3
    assert Membership.objects.get(team=world.team, user=world.owner).role == Role.OWNER
    assert not Invitation.objects.exists()


def test_viewers_read_the_team_and_its_members(world):
    client = api_as(world.viewer)

    assert client.get(f"/api/v1/teams/{world.team.pk}/").json()["my_role"] == "viewer"
    members = client.get(f"/api/v1/teams/{world.team.pk}/members/").json()["results"]
    assert {m["role"] for m in members} == {"owner", "editor", "viewer"}


def test_owner_adds_a_member_by_username_and_changes_their_role(world):
    newcomer = UserFactory(username="Newcomer")
    client = api_as(world.owner)

    added = client.post(f"/api/v1/teams/{world.team.pk}/members/", {"username": "newcomer", "role": "viewer"})
    changed = client.patch(f"/api/v1/teams/{world.team.pk}/members/{newcomer.pk}/", {"role": "editor"})

    assert added.status_code == 201
    assert added.json()["role"] == "viewer"
    assert added.json()["user_id"] == newcomer.pk
    assert changed.status_code == 200
    assert Membership.objects.get(team=world.team, user=newcomer).role == Role.EDITOR


def test_an_email_address_is_not_a_way_to_add_someone_directly(world):
    """Addresses are unverified: whoever registered one first must not be added in its owner's place."""
    squatter = UserFactory(email="ceo@bigcorp.example")

    response = api_as(world.owner).post(f"/api/v1/teams/{world.team.pk}/members/", {"username": squatter.email, "role": "owner"})

    assert response.status_code == 400
    assert response.json()["code"] == "user_not_found"
    assert "invitation" in response.json()["detail"]
    assert not Membership.objects.filter(user=squatter).exists()


def test_adding_an_unknown_user_or_a_member_twice_is_refused(world):
    client = api_as(world.owner)

    unknown = client.post(f"/api/v1/teams/{world.team.pk}/members/", {"username": "nobody", "role": "viewer"})
    twice = client.post(f"/api/v1/teams/{world.team.pk}/members/", {"username": world.editor.username, "role": "viewer"})
    bad_role = client.post(f"/api/v1/teams/{world.team.pk}/members/", {"username": world.editor.username, "role": "god"})

    assert unknown.status_code == 400
    assert unknown.json()["code"] == "user_not_found"
    assert twice.status_code == 409
    assert twice.json()["code"] == "already_member"
    assert bad_role.status_code == 400
    assert "role" in bad_role.json()


def test_the_last_owner_can_neither_be_demoted_nor_removed(world):
    client = api_as(world.owner)

    demote = client.patch(f"/api/v1/teams/{world.team.pk}/members/{world.owner.pk}/", {"role": "editor"})
    leave = client.delete(f"/api/v1/teams/{world.team.pk}/members/{world.owner.pk}/")

    assert demote.status_code == 409
    assert demote.json()["code"] == "last_owner"
    assert leave.status_code == 409
    assert Membership.objects.get(team=world.team, user=world.owner).role == Role.OWNER


def test_any_member_may_leave(world):
    response = api_as(world.viewer).delete(f"/api/v1/teams/{world.team.pk}/members/{world.viewer.pk}/")

    assert response.status_code == 204
    assert not Membership.objects.filter(team=world.team, user=world.viewer).exists()


def test_owner_renames_and_deletes_the_team_with_its_ventures(world):
    client = api_as(world.owner)

    renamed = client.patch(f"/api/v1/teams/{world.team.pk}/", {"name": "Acme Labs"})
    deleted = client.delete(f"/api/v1/teams/{world.team.pk}/")

    assert renamed.json()["name"] == "Acme Labs", renamed.json()
    assert deleted.status_code == 204
    assert client.get(f"/api/v1/ventures/{world.venture.pk}/").status_code == 404


def test_invite_link_round_trip(world):
    newcomer = UserFactory()

    created = api_as(world.owner).post(f"/api/v1/teams/{world.team.pk}/invitations/", {"role": "editor"})
    token = created.json()["token"]
    accepted = api_as(newcomer).post("/api/v1/invitations/accept/", {"token": token})
    again = api_as(newcomer).post("/api/v1/invitations/accept/", {"token": token})
    listed = api_as(world.owner).get(f"/api/v1/teams/{world.team.pk}/invitations/").json()["results"]

    assert created.status_code == 201
    assert created.json()["url"].endswith(f"/teams/join/{token}/")
    assert accepted.status_code == 201
    assert accepted.json()["team"] == world.team.pk
    assert again.status_code == 200
    assert Membership.objects.get(team=world.team, user=newcomer).role == Role.EDITOR
    assert "token" not in listed[0]
    assert listed[0]["use_count"] == 1


def test_revoked_invitation_no_longer_opens_the_team(world):
    owner_client = api_as(world.owner)
    created = owner_client.post(f"/api/v1/teams/{world.team.pk}/invitations/", {"role": "viewer"}).json()

    revoked = owner_client.delete(f"/api/v1/teams/{world.team.pk}/invitations/{created['id']}/")
    accepted = api_as(UserFactory()).post("/api/v1/invitations/accept/", {"token": created["token"]})
    unknown = api_as(UserFactory()).post("/api/v1/invitations/accept/", {"token": "not-a-token"})

    assert revoked.status_code == 204
    assert accepted.status_code == 409
    assert accepted.json()["code"] == "invitation_unusable"
    assert unknown.status_code == 404


def test_an_invite_link_cannot_make_owners(world):
    response = api_as(world.owner).post(f"/api/v1/teams/{world.team.pk}/invitations/", {"role": "owner"})
    emailed = api_as(world.owner).post(f"/api/v1/teams/{world.team.pk}/invitations/", {"role": "owner", "email": "cofounder@example.com"})

    assert response.status_code == 400
    assert response.json()["code"] == "link_role"
    assert emailed.status_code == 201


def test_patching_a_team_with_nothing_changes_nothing(world):
    response = api_as(world.owner).patch(f"/api/v1/teams/{world.team.pk}/", {})

    assert response.status_code == 200
    assert response.json()["name"] == "Acme"
