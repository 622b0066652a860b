import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvas.models import CanvasItem
from canvas.selectors import canvas_snapshot
from canvas.services import canvas_version_restore, item_add, item_delete, item_move, item_update
from core.errors import AccessDenied, StaleVersion
from history.models import Version

pytestmark = pytest.mark.django_db

BLOCKS = ("key_partners", "value_propositions", "channels")


def positions_by_block(canvas) -> dict[str, list[int]]:
    result: dict[str, list[int]] = {}
    for item in CanvasItem.objects.filter(canvas=canvas).order_by("block", "position"):
        result.setdefault(item.block, []).append(item.position)
    return result


def test_every_change_is_a_new_version_with_a_snapshot(world, bmc):
    item = item_add(user=world.editor, canvas=bmc, block="channels", text="Web")
    item = item_update(user=world.editor, item=item, expected_version=item.version, text="Web shop")
    item_move(user=world.editor, item=item, block="customer_segments", position=0, expected_version=item.version)

    versions = list(Version.objects.filter(object_id=bmc.pk).order_by("number").values_list("number", "action"))
    bmc.refresh_from_db()

    assert versions == [(1, "create"), (2, "item_add"), (3, "item_edit"), (4, "item_move")]
    assert bmc.version == 4
    assert Version.objects.get(object_id=bmc.pk, number=4).snapshot == canvas_snapshot(canvas=bmc)


def test_an_update_that_changes_nothing_records_nothing(world, bmc):
    item = item_add(user=world.editor, canvas=bmc, block="channels", text="Web")

    same = item_update(user=world.editor, item=item, expected_version=item.version, text="Web")

    assert same.version == item.version
    assert Version.objects.filter(object_id=bmc.pk).count() == 2


def test_inserting_at_a_position_shifts_the_others(world, bmc):
    for text in ("A", "B", "C"):
        item_add(user=world.editor, canvas=bmc, block="channels", text=text)

    item_add(user=world.editor, canvas=bmc, block="channels", text="first", position=0)

    assert list(CanvasItem.objects.filter(canvas=bmc).order_by("position").values_list("text", flat=True)) == ["first", "A", "B", "C"]


def test_stale_delete_and_viewer_edits_are_refused(world, bmc):
    item = item_add(user=world.editor, canvas=bmc, block="channels", text="Web")
    item_update(user=world.owner, item=item, expected_version=1, text="Web 2")

    with pytest.raises(StaleVersion):
        item_delete(user=world.editor, item=item, expected_version=1)
    with pytest.raises(AccessDenied):
        item_update(user=world.viewer, item=item, expected_version=2, text="x")
    with pytest.raises(ValidationError):
        item_add(user=world.editor, canvas=bmc, block="channels", text="")


def test_hostile_text_is_stored_as_typed(world, bmc):
    hostile = "<img src=x onerror=alert(1)> javascript:alert(1) \u202eevil 学生 🚲"

    item = item_add(user=world.editor, canvas=bmc, block="channels", text=hostile)

    assert CanvasItem.objects.get(pk=item.pk).text == hostile


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from(BLOCKS), st.integers(0, 6)),
        st.tuples(st.just("move"), st.sampled_from(BLOCKS), st.integers(0, 6), st.integers(0, 20)),
        st.tuples(st.just("delete"), st.integers(0, 20)),
        st.tuples(st.just("edit"), st.integers(0, 20)),
        st.tuples(st.just("restore"), st.integers(1, 30)),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_any_sequence_of_edits_keeps_positions_contiguous_and_loses_nothing(world, bmc, operations):
    """Whatever the order of adds, moves, edits, deletes and restores: every block's positions are 0..n-1, and the
    canvas holds exactly the items its latest snapshot says (so a restore brings every item back)."""
    bmc.refresh_from_db()  # examples share the canvas: start each from its empty first version, through the service
    canvas_version_restore(
        user=world.editor, canvas=bmc, version=Version.objects.get(object_id=bmc.pk, content_type__model="canvas", number=1)
    )
    for operation in operations:
        items = list(CanvasItem.objects.filter(canvas=bmc).order_by("id"))
        kind = operation[0]
        if kind == "add":
            item_add(user=world.editor, canvas=bmc, block=operation[1], text="note", position=operation[2])
        elif kind == "move" and items:
            item = items[operation[3] % len(items)]
            item_move(user=world.editor, item=item, block=operation[1], position=operation[2], expected_version=item.version)
        elif kind == "delete" and items:
            item = items[operation[1] % len(items)]
            item_delete(user=world.editor, item=item, expected_version=item.version)
        elif kind == "edit" and items:
            item = items[operation[1] % len(items)]
            item_update(user=world.editor, item=item, expected_version=item.version, text=f"edited {item.version}")
        elif kind == "restore":
            bmc.refresh_from_db()
            versions = list(Version.objects.filter(object_id=bmc.pk, content_type__model="canvas").order_by("number"))
            target = versions[operation[1] % len(versions)]
            canvas_version_restore(user=world.editor, canvas=bmc, version=target)
            assert sorted(i.pk for i in CanvasItem.objects.filter(canvas=bmc)) == sorted(entry["id"] for entry in target.snapshot["items"])

        for positions in positions_by_block(bmc).values():
            assert positions == list(range(len(positions)))
        bmc.refresh_from_db()
        latest = Version.objects.get(object_id=bmc.pk, content_type__model="canvas", number=bmc.version)
        assert latest.snapshot == canvas_snapshot(canvas=bmc)
