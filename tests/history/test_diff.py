"""snapshot_diff on plain snapshots: what counts as a change."""

from history.diff import snapshot_diff


def snapshot(**item: object) -> dict:
    return {"fields": {}, "items": [{"id": 1, "group": "g", "position": 0, **item}]}


def test_a_field_the_model_gained_since_the_older_snapshot_is_no_change():
    diff = snapshot_diff(snapshot(text="a"), snapshot(text="a", evidence_figure=""))

    assert diff.is_empty


def test_a_changed_field_is_a_change():
    diff = snapshot_diff(snapshot(text="a", evidence_figure=""), snapshot(text="b", evidence_figure=""))

    [group] = diff.groups
    assert [change.fields for change in group.changed] == [("text",)]


def ordered(*texts: str) -> dict:
    return {"fields": {}, "items": [{"id": text, "group": "g", "position": position, "text": text} for position, text in enumerate(texts)]}


def test_a_note_moved_from_first_to_last_is_one_move_not_four():
    diff = snapshot_diff(ordered("a", "b", "c", "d"), ordered("b", "c", "d", "a"))

    [group] = diff.groups
    assert group.reordered
    assert [(move.item["text"], move.before, move.after) for move in group.moved] == [("a", 1, 4)]


def test_the_same_order_has_no_moves():
    [group] = snapshot_diff(ordered("a", "b"), ordered("a", "b")).groups

    assert (group.reordered, group.moved) == (False, [])


def test_a_change_lists_each_field_old_and_new():
    diff = snapshot_diff(snapshot(text="a", color="yellow", note=""), snapshot(text="b", color="pink", note=""))

    [group] = diff.groups
    assert group.changed[0].values == [("color", "yellow", "pink"), ("text", "a", "b")]


def test_of_two_equal_explanations_the_note_whose_version_changed_is_the_one_moved():
    before = {"items": [{"id": t, "group": "g", "position": p, "version": 1, "text": t} for p, t in enumerate("abc")]}
    after = {
        "items": [{"id": t, "group": "g", "position": p, "version": v, "text": t} for t, p, v in (("a", 1, 2), ("b", 0, 1), ("c", 2, 1))]
    }

    [group] = snapshot_diff(before, after).groups

    assert [(move.item["text"], move.before, move.after) for move in group.moved] == [("a", 1, 2)]
