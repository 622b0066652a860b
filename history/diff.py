"""Compare two snapshots: per group (a canvas block, a SWOT quadrant), which items were added, removed or changed.

Pure: plain dicts in, plain dataclasses out."""

from dataclasses import dataclass, field

IGNORED = frozenset({"id", "version", "position"})


@dataclass(frozen=True)
class ItemChange:
    before: dict
    after: dict
    fields: tuple[str, ...]  # which fields differ (a move to another group shows as "group")


@dataclass
class GroupDiff:
    group: str
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    reordered: bool = False  # the same items, in another order

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.reordered)


@dataclass(frozen=True)
class SnapshotDiff:
    fields: dict[str, tuple[object, object]]  # top-level fields that differ: name → (before, after)
    groups: list[GroupDiff]

    @property
    def is_empty(self) -> bool:
        return not self.fields and all(group.is_empty for group in self.groups)


def snapshot_diff(before: dict, after: dict, *, groups: tuple[str, ...] = ()) -> SnapshotDiff:
    """Items are matched by id. An item that moved to another group is "changed" in its new group. Only fields both
    snapshots have are compared: a field the model gained after the older snapshot was taken is no change."""
    old = {item["id"]: item for item in before.get("items", [])}
    new = {item["id"]: item for item in after.get("items", [])}
    order = list(groups) + sorted({item["group"] for item in [*old.values(), *new.values()]} - set(groups))
    by_group = {name: GroupDiff(group=name) for name in order}

    for item_id, item in new.items():
        if item_id not in old:
            by_group[item["group"]].added.append(item)
            continue
        differing = tuple(key for key in sorted(set(item) & set(old[item_id])) if key not in IGNORED and item[key] != old[item_id][key])
        if differing:
            by_group[item["group"]].changed.append(ItemChange(before=old[item_id], after=item, fields=differing))
    for item_id, item in old.items():
        if item_id not in new:
            by_group[item["group"]].removed.append(item)
    for name, group in by_group.items():
        kept = [item_id for item_id in new if item_id in old and new[item_id]["group"] == old[item_id]["group"] == name]
        before_order = sorted(kept, key=lambda item_id: old[item_id].get("position", 0))
        after_order = sorted(kept, key=lambda item_id: new[item_id].get("position", 0))
        group.reordered = before_order != after_order

    before_fields, after_fields = before.get("fields", {}), after.get("fields", {})
    changed_fields = {
        key: (before_fields.get(key), after_fields.get(key))
        for key in sorted(set(before_fields) | set(after_fields))
        if before_fields.get(key) != after_fields.get(key)
    }
    return SnapshotDiff(fields=changed_fields, groups=list(by_group.values()))
