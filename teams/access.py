"""What a user may do in a team: the one place where roles are checked.

Seeing is decided by selectors (a team you are not in does not exist for you: 404); acting is decided here
(a viewer who tries to write gets 403)."""

from core.errors import AccessDenied, NotFound
from teams.models import Membership, Role, Team


def membership_for(*, user, team: Team) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(team=team, user=user).first()


def role_require(*, user, team: Team, minimum: Role) -> Membership:
    """The user's membership if their role is at least `minimum`; NotFound if not in the team at all."""
    membership = membership_for(user=user, team=team)
    if membership is None:
        raise NotFound()
    if not Role(membership.role).allows(minimum):
        raise AccessDenied()
    return membership
