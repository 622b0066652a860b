import pytest

from core.errors import AccessDenied, NotFound
from ventures.models import Stage
from ventures.selectors import venture_get_for_user, venture_list_for_user
from ventures.services import venture_create, venture_update

pytestmark = pytest.mark.django_db


def test_venture_create_strips_text_and_records_the_author(world):
    venture = venture_create(user=world.editor, team=world.team, name="  Tidy  ", pitch=" pitch ", stage=Stage.GROWTH)

    assert (venture.name, venture.pitch, venture.stage, venture.created_by) == ("Tidy", "pitch", Stage.GROWTH, world.editor)


def test_viewer_cannot_create_or_update(world):
    with pytest.raises(AccessDenied):
        venture_create(user=world.viewer, team=world.team, name="Nope")
    with pytest.raises(AccessDenied):
        venture_update(user=world.viewer, venture=world.venture, name="Nope")


def test_outsider_sees_no_venture(world):
    assert list(venture_list_for_user(user=world.other_owner)) == [world.other_venture]
    with pytest.raises(NotFound):
        venture_get_for_user(user=world.other_owner, venture_id=world.venture.pk)


def test_venture_update_refuses_fields_that_are_not_editable(world):
    with pytest.raises(TypeError):
        venture_update(user=world.owner, venture=world.venture, team=world.other_team)
