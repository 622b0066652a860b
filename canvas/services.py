"""Every change to a canvas goes through here: the canvas row is locked, the change is checked against the item's
version (a stale edit is refused, never silently applied), positions stay contiguous, the canvas version goes up
and history records a snapshot."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from canvas.models import AssumptionStatus, Canvas, CanvasItem, ItemComment
from canvas.selectors import SNAPSHOT_FIELDS, canvas_snapshot, item_snapshot
from core.errors import Conflict, PreconditionRequired
from history.models import Version
from history.services import version_name, version_record
from teams.access import role_require
from teams.models import Role
from ventures.models import Venture

ITEM_FIELDS = ("text", "color", "note", "is_assumption", "assumption_status", "evidence")


class StaleVersion(Conflict):
    """The edit was based on an older version of the item; `data["current"]` is the item as it is now."""

    code = "stale"


def _require_editor(user: User, canvas: Canvas) -> None:
    role_require(user=user, team=canvas.venture.team, minimum=Role.EDITOR)


def _locked(canvas: Canvas) -> Canvas:
    """Lock the canvas row for the rest of the transaction: changes to one canvas happen one at a time."""
    return Canvas.objects.select_for_update().select_related("venture__team").get(pk=canvas.pk)


def _changed(canvas: Canvas, *, user: User | None, action: str, summary: str = "") -> Canvas:
    """Bump the canvas version and record the new state in history."""
    canvas.version += 1
    canvas.save(update_fields=["version", "title", "updated_at"])
    version_record(target=canvas, number=canvas.version, action=action, summary=summary, snapshot=canvas_snapshot(canvas=canvas), user=user)
    return canvas


def _check_block(canvas: Canvas, block: str) -> None:
    if block not in canvas.blueprint.keys:
        raise ValidationError({"block": [_("“%(block)s” is not a block of this canvas.") % {"block": block}]})


def _check_version(item: CanvasItem, expected_version: int | None) -> None:
    if expected_version is None:
        raise PreconditionRequired()
    if item.version != expected_version:
        raise StaleVersion(
            _("A teammate changed this item since you loaded it."),
            data={"current": item_snapshot(item) | {"version": item.version}},
        )


def _close_gap(canvas: Canvas, block: str, position: int) -> None:
    for item in canvas.items.filter(block=block, position__gt=position).order_by("position"):
        CanvasItem.objects.filter(pk=item.pk).update(position=item.position - 1)


def _open_gap(canvas: Canvas, block: str, position: int) -> None:
    for item in canvas.items.filter(block=block, position__gte=position).order_by("-position"):
        CanvasItem.objects.filter(pk=item.pk).update(position=item.position + 1)


@transaction.atomic
def canvas_create(*, user: User, venture: Venture, kind: str, title: str) -> Canvas:
    role_require(user=user, team=venture.team, minimum=Role.EDITOR)
    canvas = Canvas(venture=venture, kind=kind, title=title.strip(), created_by=user)
    canvas.full_clean()
    canvas.save()
    version_record(target=canvas, number=canvas.version, action="create", snapshot=canvas_snapshot(canvas=canvas), user=user)
    return canvas


@transaction.atomic
def canvas_update(*, user: User, canvas: Canvas, title: str | None = None, archived: bool | None = None) -> Canvas:
    _require_editor(user, canvas)
    canvas = _locked(canvas)
    if archived is not None:
        canvas.archived_at = (canvas.archived_at or timezone.now()) if archived else None
        canvas.save(update_fields=["archived_at", "updated_at"])
    if title is not None and title.strip() != canvas.title:
        canvas.title = title.strip()
        canvas.full_clean()
        _changed(canvas, user=user, action="title", summary=canvas.title)
    return canvas


@transaction.atomic
def canvas_delete(*, user: User, canvas: Canvas) -> None:
    _require_editor(user, canvas)
    canvas.delete()


@transaction.atomic
def canvas_duplicate(*, user: User, canvas: Canvas, title: str = "") -> Canvas:
    copy = canvas_create(
        user=user, venture=canvas.venture, kind=canvas.kind, title=title or _("Copy of %(title)s") % {"title": canvas.title}
    )
    _copy_items(source=[item_snapshot(item) for item in canvas.items.all()], into=copy, user=user)
    return _changed(copy, user=user, action="duplicate", summary=canvas.title)


def _copy_items(*, source: list[dict], into: Canvas, user: User | None) -> None:
    """Create items from snapshot dicts (positions renumbered per block, in their given order)."""
    next_position: dict[str, int] = {}
    for data in sorted(source, key=lambda entry: (entry["group"], entry.get("position", 0))):
        _check_block(into, data["group"])
        position = next_position.get(data["group"], 0)
        next_position[data["group"]] = position + 1
        item = CanvasItem(
            canvas=into,
            block=data["group"],
            position=position,
            created_by=user,
            **{name: data[name] for name in ITEM_FIELDS if name in data},
        )
        item.full_clean()
        item.save()


@transaction.atomic
def item_add(*, user: User, canvas: Canvas, block: str, text: str, position: int | None = None, **fields: object) -> CanvasItem:
    """Add a sticky item; at the end of the block unless `position` says where."""
    _require_editor(user, canvas)
    canvas = _locked(canvas)
    _check_block(canvas, block)
    count = canvas.items.filter(block=block).count()
    position = count if position is None else max(0, min(position, count))
    item = CanvasItem(canvas=canvas, block=block, position=position, text=text, created_by=user, **_item_fields(fields))
    item.full_clean(exclude=["position"])
    _open_gap(canvas, block, position)
    item.save()
    _changed(canvas, user=user, action="item_add", summary=item.text)
    return item


def _item_fields(fields: dict) -> dict:
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unexpected item fields: {sorted(unknown)}")
    if fields.get("is_assumption") is False:
        fields = {**fields, "assumption_status": AssumptionStatus.UNTESTED}
    return fields


@transaction.atomic
def item_update(*, user: User, item: CanvasItem, expected_version: int | None, **fields: object) -> CanvasItem:
    _require_editor(user, item.canvas)
    canvas = _locked(item.canvas)
    item = CanvasItem.objects.get(pk=item.pk)  # as it is now, under the lock
    _check_version(item, expected_version)
    changes = {name: value for name, value in _item_fields(fields).items() if getattr(item, name) != value}
    if not changes:
        return item
    for name, value in changes.items():
        setattr(item, name, value)
    item.full_clean()
    item.version += 1
    item.save()
    _changed(canvas, user=user, action="item_edit", summary=item.text)
    return item


@transaction.atomic
def item_delete(*, user: User, item: CanvasItem, expected_version: int | None) -> None:
    _require_editor(user, item.canvas)
    canvas = _locked(item.canvas)
    item = CanvasItem.objects.get(pk=item.pk)
    _check_version(item, expected_version)
    item.delete()
    _close_gap(canvas, item.block, item.position)
    _changed(canvas, user=user, action="item_delete", summary=item.text)


@transaction.atomic
def item_move(*, user: User, item: CanvasItem, block: str, position: int, expected_version: int | None) -> CanvasItem:
    """Move an item within its block or to another one. Under the canvas lock two concurrent moves of the same
    item run one after the other, and the second, based on a stale version, is refused."""
    _require_editor(user, item.canvas)
    canvas = _locked(item.canvas)
    item = CanvasItem.objects.get(pk=item.pk)
    _check_version(item, expected_version)
    _check_block(canvas, block)
    _close_gap(canvas, item.block, item.position)
    count = canvas.items.filter(block=block).exclude(pk=item.pk).count()
    position = max(0, min(position, count))
    _open_gap(canvas, block, position)
    CanvasItem.objects.filter(pk=item.pk).update(block=block, position=position, version=item.version + 1, updated_at=timezone.now())
    item.refresh_from_db()
    _changed(canvas, user=user, action="item_move", summary=item.text)
    return item


@transaction.atomic
def comment_add(*, user: User, item: CanvasItem, text: str) -> ItemComment:
    """Any member may comment, viewers included."""
    role_require(user=user, team=item.canvas.venture.team, minimum=Role.VIEWER)
    comment = ItemComment(item=item, author=user, text=text.strip())
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def canvas_version_name(*, user: User, canvas: Canvas, name: str) -> Version:
    """Name the canvas's current state ("after customer interviews")."""
    _require_editor(user, canvas)
    canvas = _locked(canvas)
    return version_name(target=canvas, number=canvas.version, name=name)


