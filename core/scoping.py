"""Team scoping, said once: a user sees the rows of the teams they belong to, and nothing else.

A model declares the lookup from itself to its team (`objects = team_scoped("venture__team")`); every read that
asks "what may this user see" starts from `Model.objects.for_user(user)`. core imports no app, so the path is a
string: a `teams.Team` (related name `memberships` to its members) at the end of it."""

from typing import Self, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models


class TeamScopedQuerySet(models.QuerySet):
    team_path: str = "team"  # the lookup from the model to its teams.Team

    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        """The rows of the user's teams; none for an anonymous user."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(**{f"{self.team_path}__memberships__user": user})


def team_scoped(team_path: str) -> models.Manager:
    """A default manager whose querysets have `for_user`, scoped along `team_path`. Not used in migrations (no
    `use_in_migrations`), so declaring it changes no schema."""
    queryset = cast(
        type[TeamScopedQuerySet],
        type(f"TeamScopedQuerySet_{team_path}", (TeamScopedQuerySet,), {"team_path": team_path, "__module__": __name__}),
    )
    return queryset.as_manager()
