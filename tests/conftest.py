from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from teams.models import Role, Team
from tests.teams.factories import TeamFactory, member
from tests.ventures.factories import VentureFactory
from ventures.models import Venture


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Throttling counters live in the cache; start every test with an empty one."""
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Start every test in the default language: a request in another one leaves it active in the thread."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@dataclass
class TeamWorld:
    """One team with an owner, an editor and a viewer and one venture; plus an outsider team with its own venture."""

    team: Team
    owner: User
    editor: User
    viewer: User
    venture: Venture
    other_team: Team
    other_owner: User
    other_venture: Venture


@pytest.fixture
def world(db) -> TeamWorld:
    team = TeamFactory(name="Acme")
    other_team = TeamFactory(name="Rivals")
    return TeamWorld(
        team=team,
        owner=member(team, Role.OWNER).user,
        editor=member(team, Role.EDITOR).user,
        viewer=member(team, Role.VIEWER).user,
        venture=VentureFactory(team=team, name="Acme Bikes"),
        other_team=other_team,
        other_owner=member(other_team, Role.OWNER).user,
        other_venture=VentureFactory(team=other_team, name="Rival Scooters"),
    )


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


pytest_plugins = ["tests.worker"]
