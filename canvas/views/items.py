"""The htmx partials that change a canvas's items: each answers with the blocks it touched, re-rendered."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canvas.forms import CommentForm, ItemAddForm, ItemForm
from canvas.models import Canvas, CanvasItem
from canvas.selectors import canvas_get_for_user, item_comments, item_get_for_user
from canvas.services import ItemEdit, canvas_edit_require, comment_add, item_add, item_delete, item_edit_save, item_move
from canvas.views.blocks import block_context, block_response, blocks_response, editable_canvas, render_blocks
from core.errors import AccessDenied, NotFound, StaleVersion
from core.web import get_or_404, service_run


@login_required
@require_POST
def item_create(request: HttpRequest, canvas_id: int, block: str) -> HttpResponse:
    canvas = editable_canvas(request, canvas_id)
    if block not in canvas.blueprint.keys:
        raise Http404
    form = ItemAddForm(request.POST)
    if not form.is_valid():
        return block_response(request, canvas, block, status=422, add_form=form)
    added = service_run(request, item_add, user=request.user, canvas=canvas, block=block, text=form.cleaned_data["text"])
    return block_response(request, canvas, block, changed=bool(added), focus_add=True)


def _item_or_gone(request: HttpRequest, item_id: int) -> CanvasItem | None:
    try:
        return item_get_for_user(user=request.user, item_id=item_id)
    except NotFound:
        return None


def _shown_block(request: HttpRequest, canvas: Canvas, item: CanvasItem) -> str:
    shown = request.POST.get("shown_block", "")
    return shown if shown in canvas.blueprint.keys else item.block


def _stale_response(request: HttpRequest, canvas: Canvas, shown: str, exc: StaleVersion, **extra: Any) -> HttpResponse:
    """A change based on an old version of the item: 409, with the item's block as it is now beside the one shown."""
    return blocks_response(request, canvas, shown, exc.current.block, status=409, **extra)


@login_required
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    """GET: the item's edit form in place. POST: save it and answer with its block; a stale save answers 409 with
    both versions side by side, invalid input 422 with the form and its errors, both inside the block."""
    item = _item_or_gone(request, item_id)
    if item is None and request.method == "POST" and request.POST.get("canvas", "").isdigit():
        return _item_readd(request, int(request.POST["canvas"]))
    if item is None:
        raise Http404
    canvas = editable_canvas(request, item.canvas_id)
    if request.method == "GET":
        initial = {name: getattr(item, name) for name in ItemForm.base_fields} | {"version": item.version}
        form = ItemForm(initial=initial, auto_id=f"item{item.pk}_%s")  # ids stay unique with several forms open
        return render(request, "canvas/partials/item_form.html", {**block_context(request, canvas), "item": item, "form": form})
    shown = _shown_block(request, canvas, item)
    form = ItemForm(request.POST, auto_id=f"item{item.pk}_%s")
    if not form.is_valid():
        return blocks_response(request, canvas, shown, item.block, status=422, editing={"item": item, "form": form})
    fields = _item_fields(form)
    try:
        saved = item_edit_save(
            user=request.user,
            canvas=canvas,
            item=item,
            shown_block=shown,
            expected_version=form.cleaned_data["version"],
            keep_both=request.POST.get("resolution") == "both",
            **fields,
        )
    except StaleVersion as exc:
        return _stale_response(request, canvas, shown, exc, conflict={"item": exc.current, "mine": fields})
    except ValidationError as exc:
        form.add_error(None, exc)
        return blocks_response(request, canvas, shown, item.block, status=422, editing={"item": item, "form": form})
    return _saved_response(request, canvas, shown, saved)


def _item_readd(request: HttpRequest, canvas_id: int) -> HttpResponse:
    """A teammate deleted the note being edited before the page loaded it: keep the user's words as a new note."""
    canvas = editable_canvas(request, canvas_id)
    form = ItemForm(request.POST)
    shown = request.POST.get("shown_block", "")
    if shown not in canvas.blueprint.keys or not form.is_valid():
        raise Http404
    saved = item_edit_save(
        user=request.user, canvas=canvas, item=None, shown_block=shown, expected_version=None, keep_both=False, **_item_fields(form)
    )
    return _saved_response(request, canvas, shown, saved)


def _item_fields(form: ItemForm) -> dict:
    return {name: value for name, value in form.cleaned_data.items() if name != "version"}


def _saved_response(request: HttpRequest, canvas: Canvas, shown: str, saved: ItemEdit) -> HttpResponse:
    if saved.readded:
        notice = _("A teammate deleted this note meanwhile; yours was added as a new one.")
        return blocks_response(request, canvas, shown, saved.block, notice=notice)
    return blocks_response(request, canvas, shown, saved.block, changed=saved.changed)


@login_required
@require_POST
def item_delete_view(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_gone(request, item_id)
    if item is None:  # deleted already, by a teammate: the page only needs to catch up
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    canvas = editable_canvas(request, item.canvas_id)
    shown = _shown_block(request, canvas, item)
    version = request.POST.get("version", "")
    try:
        item_delete(user=request.user, item=item, expected_version=int(version) if version.isdigit() else None)
    except StaleVersion as exc:
        return _stale_response(
            request, canvas, shown, exc, notice=_("A teammate changed this note meanwhile: it was not deleted. Look again.")
        )
    return blocks_response(request, canvas, shown, shown, changed=True)


@login_required
@require_POST
def item_move_view(request: HttpRequest, item_id: int) -> HttpResponse:
    """Drag and drop and keyboard moves: JSON with the re-rendered blocks the move touched."""
    item = _item_or_gone(request, item_id)
    if item is None:
        return JsonResponse({"detail": _("This item was deleted by a teammate."), "code": "not_found"}, status=404)
    canvas = get_or_404(canvas_get_for_user, user=request.user, canvas_id=item.canvas_id)
    source = item.block
    try:
        canvas_edit_require(user=request.user, canvas=canvas)  # before reading input: a viewer gets 403 whatever they send
        position, version = int(request.POST.get("position", "")), int(request.POST.get("version", ""))
        moved = item_move(user=request.user, item=item, block=request.POST.get("block", ""), position=position, expected_version=version)
    except ValueError:
        return JsonResponse({"detail": _("Say where to move the item."), "code": "invalid"}, status=400)
    except (AccessDenied, StaleVersion) as exc:
        return JsonResponse({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    except NotFound:
        return JsonResponse({"detail": _("This item was deleted by a teammate."), "code": "not_found"}, status=404)
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages), "code": "invalid"}, status=400)
    canvas.refresh_from_db()
    changed = moved.version != version
    payload = {"version": canvas.version, "previous_version": canvas.version - 1 if changed else canvas.version, "item": moved.pk}
    return JsonResponse({**payload, "blocks": render_blocks(request, canvas, {source, moved.block})})


@login_required
def item_comments_view(request: HttpRequest, item_id: int) -> HttpResponse:
    """Comments on an item: any member, viewers included, may read and add them."""
    item = get_or_404(item_get_for_user, user=request.user, item_id=item_id)
    form = CommentForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and service_run(request, comment_add, user=request.user, item=item, text=form.cleaned_data["text"])
    ):
        form = CommentForm()
    return render(request, "canvas/partials/comments.html", {"item": item, "comments": item_comments(item=item), "form": form})
