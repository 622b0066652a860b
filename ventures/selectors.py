from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.models import User
from core.errors import NotFound
from ventures.models import Venture


def venture_list_for_user(*, user: User | AnonymousUser, team_id: int | None = None) -> QuerySet[Venture]:
    """Ventures of the teams the user belongs to: the root of every "what may this user see" question."""
    ventures = Venture.objects.for_user(user).select_related("team")
    if team_id is not None:
        ventures = ventures.filter(team_id=team_id)
    return ventures.order_by("team__name", "name", "id")


def venture_get_for_user(*, user: User | AnonymousUser, venture_id: int) -> Venture:
    venture = venture_list_for_user(user=user).filter(pk=venture_id).first()
    if venture is None:
        raise NotFound()
    return venture
