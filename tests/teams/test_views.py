import pytest

from outbox.models import OutboundEmail
from teams.models import Invitation, Membership, Role, Team
from tests.accounts.factories import UserFactory, activation_link

pytestmark = pytest.mark.django_db


def test_creating_a_team_in_the_browser(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post("/teams/", {"name": "Night owls"})

    team = Team.objects.get(name="Night owls")
    assert response["Location"] == f"/teams/{team.pk}/"
    assert Membership.objects.get(team=team, user=user).role == Role.OWNER


def test_another_teams_page_is_a_404(client, world):
    client.force_login(world.owner)

    assert client.get(f"/teams/{world.other_team.pk}/").status_code == 404
    assert client.post(f"/teams/{world.other_team.pk}/rename/", {"name": "x"}).status_code == 404


def test_viewers_see_members_but_no_management_forms(client, world):
    client.force_login(world.viewer)

    page = client.get(f"/teams/{world.team.pk}/").content.decode()

    assert world.owner.username in page
    assert "Invite a teammate" not in page
    assert "<select" not in page


def test_inviting_an_existing_user_adds_them_and_a_new_address_gets_an_invitation(client, world):
    newcomer = UserFactory()
    client.force_login(world.owner)

    client.post(f"/teams/{world.team.pk}/members/invite/", {"identifier": newcomer.username, "role": "viewer"})
    client.post(f"/teams/{world.team.pk}/members/invite/", {"identifier": "new.person@example.com", "role": "editor"})

    assert Membership.objects.get(team=world.team, user=newcomer).role == Role.VIEWER
    invitation = Invitation.objects.get(team=world.team)
    assert (invitation.email, invitation.role) == ("new.person@example.com", Role.EDITOR)
    emails = OutboundEmail.objects.order_by("created_at")
    assert [email.to for email in emails] == [newcomer.email, "new.person@example.com"]
    assert "/teams/join/" in emails[1].body


def test_inviting_an_unknown_username_explains_why_nothing_happened(client, world):
    client.force_login(world.owner)

    response = client.post(f"/teams/{world.team.pk}/members/invite/", {"identifier": "ghost", "role": "viewer"}, follow=True)

    assert "No user has the username “ghost”." in response.content.decode()


def test_invite_link_is_shown_once_and_joins_after_confirmation(client, world):
    client.force_login(world.owner)
    page = client.post(f"/teams/{world.team.pk}/invitations/link/", {"link-role": "editor"}, follow=True)
    link = page.context["new_link"]
    shown_again = client.get(f"/teams/{world.team.pk}/").context["new_link"]
    newcomer = UserFactory()
    client.force_login(newcomer)

    preview = client.get(link)
    joined = client.post(link)

    assert page.redirect_chain == [(f"/teams/{world.team.pk}/", 302)]
    assert page.context["link_form"]["role"].value() == "editor"  # the form remembers the role just used
    assert shown_again is None
    assert preview.status_code == 200
    assert "Join the team" in preview.content.decode()
    assert joined["Location"] == f"/teams/{world.team.pk}/"
    assert Membership.objects.get(team=world.team, user=newcomer).role == Role.EDITOR


def test_invite_link_page_needs_login(client, world):
    response = client.get("/teams/join/some-token/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_role_change_with_htmx_returns_only_the_row(client, world):
    client.force_login(world.owner)

    response = client.post(f"/teams/{world.team.pk}/members/{world.viewer.pk}/role/", {"role": "editor"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="member-{world.viewer.pk}">')
    assert "<html" not in body
    assert Membership.objects.get(team=world.team, user=world.viewer).role == Role.EDITOR


def test_last_owner_demotion_is_refused_with_a_message(client, world):
    client.force_login(world.owner)

    response = client.post(f"/teams/{world.team.pk}/members/{world.owner.pk}/role/", {"role": "viewer"}, follow=True)

    assert "A team needs at least one owner." in response.content.decode()
    assert Membership.objects.get(team=world.team, user=world.owner).role == Role.OWNER


def test_deleting_a_team_asks_first(client, world):
    client.force_login(world.owner)

    confirm = client.get(f"/teams/{world.team.pk}/delete/")
    assert Team.objects.filter(pk=world.team.pk).exists()
    client.post(f"/teams/{world.team.pk}/delete/")

    assert "cannot be undone" in confirm.content.decode()
    assert not Team.objects.filter(pk=world.team.pk).exists()


def test_editor_cannot_delete_the_team(client, world):
    client.force_login(world.editor)

    page = client.get(f"/teams/{world.team.pk}/delete/")
    response = client.post(f"/teams/{world.team.pk}/delete/")

    assert page.status_code == 403
    assert response.status_code == 403
    assert Team.objects.filter(pk=world.team.pk).exists()


def test_an_invitee_who_signs_up_lands_back_on_the_invitation(client, world):
    client.force_login(world.owner)
    page = client.post(f"/teams/{world.team.pk}/invitations/link/", {"link-role": "viewer"}, follow=True)
    path = page.context["new_link"].removeprefix("http://testserver")
    client.logout()

    login_page = client.get(path, follow=True)
    signup = client.post(
        f"/accounts/signup/?next={path}",
        {"username": "invitee", "email": "invitee@example.com", "password": "analytical-engine-1843", "next": path},
    )

    confirmed = client.post(activation_link("invitee@example.com"))  # sign-up is confirmed from the e-mail now

    assert login_page.redirect_chain[-1][0].startswith("/accounts/login/")
    assert f'href="/accounts/signup/?next={path}"' in login_page.content.decode()
    assert signup["Location"] == "/accounts/signup/sent/"
    assert confirmed["Location"] == path


def test_role_change_by_htmx_that_steps_the_actor_down_reloads_the_page(client, world):
    Membership.objects.filter(team=world.team, user=world.editor).update(role=Role.OWNER)
    client.force_login(world.owner)

    response = client.post(f"/teams/{world.team.pk}/members/{world.owner.pk}/role/", {"role": "viewer"}, HTTP_HX_REQUEST="true")

    assert response["HX-Refresh"] == "true"
    assert Membership.objects.get(team=world.team, user=world.owner).role == Role.VIEWER


def test_a_malformed_address_is_explained_not_a_crash(client, world):
    client.force_login(world.owner)

    response = client.post(f"/teams/{world.team.pk}/members/invite/", {"identifier": "not-an-email@", "role": "viewer"}, follow=True)

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_message_is_shown_once_on_the_team_page(client, world):
    newcomer = UserFactory(username="bob")
    client.force_login(world.owner)

    response = client.post(f"/teams/{world.team.pk}/members/invite/", {"identifier": "bob", "role": "viewer"}, follow=True)

    assert response.content.decode().count("bob joined the team.") == 1
    assert Membership.objects.filter(user=newcomer).exists()


def test_renaming_to_a_blank_name_says_why(client, world):
    client.force_login(world.owner)

    response = client.post(f"/teams/{world.team.pk}/rename/", {"name": "   "})

    assert response.status_code == 200
    assert response.context["rename_form"].errors["name"]
    world.team.refresh_from_db()
    assert world.team.name == "Acme"


def test_an_invite_link_form_offers_no_owner_role(client, world):
    client.force_login(world.owner)

    form = client.get(f"/teams/{world.team.pk}/").context["link_form"]

    assert [value for value, _label in form.fields["role"].choices] == ["editor", "viewer"]