@transaction.atomic
def canvas_version_restore(*, user: User, canvas: Canvas, version: Version) -> Canvas:
    """Make the canvas look as it did in `version`. This is a new change with its own version: nothing is lost."""
    _require_editor(user, canvas)
    canvas = _locked(canvas)
    wanted = {entry["id"]: entry for entry in version.snapshot["items"]}
    canvas.items.exclude(pk__in=wanted).delete()
    existing = {item.pk: item for item in canvas.items.all()}
    for item_id, data in wanted.items():
        item = existing.get(item_id) or CanvasItem(pk=item_id, canvas=canvas, created_by=user)
        if item.pk in existing and item_snapshot(item) == data:
            continue
        item.block, item.position = data["group"], data["position"]
        for name in SNAPSHOT_FIELDS:
            setattr(item, name, data[name])
        item.version = item.version + 1 if item_id in existing else 1
        item.save(force_insert=item_id not in existing)
    canvas.title = version.snapshot["fields"]["title"]
    return _changed(canvas, user=user, action="restore", summary=str(version.number))


@transaction.atomic
def canvas_import(*, user: User, venture: Venture, document: dict) -> Canvas:
    """Create a canvas from an exported JSON document (see canvas.exports.canvas_document)."""
    canvas = canvas_create(user=user, venture=venture, kind=document["kind"], title=document["title"])
    _copy_items(source=[{"group": entry["block"], **entry} for entry in document["items"]], into=canvas, user=user)
    return _changed(canvas, user=user, action="import", summary=document["title"])
