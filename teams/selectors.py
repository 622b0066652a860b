from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from core.errors import NotFound
from core.tokens import token_digest
from teams.models import Invitation, Membership, Role, Team


def team_list_for_user(*, user: User | AnonymousUser, minimum_role: Role | None = None) -> QuerySet[Team]:
    """Teams the user belongs to (with at least `minimum_role`), each annotated with `my_role` and `member_count`."""
    if not user.is_authenticated:
        return Team.objects.none()
    mine = Membership.objects.filter(team=OuterRef("pk"), user=user)
    if minimum_role is not None:
        mine = mine.filter(role__in=[role for role in Role if role.allows(minimum_role)])
    member_count = Membership.objects.filter(team=OuterRef("pk")).order_by().values("team").annotate(n=Count("pk")).values("n")
    return (
        Team.objects.filter(Exists(mine))
        .annotate(my_role=Subquery(mine.values("role")[:1]), member_count=Subquery(member_count))
        .order_by("name", "id")
    )


def team_get_for_user(*, user: User | AnonymousUser, team_id: int) -> Team:
    team = team_list_for_user(user=user).filter(pk=team_id).first()
    if team is None:
        raise NotFound()
    return team


def member_list(*, team: Team) -> QuerySet[Membership]:
    return Membership.objects.filter(team=team).select_related("user").order_by("user__username")


def member_get(*, team: Team, user_id: int) -> Membership:
    membership = member_list(team=team).filter(user_id=user_id).first()
    if membership is None:
        raise NotFound()
    return membership


def invitation_list_pending(*, team: Team) -> QuerySet[Invitation]:
    """Invitations that can still be used: not revoked, not expired, and (for e-mailed ones) not accepted."""
    return (
        Invitation.objects.filter(team=team, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .filter(Q(email="") | Q(accepted_at__isnull=True))
        .select_related("created_by")
    )


def invitation_get_by_token(*, token: str) -> Invitation:
    """The invitation a token opens, whether usable or not; NotFound for an unknown token."""
    invitation = Invitation.objects.filter(token_hash=token_digest(token)).select_related("team").first()
    if invitation is None:
        raise NotFound()
    return invitation


def invitation_get_for_team(*, team: Team, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.filter(team=team, pk=invitation_id).first()
    if invitation is None:
        raise NotFound()
    return invitation


def team_member_list(*, team: Team) -> QuerySet[User]:
    """The team's people (for choosing, say, a risk's owner)."""
    return User.objects.filter(memberships__team=team).order_by("username")
