"""Compare two snapshots: per group (a canvas block, a SWOT quadrant), which items were added, removed, changed (each
field from its old value to its new one) or moved within the group.

Pure: plain dicts in, plain dataclasses out."""

from dataclasses import dataclass, field

IGNORED = frozenset({"id", "version", "position"})


@dataclass(frozen=True)
class ItemChange:
    before: dict
    after: dict
    fields: tuple[str, ...]  # which fields differ (a move to another group shows as "group")

    @property
    def values(self) -> list[tuple[str, object, object]]:
        """Each differing field with its old and new value."""
        return [(name, self.before.get(name), self.after.get(name)) for name in self.fields]


@dataclass(frozen=True)
class ItemMove:
    """An item put elsewhere in its group: positions count from 1, as people do."""

    item: dict
    before: int
    after: int


@dataclass
class GroupDiff:
    group: str
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    reordered: bool = False  # the same items, in another order
    moved: list[ItemMove] = field(default_factory=list)  # the fewest items whose moves explain the new order

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
        if group.reordered:
            untouched = {item_id for item_id in kept if new[item_id].get("version") == old[item_id].get("version")}
            moved = _moved(before_order, after_order, untouched=untouched)
            group.moved = [
                ItemMove(item=new[item_id], before=old[item_id].get("position", 0) + 1, after=new[item_id].get("position", 0) + 1)
                for item_id in after_order
                if item_id in moved
            ]

    before_fields, after_fields = before.get("fields", {}), after.get("fields", {})
    changed_fields = {
        key: (before_fields.get(key), after_fields.get(key))
        for key in sorted(set(before_fields) | set(after_fields))
        if before_fields.get(key) != after_fields.get(key)
    }
    return SnapshotDiff(fields=changed_fields, groups=list(by_group.values()))


def _moved(before_order: list, after_order: list, *, untouched: set) -> set:
    """The items outside a longest run kept in the same relative order: moving just those turns one order into the
    other (a note moved from first to last is one move, not four). Of equally long runs, the one with the most
    `untouched` items (whose own version did not change: they were only shifted) is kept, so the note a person
    actually moved is the one named. Quadratic, fine for the notes of one block."""
    rank = {item_id: index for index, item_id in enumerate(before_order)}
    sequence = [rank[item_id] for item_id in after_order]
    best: list[tuple[int, int]] = []
    parent: list[int] = []
    for index, value in enumerate(sequence):
        score, link = (1, int(after_order[index] in untouched)), -1
        for earlier in range(index):
            if sequence[earlier] < value:
                candidate = (best[earlier][0] + 1, best[earlier][1] + int(after_order[index] in untouched))
                if candidate > score:
                    score, link = candidate, earlier
        best.append(score)
        parent.append(link)
    kept = set()
    index = max(range(len(best)), key=best.__getitem__, default=-1)
    while index >= 0:
        kept.add(after_order[index])
        index = parent[index]
    return set(after_order) - kept
