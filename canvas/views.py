import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canvas.api.serializers import CanvasDocumentSerializer
from canvas.blueprints import PALETTE
from canvas.exports import PAGE_SIZES, canvas_export_response
from canvas.forms import CanvasCreateForm, CanvasImportForm, CanvasSettingsForm, CommentForm, ItemAddForm, ItemForm, VersionNameForm
from canvas.models import Canvas, CanvasItem
from canvas.selectors import (
    canvas_blocks,
    canvas_get_for_user,
    canvas_version_diff,
    canvas_version_for_user,
    item_comments,
    item_get_for_user,
)
from canvas.services import (
    StaleVersion,
    canvas_create,
    canvas_delete,
    canvas_duplicate,
    canvas_import,
    canvas_update,
    canvas_version_name,
    canvas_version_restore,
    comment_add,
    item_add,
    item_delete,
    item_move,
    item_update,
)
from core.errors import AccessDenied, NotFound
from core.web import get_or_404, service_run
from history.selectors import version_get, version_list
from teams.access import can_edit, role_require
from teams.models import Role
from ventures.selectors import venture_get_for_user


def _can_edit(request: HttpRequest, canvas: Canvas) -> bool:
    return can_edit(user=request.user, team=canvas.venture.team)


def _editable_canvas(request: HttpRequest, canvas_id: int) -> Canvas:
    canvas = get_or_404(canvas_get_for_user, user=request.user, canvas_id=canvas_id)
    if not _can_edit(request, canvas):
        raise PermissionDenied
    return canvas


def _palette(language: str) -> list[tuple[str, str, str]]:
    return [(value, chinese if language.startswith("zh") else english, css) for value, (english, chinese, css) in PALETTE.items()]


def _block_context(request: HttpRequest, canvas: Canvas) -> dict:
    language = translation.get_language()
    return {"canvas": canvas, "can_edit": _can_edit(request, canvas), "palette": _palette(language), "language": language}


def _render_blocks(request: HttpRequest, canvas: Canvas, keys: set[str] | tuple[str, ...], **extra: object) -> dict[str, str]:
    """The HTML of some blocks, from one read of the canvas's items and one role check."""
    context = _block_context(request, canvas)
    return {
        block["key"]: render_to_string("canvas/partials/block.html", {**context, "block": block, **extra}, request=request)
        for block in canvas_blocks(canvas=canvas, language=context["language"])
        if block["key"] in keys
    }


def _mark_change(response: HttpResponse, canvas: Canvas, *, changed: bool) -> HttpResponse:
    """Tell the page the version its blocks now show: when this request made exactly one change, and the page was
    at the version before it, the page is now current without polling (see static/js/canvas.js)."""
    if changed:
        response["X-Canvas-Version"] = str(canvas.version)
        response["X-Canvas-Previous-Version"] = str(canvas.version - 1)
    return response


def _block_response(
    request: HttpRequest, canvas: Canvas, key: str, status: int = 200, *, changed: bool = False, **extra: object
) -> HttpResponse:
    canvas.refresh_from_db()
    response = HttpResponse(_render_blocks(request, canvas, {key}, **extra)[key], status=status)
    return _mark_change(response, canvas, changed=changed)


@login_required
@require_POST
def canvas_new(request: HttpRequest, venture_id: int) -> HttpResponse:
    venture = get_or_404(venture_get_for_user, user=request.user, venture_id=venture_id)
    form = CanvasCreateForm(request.POST)
    if form.is_valid():
        canvas = service_run(request, canvas_create, user=request.user, venture=venture, **form.cleaned_data)
        if canvas:
            return redirect(canvas)
    else:
        messages.error(request, _("Give the canvas a title and choose a template."))
    return redirect(venture)


