from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from teams.access import role_require
from teams.models import Invitation, Membership, Role
from teams.services import invitation_accept, invitation_create, member_remove, member_role_change, team_create, teammate_invite
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://bizcanvas.example"


def test_role_require_distinguishes_outsiders_from_insufficient_roles(world):
    assert role_require(user=world.viewer, team=world.team, minimum=Role.VIEWER).role == Role.VIEWER
    with pytest.raises(AccessDenied):
        role_require(user=world.viewer, team=world.team, minimum=Role.EDITOR)
    with pytest.raises(NotFound):
        role_require(user=world.other_owner, team=world.team, minimum=Role.VIEWER)


def test_team_create_strips_the_name_and_rejects_blank_names():
    user = UserFactory()

    team = team_create(user=user, name="  Owls  ")

    assert team.name == "Owls"
    with pytest.raises(ValidationError, match="blank"):
        team_create(user=user, name="   ")


def test_a_second_owner_lets_the_first_one_step_down(world):
    second = Membership.objects.get(team=world.team, user=world.editor)
    member_role_change(actor=world.owner, membership=second, role=Role.OWNER)

    first = Membership.objects.get(team=world.team, user=world.owner)
    member_role_change(actor=world.owner, membership=first, role=Role.VIEWER)

    assert Membership.objects.get(team=world.team, user=world.owner).role == Role.VIEWER
    with pytest.raises(Conflict):
        member_remove(actor=world.editor, membership=Membership.objects.get(team=world.team, user=world.editor))


def test_an_emailed_invitation_is_for_its_address_only_and_works_once(world):
    invitation, token = invitation_create(actor=world.owner, team=world.team, role=Role.EDITOR, email="New@Example.com", site_url=SITE)
    stranger, invitee, latecomer = UserFactory(), UserFactory(email="new@example.com"), UserFactory()

    with pytest.raises(Conflict, match="another e-mail"):
        invitation_accept(user=stranger, token=token)
    accepted = invitation_accept(user=invitee, token=token)
    again = invitation_accept(user=invitee, token=token)

    assert (accepted.joined, accepted.membership.role) == (True, Role.EDITOR)
    assert (again.joined, again.membership) == (False, accepted.membership)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.use_count == 1
    with pytest.raises(Conflict):
        invitation_accept(user=latecomer, token=token)


def test_an_expired_link_opens_nothing(world):
    invitation, token = invitation_create(actor=world.owner, team=world.team, role=Role.VIEWER, site_url=SITE)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(Conflict):
        invitation_accept(user=UserFactory(), token=token)


def test_only_a_hash_of_the_token_is_stored(world):
    invitation, token = invitation_create(actor=world.owner, team=world.team, role=Role.VIEWER, site_url=SITE)

    assert token not in invitation.token_hash
    assert len(token) >= 43  # 256 bits, URL-safe base64
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_teammate_invite_sends_an_invitation_to_an_unknown_address_but_refuses_an_unknown_name(world):
    invited = teammate_invite(actor=world.owner, team=world.team, identifier=" someone@example.com ", role=Role.VIEWER, site_url=SITE)

    assert invited.invitation.email == "someone@example.com"
    assert invited.membership is None
    with pytest.raises(InvalidInput, match="No user has the username"):
        teammate_invite(actor=world.owner, team=world.team, identifier="someone", role=Role.VIEWER, site_url=SITE)


def test_editors_cannot_invite(world):
    with pytest.raises(AccessDenied):
        invitation_create(actor=world.editor, team=world.team, role=Role.OWNER, site_url=SITE)
