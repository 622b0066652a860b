from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_find_by_username
from core.errors import Conflict, InvalidInput
from core.files import rows_delete_with_files
from core.tokens import token_new
from outbox.services import email_queue
from teams.access import role_require
from teams.models import Invitation, Membership, Role, Team
from teams.selectors import invitation_get_by_token

INVITATION_LIFETIME = timedelta(days=7)
# A link can be forwarded; it must never make its holder an owner.
LINK_ROLES = (Role.EDITOR, Role.VIEWER)


def team_manage_require(*, user: User | AnonymousUser, team: Team) -> None:
    """Who may manage a team (rename, delete, members, invitations): its owners. The one check every such write here
    makes; views call it too where they must refuse before reading input."""
    role_require(user=user, team=team, minimum=Role.OWNER)


@transaction.atomic
def team_create(*, user: User, name: str) -> Team:
    team = Team(name=name.strip(), created_by=user)
    team.full_clean()
    team.save()
    Membership.objects.create(team=team, user=user, role=Role.OWNER)
    return team


@transaction.atomic
def team_update(*, user: User, team: Team, name: str) -> Team:
    team_manage_require(user=user, team=team)
    team.name = name.strip()
    team.full_clean()
    team.save(update_fields=["name", "updated_at"])
    return team


@transaction.atomic
def team_delete(*, user: User, team: Team) -> None:
    """Delete the team and, through cascades, its ventures and everything in them, files in storage included (after
    the commit)."""
    team_manage_require(user=user, team=team)
    rows_delete_with_files(team)


def _lock_owners(team: Team) -> int:
    """Lock the team's row and return its owner count. Every change that could remove an owner takes this lock
    first, so two owners stepping down at once cannot leave the team without one."""
    Team.objects.select_for_update().filter(pk=team.pk).first()
    return Membership.objects.filter(team=team, role=Role.OWNER).count()


def _membership_create(*, team: Team, user: User, role: str) -> Membership:
    membership = Membership(team=team, user=user, role=role)
    membership.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:  # a concurrent add or accept got there first
        raise Conflict(_("%(username)s is already a member of this team.") % {"username": user.username}, code="already_member") from exc
    return membership


@transaction.atomic
def member_add(*, actor: User, team: Team, username: str, role: str) -> Membership:
    """Add an existing user, named by username, and tell them by e-mail. People named by e-mail address are
    invited instead (`invitation_create`): only the owner of the mailbox can accept."""
    team_manage_require(user=actor, team=team)
    user = user_find_by_username(username=username)
    if user is None:
        message = _("No user has the username “%(username)s”.") % {"username": username}
        if "@" in username:
            message += " " + _("To add someone by e-mail address, send them an invitation.")
        raise InvalidInput(message, code="user_not_found")
    if Membership.objects.filter(team=team, user=user).exists():
        raise Conflict(_("%(username)s is already a member of this team.") % {"username": user.username}, code="already_member")
    membership = _membership_create(team=team, user=user, role=role)
    with translation.override(user.language or settings.LANGUAGE_CODE):  # written in the recipient's language
        email_queue(
            to=user.email,
            subject=_("You were added to the team %(team)s on bizcanvas") % {"team": team.name},
            body=_("%(actor)s added you to the team “%(team)s” as %(role)s.")
            % {"actor": actor.username, "team": team.name, "role": membership.get_role_display()},
        )
    return membership


@dataclass(frozen=True)
class TeammateInvited:
    """What inviting someone did: added an existing user, or e-mailed an invitation to an address."""

    membership: Membership | None = None
    invitation: Invitation | None = None


def teammate_invite(*, actor: User, team: Team, identifier: str, role: str, site_url: str) -> TeammateInvited:
    """The browser's one "invite" box: a username joins at once; an e-mail address gets an invitation to accept."""
    identifier = identifier.strip()
    if "@" in identifier:  # usernames cannot contain "@" (see accounts.services)
        invitation, _token = invitation_create(actor=actor, team=team, role=role, email=identifier, site_url=site_url)
        return TeammateInvited(invitation=invitation)
    return TeammateInvited(membership=member_add(actor=actor, team=team, username=identifier, role=role))


