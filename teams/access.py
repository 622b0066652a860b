"""What a user may do in a team: the one place where roles are checked.

Seeing is decided by selectors (a team you are not in does not exist for you: 404); acting is decided here
(a viewer who tries to write gets 403)."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from core.errors import AccessDenied, NotFound
from teams.models import Membership, Role, Team


def membership_for(*, user: User | AnonymousUser, team: Team) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(team=team, user=user).first()


def role_allows(role: str | None, minimum: Role) -> bool:
    """Whether a role (a member's, or None for a non-member) is at least `minimum`."""
    return role is not None and Role(role).allows(minimum)


def role_require(*, user: User | AnonymousUser, team: Team, minimum: Role) -> Membership:
    """The user's membership if their role is at least `minimum`; NotFound if not in the team at all."""
    membership = membership_for(user=user, team=team)
    if membership is None:
        raise NotFound()
    if not role_allows(membership.role, minimum):
        raise AccessDenied()
    return membership


def is_member(*, user_id: int, team: Team) -> bool:
    return Membership.objects.filter(team=team, user_id=user_id).exists()


def can_edit(*, user: User | AnonymousUser, team: Team) -> bool:
    """Whether the user may change content in the team (editor or owner): what pages ask to show edit controls."""
    membership = membership_for(user=user, team=team)
    return membership is not None and role_allows(membership.role, Role.EDITOR)