@login_required
@require_POST
def canvas_import_view(request: HttpRequest, venture_id: int) -> HttpResponse:
    """Create a canvas from a JSON file exported by bizcanvas; every problem is reported, nothing half-imported."""
    venture = get_or_404(venture_get_for_user, user=request.user, venture_id=venture_id)
    form = CanvasImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a JSON file exported from a bizcanvas canvas."))
        return redirect(venture)
    try:
        document = json.loads(form.cleaned_data["file"].read(5_000_000).decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        messages.error(request, _("This file is not JSON: %(error)s") % {"error": exc})
        return redirect(venture)
    data = CanvasDocumentSerializer(data=document) if isinstance(document, dict) else None
    if data is None or not data.is_valid():
        errors = data.errors if data is not None else {"document": [_("Expected a JSON object.")]}
        messages.error(
            request, _("This file is not a bizcanvas canvas: %(errors)s") % {"errors": json.dumps(errors, ensure_ascii=False)[:400]}
        )
        return redirect(venture)
    canvas = service_run(request, canvas_import, user=request.user, venture=venture, document=data.validated_data)
    return redirect(canvas) if canvas else redirect(venture)


@login_required
def canvas_detail(request: HttpRequest, canvas_id: int) -> HttpResponse:
    canvas = get_or_404(canvas_get_for_user, user=request.user, canvas_id=canvas_id)
    if request.GET.get("block") in canvas.blueprint.keys:  # one block, re-rendered (htmx: "keep theirs")
        return _block_response(request, canvas, request.GET["block"])
    context = _block_context(request, canvas)
    context["blocks"] = canvas_blocks(canvas=canvas, language=context["language"])
    context["untested_total"] = sum(block["untested"] for block in context["blocks"])
    context["blueprint_name"] = canvas.blueprint.name(context["language"])
    context["page_sizes"] = PAGE_SIZES
    return render(request, "canvas/canvas_detail.html", context)


@login_required
def canvas_poll(request: HttpRequest, canvas_id: int) -> HttpResponse:
    """Cheap conditional polling: 204 while the canvas is at the version the page has (one indexed read), else
    every block's HTML."""
    if request.GET.get("version") == str(get_or_404(canvas_version_for_user, user=request.user, canvas_id=canvas_id)):
        return HttpResponse(status=204)
    canvas = get_or_404(canvas_get_for_user, user=request.user, canvas_id=canvas_id)
    return JsonResponse({"version": canvas.version, "blocks": _render_blocks(request, canvas, canvas.blueprint.keys)})


@login_required
def canvas_settings(request: HttpRequest, canvas_id: int) -> HttpResponse:
    canvas = _editable_canvas(request, canvas_id)
    form = CanvasSettingsForm(request.POST or None, initial={"title": canvas.title})
    if request.method == "POST":
        if "archive" in request.POST:
            service_run(request, canvas_update, user=request.user, canvas=canvas, archived=request.POST["archive"] == "1")
            return redirect(canvas.venture)
        if form.is_valid() and service_run(request, canvas_update, user=request.user, canvas=canvas, title=form.cleaned_data["title"]):
            messages.success(request, _("Canvas saved."))
            return redirect(canvas)
    return render(request, "canvas/canvas_settings.html", {"canvas": canvas, "form": form})


@login_required
def canvas_delete_confirm(request: HttpRequest, canvas_id: int) -> HttpResponse:
    canvas = _editable_canvas(request, canvas_id)
    if request.method == "POST" and service_run(request, canvas_delete, user=request.user, canvas=canvas):
        messages.success(request, _("Canvas “%(title)s” deleted.") % {"title": canvas.title})
        return redirect(canvas.venture)
    return render(request, "canvas/canvas_confirm_delete.html", {"canvas": canvas})


@login_required
@require_POST
def canvas_duplicate_view(request: HttpRequest, canvas_id: int) -> HttpResponse:
    canvas = _editable_canvas(request, canvas_id)
    copy = service_run(request, canvas_duplicate, user=request.user, canvas=canvas)
    if copy:
        messages.success(request, _("This is a copy of “%(title)s”.") % {"title": canvas.title})
        return redirect(copy)
    return redirect(canvas)


@login_required
def canvas_export(request: HttpRequest, canvas_id: int, export_format: str) -> HttpResponse:
    canvas = get_or_404(canvas_get_for_user, user=request.user, canvas_id=canvas_id)
    if export_format not in ("pdf", "png", "json", "csv"):
        raise Http404
    page_size = request.GET.get("size") if request.GET.get("size") in PAGE_SIZES else "A4"
    return canvas_export_response(canvas, export_format=export_format, page_size=page_size, language=translation.get_language())


@login_required
def canvas_history(request: HttpRequest, canvas_id: int) -> HttpResponse:
    canvas = get_or_404(canvas_get_for_user, user=request.user, canvas_id=canvas_id)
    can_edit = _can_edit(request, canvas)
    form = VersionNameForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid() and service_run(request, canvas_version_name, user=request.user, canvas=canvas, **form.cleaned_data):
            messages.success(request, _("Version %(number)s named.") % {"number": form.cleaned_data["number"]})
            return redirect("canvas:history", canvas_id=canvas.pk)
    versions = list(version_list(target=canvas)[:200])
    return render(request, "canvas/canvas_history.html", {"canvas": canvas, "versions": versions, "form": form, "can_edit": can_edit})


@login_required
def canvas_compare(request: HttpRequest, canvas_id: int) -> HttpResponse:
    """Two versions side by side, block by block: what was added, removed and changed from `a` to `b`."""
    canvas = get_or_404(canvas_get_for_user, user=request.user, canvas_id=canvas_id)
    ids = [request.GET.get(name, "") for name in ("a", "b")]
    if not all(value.isdigit() for value in ids):
        messages.error(request, _("Choose two versions to compare."))
        return redirect("canvas:history", canvas_id=canvas.pk)
    older, newer = sorted(
        (get_or_404(version_get, target=canvas, version_id=int(value)) for value in ids), key=lambda version: version.number
    )
    diff, blocks = canvas_version_diff(canvas=canvas, before=older.snapshot, after=newer.snapshot, language=translation.get_language())
    context = {
        "canvas": canvas,
        "older": older,
        "newer": newer,
        "diff": diff,
        "blocks": blocks,
        "can_edit": _can_edit(request, canvas),
        "field_labels": ItemForm.field_labels(),
    }
    return render(request, "canvas/canvas_compare.html", context)


@login_required
@require_POST
def canvas_restore(request: HttpRequest, canvas_id: int, version_id: int) -> HttpResponse:
    canvas = _editable_canvas(request, canvas_id)
    version = get_or_404(version_get, target=canvas, version_id=version_id)
    if service_run(request, canvas_version_restore, user=request.user, canvas=canvas, version=version):
        messages.success(request, _("Restored version %(number)s as a new version. Nothing was lost.") % {"number": version.number})
    return redirect(canvas)


@login_required
@require_POST
def item_create(request: HttpRequest, canvas_id: int, block: str) -> HttpResponse:
    canvas = _editable_canvas(request, canvas_id)
    if block not in canvas.blueprint.keys:
        raise Http404
    form = ItemAddForm(request.POST)
    if not form.is_valid():
        return _block_response(request, canvas, block, status=422, add_form=form)
    added = service_run(request, item_add, user=request.user, canvas=canvas, block=block, text=form.cleaned_data["text"])
    return _block_response(request, canvas, block, changed=bool(added), focus_add=True)


def _item_or_gone(request: HttpRequest, item_id: int) -> CanvasItem | None:
    try:
        return item_get_for_user(user=request.user, item_id=item_id)
    except NotFound:
        return None


def _blocks_response(
    request: HttpRequest, canvas: Canvas, shown: str, also: str, status: int = 200, *, changed: bool = False, **extra: object
) -> HttpResponse:
    """The block the browser showed the form in (the swap target), plus, out of band, the block the item is in
    now if a teammate moved it meanwhile, so the page never ends up with one block twice and another gone."""
    canvas.refresh_from_db()
    html = _render_blocks(request, canvas, {shown, also}, **extra)
    body = html[shown]
    if also != shown:
        body += html[also].replace("<section ", '<section hx-swap-oob="true" ', 1)
    return _mark_change(HttpResponse(body, status=status), canvas, changed=changed)


def _shown_block(request: HttpRequest, canvas: Canvas, item: CanvasItem) -> str:
    shown = request.POST.get("shown_block", "")
    return shown if shown in canvas.blueprint.keys else item.block


@login_required
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    """GET: the item's edit form in place. POST: save it and answer with its block; a stale save answers 409 with
    both versions side by side, invalid input 422 with the form and its errors, both inside the block."""
    item = _item_or_gone(request, item_id)
    if item is None and request.method == "POST" and request.POST.get("canvas", "").isdigit():
        return _item_readd(request, int(request.POST["canvas"]))
    if item is None:
        raise Http404
    canvas = _editable_canvas(request, item.canvas_id)
    if request.method == "GET":
        initial = {name: getattr(item, name) for name in ItemForm.base_fields} | {"version": item.version}
        form = ItemForm(initial=initial, auto_id=f"item{item.pk}_%s")  # ids stay unique with several forms open
        return render(request, "canvas/partials/item_form.html", {**_block_context(request, canvas), "item": item, "form": form})
    shown = _shown_block(request, canvas, item)
    form = ItemForm(request.POST, auto_id=f"item{item.pk}_%s")
    if not form.is_valid():
        return _blocks_response(request, canvas, shown, item.block, status=422, editing={"item": item, "form": form})
    fields = {name: value for name, value in form.cleaned_data.items() if name != "version"}
    try:
        if request.POST.get("resolution") == "both":
            item_add(user=request.user, canvas=canvas, block=item.block, position=item.position + 1, **fields)
            changed = True
        else:
            saved = item_update(user=request.user, item=item, expected_version=form.cleaned_data["version"], **fields)
            changed = saved.version != form.cleaned_data["version"]
    except StaleVersion as exc:
        return _blocks_response(request, canvas, shown, exc.item.block, status=409, conflict={"item": exc.item, "mine": fields})
    except NotFound:  # deleted by a teammate: keep the user's words as a new note where they were
        item_add(user=request.user, canvas=canvas, block=shown, **fields)
        return _blocks_response(
            request, canvas, shown, shown, notice=_("A teammate deleted this note meanwhile; yours was added as a new one.")
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _blocks_response(request, canvas, shown, item.block, status=422, editing={"item": item, "form": form})
    return _blocks_response(request, canvas, shown, _current_block(item), changed=changed)


def _item_readd(request: HttpRequest, canvas_id: int) -> HttpResponse:
    """A teammate deleted the note being edited: keep the user's words as a new note where they were."""
    canvas = _editable_canvas(request, canvas_id)
    form = ItemForm(request.POST)
    shown = request.POST.get("shown_block", "")
    if shown not in canvas.blueprint.keys or not form.is_valid():
        raise Http404
    fields = {name: value for name, value in form.cleaned_data.items() if name != "version"}
    item_add(user=request.user, canvas=canvas, block=shown, **fields)
    return _blocks_response(
        request, canvas, shown, shown, notice=_("A teammate deleted this note meanwhile; yours was added as a new one.")
    )


def _current_block(item: CanvasItem) -> str:
    return CanvasItem.objects.filter(pk=item.pk).values_list("block", flat=True).first() or item.block


@login_required
@require_POST
def item_delete_view(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_gone(request, item_id)
    if item is None:  # deleted already, by a teammate: the page only needs to catch up
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    canvas = _editable_canvas(request, item.canvas_id)
    shown = _shown_block(request, canvas, item)
    version = request.POST.get("version", "")
    try:
        item_delete(user=request.user, item=item, expected_version=int(version) if version.isdigit() else None)
    except StaleVersion as exc:
        notice = _("A teammate changed this note meanwhile: it was not deleted. Look again.")
        return _blocks_response(request, canvas, shown, exc.item.block, status=409, notice=notice)
    return _blocks_response(request, canvas, shown, shown, changed=True)


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
        role_require(user=request.user, team=canvas.venture.team, minimum=Role.EDITOR)
        position, version = int(request.POST.get("position", "")), int(request.POST.get("version", ""))
        moved = item_move(user=request.user, item=item, block=request.POST.get("block", ""), position=position, expected_version=version)
    except ValueError:
        return JsonResponse({"detail": _("Say where to move the item."), "code": "invalid"}, status=400)
    except AccessDenied as exc:
        return JsonResponse({"detail": exc.message, "code": exc.code}, status=403)
    except StaleVersion as exc:
        return JsonResponse({"detail": exc.message, "code": exc.code}, status=409)
    except NotFound:
        return JsonResponse({"detail": _("This item was deleted by a teammate."), "code": "not_found"}, status=404)
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages), "code": "invalid"}, status=400)
    canvas.refresh_from_db()
    changed = moved.version != version
    payload = {"version": canvas.version, "previous_version": canvas.version - 1 if changed else canvas.version, "item": moved.pk}
    return JsonResponse({**payload, "blocks": _render_blocks(request, canvas, {source, moved.block})})


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
