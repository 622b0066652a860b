"""Coalescing: one person's consecutive edits within a few minutes are one version; names, other people and
landmarks (create, restore, …) each start a new one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from canvas.services import canvas_create, canvas_version_name, canvas_version_restore, item_add, item_move, item_update
from history.models import Version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def coalescing(settings):
    settings.HISTORY_COALESCE_MINUTES = 5


@pytest.fixture
def canvas(world):
    return canvas_create(user=world.owner, venture=world.venture, kind="business_model", title="Acme BMC")


def versions(canvas) -> list[Version]:
    return list(Version.objects.filter(object_id=canvas.pk, content_type__model="canvas").order_by("number"))


def moved_three_times(user, item):
    for block, version in (("channels", 1), ("customer_segments", 2), ("channels", 3)):
        item = item_move(user=user, item=item, block=block, position=0, expected_version=version)
    return item


def test_three_moves_by_one_person_are_one_version_holding_the_latest_state(world, canvas):
    item = item_add(user=world.owner, canvas=canvas, block="key_partners", text="Cafés")

    moved_three_times(world.owner, item)

    created, edited = versions(canvas)
    canvas.refresh_from_db()
    assert created.action == "create"  # a landmark: never merged with the edits after it
    assert (edited.number, edited.edits, edited.kinds) == (canvas.version, 4, "item_add item_move")
    assert edited.first_number == 2
    assert edited.summary == "Cafés"
    assert [entry["group"] for entry in edited.snapshot["items"]] == ["channels"]
    assert edited.changed_at >= edited.created_at


def test_a_change_by_someone_else_in_between_starts_a_new_version(world, canvas):
    item = item_add(user=world.owner, canvas=canvas, block="channels", text="Web")
    item = item_update(user=world.editor, item=item, expected_version=1, text="Web shop")
    item_update(user=world.owner, item=item, expected_version=2, text="Web shop and fairs")

    assert [(v.created_by, v.edits) for v in versions(canvas)[1:]] == [(world.owner, 1), (world.editor, 1), (world.owner, 1)]


def test_a_named_version_is_never_extended(world, canvas):
    item = item_add(user=world.owner, canvas=canvas, block="channels", text="Web")
    canvas_version_name(user=world.owner, canvas=canvas, name="Before fairs")

    item_update(user=world.owner, item=item, expected_version=1, text="Fairs")

    named, latest = versions(canvas)[1:]
    assert (named.name, named.snapshot["items"][0]["text"], named.edits) == ("Before fairs", "Web", 1)
    assert (latest.name, latest.snapshot["items"][0]["text"]) == ("", "Fairs")


def test_a_version_spans_at_most_the_window_from_its_first_change(world, canvas):
    item = item_add(user=world.owner, canvas=canvas, block="channels", text="Web")
    Version.objects.filter(number=2).update(created_at=timezone.now() - timedelta(minutes=6))

    item_update(user=world.owner, item=item, expected_version=1, text="Fairs")

    assert [v.edits for v in versions(canvas)] == [1, 1, 1]


def test_restores_stay_versions_of_their_own_and_bring_back_a_coalesced_state(world, canvas):
    item = item_add(user=world.owner, canvas=canvas, block="key_partners", text="Cafés")
    moved_three_times(world.owner, item)
    coalesced = versions(canvas)[-1]
    item_add(user=world.editor, canvas=canvas, block="channels", text="Fairs")

    canvas_version_restore(user=world.owner, canvas=canvas, version=coalesced)
    item_add(user=world.owner, canvas=canvas, block="channels", text="After the restore")

    actions = [v.action for v in versions(canvas)]
    assert actions == ["create", "item_move", "item_add", "restore", "item_add"]
    restored = versions(canvas)[3]
    assert sorted((e["group"], e["text"]) for e in restored.snapshot["items"]) == [("channels", "Cafés")]


def test_summaries_list_the_distinct_notes_touched(world, canvas):
    item_add(user=world.owner, canvas=canvas, block="channels", text="Web")
    item_add(user=world.owner, canvas=canvas, block="channels", text="Fairs")
    item_add(user=world.owner, canvas=canvas, block="channels", text="Web")

    assert versions(canvas)[-1].summary == "Web · Fairs"


def test_naming_a_number_inside_a_coalesced_version_names_that_version(world, canvas):
    item = item_add(user=world.owner, canvas=canvas, block="key_partners", text="Cafés")
    moved_three_times(world.owner, item)

    named = canvas_version_name(user=world.owner, canvas=canvas, name="Moved", number=3)

    assert named == versions(canvas)[-1]
    assert named.name == "Moved"


def test_a_window_of_zero_records_every_change(world, canvas, settings):
    settings.HISTORY_COALESCE_MINUTES = 0
    item = item_add(user=world.owner, canvas=canvas, block="key_partners", text="Cafés")

    moved_three_times(world.owner, item)

    assert [v.action for v in versions(canvas)] == ["create", "item_add", "item_move", "item_move", "item_move"]
