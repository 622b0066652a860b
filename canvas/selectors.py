from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet

from accounts.models import User
from canvas.models import Canvas, CanvasItem
from core.errors import NotFound


def canvas_list_for_user(*, user: User | AnonymousUser, venture_id: int | None = None) -> QuerySet[Canvas]:
    if not user.is_authenticated:
        return Canvas.objects.none()
    canvases = Canvas.objects.filter(venture__team__memberships__user=user).select_related("venture__team")
    if venture_id is not None:
        canvases = canvases.filter(venture_id=venture_id)
    return canvases.annotate(item_count=Count("items", distinct=True)).order_by("archived_at", "-updated_at", "id")


def canvas_get_for_user(*, user: User | AnonymousUser, canvas_id: int) -> Canvas:
    canvas = canvas_list_for_user(user=user).filter(pk=canvas_id).first()
    if canvas is None:
        raise NotFound()
    return canvas


def item_get_for_user(*, user: User | AnonymousUser, item_id: int) -> CanvasItem:
    if not user.is_authenticated:
        raise NotFound()
    item = (
        CanvasItem.objects.filter(pk=item_id, canvas__venture__team__memberships__user=user).select_related("canvas__venture__team").first()
    )
    if item is None:
        raise NotFound()
    return item


def canvas_items(*, canvas: Canvas) -> QuerySet[CanvasItem]:
    return canvas.items.annotate(comment_count=Count("comments")).order_by("block", "position", "id")


def canvas_blocks(*, canvas: Canvas, language: str) -> list[dict]:
    """The canvas as its blueprint lays it out: one entry per block, in blueprint order, with its items."""
    items: dict[str, list[CanvasItem]] = {key: [] for key in canvas.blueprint.keys}
    for item in canvas_items(canvas=canvas):
        items.setdefault(item.block, []).append(item)
    return [
        {
            "spec": spec,
            "key": spec.key,
            "name": spec.name(language),
            "questions": spec.questions(language),
            "items": items[spec.key],
            "untested": sum(1 for item in items[spec.key] if item.is_untested_assumption),
        }
        for spec in canvas.blueprint.blocks
    ]


def canvas_snapshot(*, canvas: Canvas) -> dict:
    """The canvas's content as history stores it (see history.models.Version)."""
    return {
        "fields": {"title": canvas.title, "kind": canvas.kind},
        "items": [item_snapshot(item) for item in canvas.items.order_by("block", "position", "id")],
    }


SNAPSHOT_FIELDS = ("text", "color", "note", "is_assumption", "assumption_status", "evidence")


def item_snapshot(item: CanvasItem) -> dict:
    return {"id": item.pk, "group": item.block, "position": item.position, **{name: getattr(item, name) for name in SNAPSHOT_FIELDS}}
