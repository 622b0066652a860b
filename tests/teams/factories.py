import factory

from teams.models import Membership, Role, Team
from tests.accounts.factories import UserFactory


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.EDITOR


def member(team: Team, role: Role) -> "Membership":
    """A new user with `role` in `team`."""
    return MembershipFactory(team=team, role=role)
