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