@transaction.atomic
def member_role_change(*, actor: User, membership: Membership, role: str) -> Membership:
    team_manage_require(user=actor, team=membership.team)
    owners = _lock_owners(membership.team)
    membership = Membership.objects.get(pk=membership.pk)
    if membership.role == Role.OWNER and role != Role.OWNER and owners <= 1:
        raise Conflict(_("A team needs at least one owner. Make someone else an owner first."), code="last_owner")
    membership.role = role
    membership.full_clean(validate_unique=False, validate_constraints=False)
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, actor: User, membership: Membership) -> None:
    """Owners remove anyone; every member may remove themselves (leave). The last owner cannot go."""
    if membership.user_id != actor.pk:
        team_manage_require(user=actor, team=membership.team)
    owners = _lock_owners(membership.team)
    membership = Membership.objects.get(pk=membership.pk)
    if membership.role == Role.OWNER and owners <= 1:
        raise Conflict(_("A team needs at least one owner. Make someone else an owner first."), code="last_owner")
    membership.delete()


def invitation_link(*, token: str, site_url: str) -> str:
    return site_url.rstrip("/") + reverse("teams:invitation_accept", args=[token])


@transaction.atomic
def invitation_create(
    *, actor: User, team: Team, role: str, email: str = "", site_url: str, lifetime: timedelta = INVITATION_LIFETIME
) -> tuple[Invitation, str]:
    """Create an invitation and return it with its token, which is shown once and never stored.

    `site_url` is the site's origin (e.g. https://bizcanvas.example), used in the e-mailed link."""
    team_manage_require(user=actor, team=team)
    email = email.strip()
    if not email and role not in LINK_ROLES:
        raise InvalidInput(_("An invite link can make people editors or viewers, not owners."), code="link_role")
    token, digest = token_new()
    invitation = Invitation(team=team, role=role, email=email, token_hash=digest, created_by=actor, expires_at=timezone.now() + lifetime)
    invitation.full_clean()
    invitation.save()
    if invitation.email:
        link = invitation_link(token=token, site_url=site_url)
        email_queue(
            to=invitation.email,
            subject=_("%(actor)s invites you to the team %(team)s on bizcanvas") % {"actor": actor.username, "team": team.name},
            body=_("Open this link to join “%(team)s” as %(role)s (valid for %(days)d days):\n\n%(link)s\n")
            % {"team": team.name, "role": invitation.get_role_display(), "days": lifetime.days, "link": link},
            sensitive=True,
        )
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    team_manage_require(user=actor, team=invitation.team)
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@dataclass(frozen=True)
class InvitationAccepted:
    membership: Membership
    joined: bool  # False when the user was a member already


@transaction.atomic
def invitation_accept(*, user: User, token: str) -> InvitationAccepted:
    """Join the team an invitation opens. Accepting again, or when already a member, changes nothing."""
    invitation = invitation_get_by_token(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    existing = Membership.objects.filter(team=invitation.team, user=user).first()
    if existing is not None:
        return InvitationAccepted(membership=existing, joined=False)
    if not invitation.is_usable():
        raise Conflict(
            _("This invitation has expired, was revoked or was used already. Ask the team for a new one."), code="invitation_unusable"
        )
    if invitation.email and invitation.email.lower() != user.email.lower():
        raise Conflict(
            _("This invitation was sent to another e-mail address. Sign in with that account, or ask for a link."),
            code="invitation_other_email",
        )
    membership = _membership_create(team=invitation.team, user=user, role=invitation.role)
    invitation.use_count += 1
    if invitation.email:
        invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["use_count", "accepted_at"])
    return InvitationAccepted(membership=membership, joined=True)
