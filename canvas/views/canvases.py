"""The canvas page and its surroundings: create, import, show, poll, settings, delete, duplicate, export, history."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canvas.api.serializers import CanvasDocumentSerializer
from canvas.exports import PAGE_SIZES, canvas_export_response
from canvas.forms import CanvasCreateForm, CanvasImportForm, CanvasSettingsForm, ItemForm, VersionNameForm
from canvas.models import CanvasChange
from canvas.selectors import canvas_blocks, canvas_counts, canvas_get_for_user, canvas_version_diff, canvas_version_for_user
from canvas.services import (
    canvas_create,
    canvas_delete,
    canvas_duplicate,
    canvas_edit_require,
    canvas_import,
    canvas_update,
    canvas_version_name,
    canvas_version_restore,
)
from canvas.views.blocks import block_context, block_response, can_edit_canvas, editable_canvas, render_canvas
from core.web import allowed_or_403, get_or_404, service_run
from history.selectors import version_authors, version_get, version_kinds, version_list
from ventures.selectors import venture_get_for_user


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
        return block_response(request, canvas, request.GET["block"])
    context = block_context(request, canvas)
    context["blocks"] = canvas_blocks(canvas=canvas, language=context["language"])
    context["counts"] = canvas_counts(blocks=context["blocks"])
    context["blueprint_name"] = canvas.blueprint.name(context["language"])
    context["page_sizes"] = PAGE_SIZES
    return render(request, "canvas/canvas_detail.html", context)


@login_required
def canvas_poll(request: HttpRequest, canvas_id: int) -> HttpResponse:
    """Cheap conditional polling: 204 while the canvas is at the version the page has (one indexed read), else
    every block's HTML and the header's status line (its counts)."""
    if request.GET.get("version") == str(get_or_404(canvas_version_for_user, user=request.user, canvas_id=canvas_id)):
        return HttpResponse(status=204)
    canvas = get_or_404(canvas_get_for_user, user=request.user, canvas_id=canvas_id)
    blocks, status_line = render_canvas(request, canvas, canvas.blueprint.keys)
    return JsonResponse({"version": canvas.version, "blocks": blocks, "status": status_line})


@login_required
def canvas_settings(request: HttpRequest, canvas_id: int) -> HttpResponse:
    canvas = editable_canvas(request, canvas_id)
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
    canvas = editable_canvas(request, canvas_id)
    if request.method == "POST" and service_run(request, canvas_delete, user=request.user, canvas=canvas):
        messages.success(request, _("Canvas “%(title)s” deleted.") % {"title": canvas.title})
        return redirect(canvas.venture)
    return render(request, "canvas/canvas_confirm_delete.html", {"canvas": canvas})


@login_required
@require_POST
def canvas_duplicate_view(request: HttpRequest, canvas_id: int) -> HttpResponse:
    canvas = editable_canvas(request, canvas_id)
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
    form = VersionNameForm(request.POST or None)
    if request.method == "POST":
        allowed_or_403(canvas_edit_require, user=request.user, canvas=canvas)
        if form.is_valid() and service_run(request, canvas_version_name, user=request.user, canvas=canvas, **form.cleaned_data):
            messages.success(request, _("Version %(number)s named.") % {"number": form.cleaned_data["number"]})
            return redirect("canvas:history", canvas_id=canvas.pk)
    author, change = request.GET.get("author", ""), request.GET.get("change", "")
    versions = list(version_list(target=canvas, author=author, kind=change)[:200])
    context = {
        "canvas": canvas,
        "versions": versions,
        "form": form,
        "can_edit": can_edit_canvas(request, canvas),
        "kind_labels": dict(CanvasChange.choices),
        "authors": version_authors(target=canvas),
        "kinds": version_kinds(target=canvas),
        "author": author,
        "change": change,
    }
    return render(request, "canvas/canvas_history.html", context)


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
        "can_edit": can_edit_canvas(request, canvas),
        "field_labels": ItemForm.field_labels() | {"is_assumption": _("Assumption"), "evidence_figure": _("Evidence chart")},
    }
    return render(request, "canvas/canvas_compare.html", context)


@login_required
@require_POST
def canvas_restore(request: HttpRequest, canvas_id: int, version_id: int) -> HttpResponse:
    canvas = editable_canvas(request, canvas_id)
    version = get_or_404(version_get, target=canvas, version_id=version_id)
    if service_run(request, canvas_version_restore, user=request.user, canvas=canvas, version=version):
        messages.success(request, _("Restored version %(number)s as a new version. Nothing was lost.") % {"number": version.number})
    return redirect(canvas)
