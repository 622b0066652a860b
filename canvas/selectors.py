from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import User
from canvas.blueprints import PALETTE
from canvas.models import ITEM_CONTENT_FIELDS, AssumptionStatus, Canvas, CanvasItem, ItemComment
from canvas.sources import sources_check
from core.errors import NotFound
from history.diff import SnapshotDiff, snapshot_diff


def canvas_list_for_user(*, user: User | AnonymousUser, venture_id: int | None = None) -> QuerySet[Canvas]:
    canvases = Canvas.objects.for_user(user).select_related("venture__team")
    if venture_id is not None:
        canvases = canvases.filter(venture_id=venture_id)
    return canvases.annotate(item_count=Count("items", distinct=True)).order_by(F("archived_at").asc(nulls_first=True), "-updated_at", "id")


def canvas_get_for_user(*, user: User | AnonymousUser, canvas_id: int) -> Canvas:
    canvas = Canvas.objects.for_user(user).filter(pk=canvas_id).select_related("venture__team").first()
    if canvas is None:
        raise NotFound()
    return canvas


def canvas_version_for_user(*, user: User | AnonymousUser, canvas_id: int) -> int:
    """Just the canvas's version number: what a poll needs, in one indexed read."""
    version = Canvas.objects.for_user(user).filter(pk=canvas_id).values_list("version", flat=True).first()
    if version is None:
        raise NotFound()
    return version


def item_get_for_user(*, user: User | AnonymousUser, item_id: int) -> CanvasItem:
    item = CanvasItem.objects.for_user(user).filter(pk=item_id).select_related("canvas__venture__team").first()
    if item is None:
        raise NotFound()
    return item


def item_block(*, item: CanvasItem) -> str:
    """The block the item is in now: a teammate may have moved it since it was read."""
    return CanvasItem.objects.filter(pk=item.pk).values_list("block", flat=True).first() or item.block


def item_comments(*, item: CanvasItem) -> QuerySet[ItemComment]:
    return ItemComment.objects.filter(canvas_id=item.canvas_id, item_ref=item.pk).select_related("author")


def canvas_items(*, canvas: Canvas) -> QuerySet[CanvasItem]:
    comment_count = ItemComment.objects.filter(item_ref=OuterRef("pk")).order_by().values("item_ref").annotate(n=Count("pk")).values("n")
    return canvas.items.annotate(comment_count=Coalesce(Subquery(comment_count, output_field=IntegerField()), 0)).order_by(
        "block", "position", "id"
    )


def canvas_blocks(*, canvas: Canvas, language: str) -> list[dict]:
    """The canvas as its blueprint lays it out: one entry per block, in blueprint order, with its items (each with
    `stale`: see canvas.sources)."""
    items: dict[str, list[CanvasItem]] = {key: [] for key in canvas.blueprint.keys}
    every = list(canvas_items(canvas=canvas))
    sources_check(every)
    for item in every:
        items.setdefault(item.block, []).append(item)
    return [
        {
            "spec": spec,
            "key": spec.key,
            "name": spec.name(language),
            "questions": spec.questions(language),
            "items": items[spec.key],
            "untested": sum(1 for item in items[spec.key] if item.is_untested_assumption),
            "in_test": sum(1 for item in items[spec.key] if item.is_assumption_in_test),
        }
        for spec in canvas.blueprint.blocks
    ]


def canvas_counts(*, blocks: list[dict]) -> dict[str, int]:
    """The canvas header's counts, from its blocks: untested assumptions (status "untested" only), assumptions
    being tested, and notes whose data no longer holds."""
    return {
        "untested": sum(block["untested"] for block in blocks),
        "in_test": sum(block["in_test"] for block in blocks),
        "stale": sum(1 for block in blocks for item in block["items"] if item.stale),
    }


def canvas_snapshot(*, canvas: Canvas) -> dict:
    """The canvas's content as history stores it (see history.models.Version)."""
    return {
        "fields": {"title": canvas.title, "kind": canvas.kind},
        "items": [item_snapshot(item) for item in canvas.items.order_by("block", "position", "id")],
    }


def item_snapshot(item: CanvasItem) -> dict:
    return {
        "id": item.pk,
        "group": item.block,
        "position": item.position,
        "version": item.version,
        **{name: getattr(item, name) for name in ITEM_CONTENT_FIELDS},
    }


def canvas_version_diff(*, canvas: Canvas, before: dict, after: dict, language: str) -> tuple[SnapshotDiff, list[dict]]:
    """What changed from snapshot `before` to `after`, block by block in the blueprint's order, with block names;
    each changed note with its fields' old → new values as people read them (`shown`), and the notes moved."""
    diff = snapshot_diff(before, after, groups=canvas.blueprint.keys)
    names = {spec.key: spec.name(language) for spec in canvas.blueprint.blocks}
    blocks = [
        {
            "group": group.group,
            "name": names.get(group.group, group.group),
            "added": group.added,
            "removed": group.removed,
            "changed": [
                {
                    "before": change.before,
                    "after": change.after,
                    "fields": change.fields,
                    "values": [{"field": name, "before": old, "after": new} for name, old, new in change.values],
                    "shown": [
                        (name, _shown(name, old, names, language), _shown(name, new, names, language)) for name, old, new in change.values
                    ],
                }
                for change in group.changed
            ],
            "moved": group.moved,
            "reordered": group.reordered,
        }
        for group in diff.groups
    ]
    return diff, blocks


READING_ORDER = ("text", "group", "note", "color", "is_assumption", "assumption_status", "evidence", "evidence_figure")


def _in_reading_order(values: list[tuple[str, object, object]]) -> list[tuple[str, object, object]]:
    """What a note says first, then where it sits, then the rest, as the note's form shows them."""
    return sorted(values, key=lambda value: READING_ORDER.index(value[0]) if value[0] in READING_ORDER else len(READING_ORDER))


def _shown(name: str, value: object, block_names: dict[str, str], language: str) -> str:
    """A snapshot value as the canvas page shows it: blocks, colours and statuses by name, yes/no for flags."""
    if name == "group":
        return block_names.get(str(value), str(value))
    if name == "color" and value in PALETTE:
        return PALETTE[str(value)][1 if language.startswith("zh") else 0]
    if name == "assumption_status" and value in AssumptionStatus.values:
        return str(AssumptionStatus(value).label)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "" if value is None else str(value)
