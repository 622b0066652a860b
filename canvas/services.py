"""Every change to a canvas goes through here: the canvas row is locked, the change is checked against the item's
version (a stale edit is refused, never silently applied), positions stay contiguous, the canvas version goes up
and history records a snapshot."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from canvas.models import ITEM_CONTENT_FIELDS, NOTE_MAX, SITE_PATH, AssumptionStatus, Canvas, CanvasItem, ItemComment
from canvas.selectors import canvas_snapshot, item_block, item_snapshot
from canvas.sources import provenance_text, validate_source
from core.errors import InvalidInput, NotFound, PreconditionRequired, StaleVersion
from history.models import Version
from history.services import version_name, version_record
from teams.access import role_require
from teams.models import Role
from ventures.models import Venture


def canvas_edit_require(*, user: User | AnonymousUser, canvas: Canvas) -> None:
    """Who may change a canvas and its items (editors and owners): the one check every write here makes. Views call
    it too where they must refuse before reading input (a viewer gets 403 whatever they send)."""
    role_require(user=user, team=canvas.venture.team, minimum=Role.EDITOR)


def _locked(canvas_id: int) -> Canvas:
    """Lock the canvas row for the rest of the transaction: changes to one canvas happen one at a time."""
    canvas = Canvas.objects.select_for_update().select_related("venture__team").filter(pk=canvas_id).first()
    if canvas is None:  # deleted by a teammate a moment ago
        raise NotFound()
    return canvas


def _current(item: CanvasItem) -> CanvasItem:
    """The item as it is now, read under the canvas lock."""
    current = CanvasItem.objects.filter(pk=item.pk).first()
    if current is None:
        raise NotFound(_("This item was deleted by a teammate."))
    return current


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
        raise StaleVersion(item, _("A teammate changed this item since you loaded it."))


def _shift(canvas: Canvas, block: str, *, from_position: int, by: int) -> None:
    """Move every item of `block` at or after `from_position` by `by` places, in one statement."""
    canvas.items.filter(block=block, position__gte=from_position).update(position=F("position") + by)


def _content(fields: dict) -> dict:
    """Item content fields, checked; a note that is no assumption has no assumption status."""
    unknown = set(fields) - set(ITEM_CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unexpected item fields: {sorted(unknown)}")
    if fields.get("is_assumption") is False:
        fields = {**fields, "assumption_status": AssumptionStatus.UNTESTED}
    return fields


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
    canvas_edit_require(user=user, canvas=canvas)
    canvas = _locked(canvas.pk)
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
    """Delete the canvas with its items, comments and history."""
    canvas_edit_require(user=user, canvas=canvas)
    canvas.delete()


@transaction.atomic
def canvas_duplicate(*, user: User, canvas: Canvas, title: str = "") -> Canvas:
    copy = canvas_create(
        user=user, venture=canvas.venture, kind=canvas.kind, title=title or _("Copy of %(title)s") % {"title": canvas.title}
    )
    _items_create(entries=[item_snapshot(item) for item in canvas.items.all()], into=copy, user=user)
    return _changed(copy, user=user, action="duplicate", summary=canvas.title)


def _items_create(*, entries: list[dict], into: Canvas, user: User | None) -> None:
    """Create items from snapshot-shaped dicts (`group` is the block), positions renumbered per block in their
    given order; all validated first, then written in one statement."""
    next_position: dict[str, int] = {}
    items = []
    for entry in sorted(entries, key=lambda entry: (entry["group"], entry.get("position", 0))):
        _check_block(into, entry["group"])
        position = next_position.get(entry["group"], 0)
        next_position[entry["group"]] = position + 1
        content = _content({name: entry[name] for name in ITEM_CONTENT_FIELDS if name in entry})
        item = CanvasItem(canvas=into, block=entry["group"], position=position, created_by=user, **content)
        item.full_clean(exclude=["canvas", "created_by"])
        items.append(item)
    CanvasItem.objects.bulk_create(items)


@transaction.atomic
def item_add(*, user: User, canvas: Canvas, block: str, text: str, position: int | None = None, **fields: object) -> CanvasItem:
    """Add a sticky item; at the end of the block unless `position` says where."""
    canvas_edit_require(user=user, canvas=canvas)
    canvas = _locked(canvas.pk)
    _check_block(canvas, block)
    count = canvas.items.filter(block=block).count()
    position = count if position is None else max(0, min(position, count))
    item = CanvasItem(canvas=canvas, block=block, position=position, text=text, created_by=user, **_content(fields))
    item.full_clean(exclude=["position"])
    _shift(canvas, block, from_position=position, by=1)
    item.save()
    _changed(canvas, user=user, action="item_add", summary=item.text)
    return item


@transaction.atomic
def item_update(*, user: User, item: CanvasItem, expected_version: int | None, **fields: object) -> CanvasItem:
    canvas_edit_require(user=user, canvas=item.canvas)
    canvas = _locked(item.canvas_id)
    item = _current(item)
    _check_version(item, expected_version)
    changes = {name: value for name, value in _content(fields).items() if getattr(item, name) != value}
    if not changes:
        return item
    for name, value in changes.items():
        setattr(item, name, value)
    item.full_clean()
    item.version += 1
    item.save()
    _changed(canvas, user=user, action="item_edit", summary=item.text)
    return item


@dataclass(frozen=True)
class ItemEdit:
    """What saving the item form did: the block the note is in now, and whether the save made exactly one change
    (then the page knows the canvas version it shows without polling)."""

    block: str
    changed: bool
    readded: bool = False  # a teammate had deleted the note: the user's words became a new note in `block`


def item_edit_save(
    *,
    user: User,
    canvas: Canvas,
    item: CanvasItem | None,
    shown_block: str,
    expected_version: int | None,
    keep_both: bool,
    **fields: object,
) -> ItemEdit:
    """The item form's save with its conflicts settled. "Keep both" adds the user's version as a new note below the
    teammate's; otherwise the user's replaces the item if based on its current version (StaleVersion if not). A note
    a teammate deleted meanwhile (`item` None, or gone by now) comes back as a new note in `shown_block`, where the
    user saw it."""
    if item is not None:
        try:
            if keep_both:
                item_add(user=user, canvas=canvas, block=item.block, position=item.position + 1, **fields)
                return ItemEdit(block=item_block(item=item), changed=True)
            saved = item_update(user=user, item=item, expected_version=expected_version, **fields)
            return ItemEdit(block=item_block(item=item), changed=saved.version != expected_version)
        except NotFound:
            pass
    item_add(user=user, canvas=canvas, block=shown_block, **fields)
    return ItemEdit(block=shown_block, changed=False, readded=True)  # the page shows a notice, then catches up


@transaction.atomic
def item_delete(*, user: User, item: CanvasItem, expected_version: int | None) -> None:
    """Delete an item. Its comments stay (see ItemComment) and come back if the item is restored."""
    canvas_edit_require(user=user, canvas=item.canvas)
    canvas = _locked(item.canvas_id)
    item = _current(item)
    _check_version(item, expected_version)
    item.delete()
    _shift(canvas, item.block, from_position=item.position + 1, by=-1)
    _changed(canvas, user=user, action="item_delete", summary=item.text)


@transaction.atomic
def item_move(*, user: User, item: CanvasItem, block: str, position: int, expected_version: int | None) -> CanvasItem:
    """Move an item within its block or to another one. Under the canvas lock two concurrent moves of the same
    item run one after the other, and the second, based on a stale version, is refused."""
    canvas_edit_require(user=user, canvas=item.canvas)
    canvas = _locked(item.canvas_id)
    item = _current(item)
    _check_version(item, expected_version)
    _check_block(canvas, block)
    count = canvas.items.filter(block=block).exclude(pk=item.pk).count()
    position = max(0, min(position, count))
    if (block, position) == (item.block, item.position):
        return item  # dropped where it was: nothing to record
    _shift(canvas, item.block, from_position=item.position + 1, by=-1)
    _shift(canvas, block, from_position=position, by=1)
    CanvasItem.objects.filter(pk=item.pk).update(block=block, position=position, version=item.version + 1, updated_at=timezone.now())
    item.refresh_from_db()
    _changed(canvas, user=user, action="item_move", summary=item.text)
    return item


@transaction.atomic
def comment_add(*, user: User, item: CanvasItem, text: str) -> ItemComment:
    """Any member may comment, viewers included."""
    role_require(user=user, team=item.canvas.venture.team, minimum=Role.VIEWER)
    comment = ItemComment(canvas_id=item.canvas_id, item_ref=item.pk, author=user, text=text.strip())
    comment.full_clean(exclude=["canvas"])
    comment.save()
    return comment


@transaction.atomic
def canvas_version_name(*, user: User, canvas: Canvas, name: str, number: int | None = None) -> Version:
    """Name a version ("after customer interviews"): `number`, or the current one. The number the user saw is
    named even if a teammate has changed the canvas since."""
    canvas_edit_require(user=user, canvas=canvas)
    canvas = _locked(canvas.pk)
    number = canvas.version if number is None else number
    if not 1 <= number <= canvas.version:
        raise InvalidInput(_("This canvas has no version %(number)s.") % {"number": number}, code="no_such_version")
    return version_name(target=canvas, number=number, name=name)


@transaction.atomic
def canvas_version_restore(*, user: User, canvas: Canvas, version: Version) -> Canvas:
    """Make the canvas look as it did in `version`. This is a new change with its own version: nothing is lost.

    Restored and changed items get a version above any they ever had (the canvas's next version), so an edit
    based on an old copy of an item is refused, never applied to the restored one."""
    canvas_edit_require(user=user, canvas=canvas)
    canvas = _locked(canvas.pk)
    next_version = canvas.version + 1
    wanted = {entry["id"]: entry for entry in version.snapshot["items"]}
    canvas.items.exclude(pk__in=wanted).delete()
    existing = {item.pk: item for item in canvas.items.all()}
    taken_elsewhere = set(CanvasItem.objects.filter(pk__in=wanted).exclude(canvas=canvas).values_list("pk", flat=True))
    for item_id, entry in wanted.items():
        _check_block(canvas, entry["group"])
        item = existing.get(item_id)
        if item is not None and _same_place_and_content(item, entry):
            continue
        if item is None:
            item = CanvasItem(canvas=canvas, created_by=user, pk=None if item_id in taken_elsewhere else item_id)
        item.block, item.position, item.version = entry["group"], entry["position"], next_version
        for name in ITEM_CONTENT_FIELDS:
            setattr(item, name, _snapshot_value(entry, name))
        item.full_clean(exclude=["canvas", "created_by"])
        item.save(force_insert=item.pk is not None and item_id not in existing)
    canvas.title = version.snapshot["fields"]["title"]
    return _changed(canvas, user=user, action="restore", summary=str(version.number))


def _same_place_and_content(item: CanvasItem, entry: dict) -> bool:
    now = item_snapshot(item)
    return (now["group"], now["position"]) == (entry["group"], entry["position"]) and all(
        now[name] == _snapshot_value(entry, name) for name in ITEM_CONTENT_FIELDS
    )


def _imported(entry: dict) -> dict:
    """An exported note as an import keeps it: links into the exporting site (an analysis page, its chart) would
    open another team's analyses (404) or nothing, and its finding is not this canvas's, so they go; what the note
    came from stays readable, as a sentence at the end of its note."""
    source = entry.pop("source", None) or {}
    entry.pop("finding", None)
    entry["evidence_figure"] = ""
    if SITE_PATH.fullmatch(entry.get("evidence", "")):
        entry["evidence"] = ""
    try:
        validate_source(source)
    except ValidationError:
        return entry
    if words := provenance_text(source):
        entry["note"] = "\n".join(part for part in (entry.get("note", ""), words) if part)[:NOTE_MAX]
    return entry


def _snapshot_value(entry: dict, name: str) -> object:
    """A content field of a snapshot; one the model gained after the snapshot was taken reads as its default."""
    return entry.get(name, CanvasItem._meta.get_field(name).get_default())


@transaction.atomic
def canvas_import(*, user: User, venture: Venture, document: dict) -> Canvas:
    """Create a canvas from an exported JSON document (see canvas.exports.canvas_document). The document may come
    from another team or site, so its notes keep their words but not their ties to data here (`_imported`)."""
    canvas = canvas_create(user=user, venture=venture, kind=document["kind"], title=document["title"])
    _items_create(entries=[_imported({"group": entry["block"], **entry}) for entry in document["items"]], into=canvas, user=user)
    return _changed(canvas, user=user, action="import", summary=document["title"])
