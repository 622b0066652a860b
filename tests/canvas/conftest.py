import pytest

from canvas.services import canvas_create
from tests.conftest import TeamWorld


@pytest.fixture
def bmc(world: TeamWorld):
    """A Business Model Canvas in the world's venture, created through the service (so it has history)."""
    return canvas_create(user=world.owner, venture=world.venture, kind="business_model", title="Acme BMC")


@pytest.fixture
def other_bmc(world: TeamWorld):
    return canvas_create(user=world.other_owner, venture=world.other_venture, kind="business_model", title="Rival BMC")
