"""How canvas pages render blocks, and the checks every canvas page starts from."""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from canvas.blueprints import PALETTE
from canvas.models import Canvas
from canvas.selectors import canvas_blocks, canvas_counts, canvas_get_for_user
from canvas.services import canvas_edit_require
from core.web import allowed_or_403, get_or_404
from teams.access import can_edit


def can_edit_canvas(request: HttpRequest, canvas: Canvas) -> bool:
    """Whether to show edit controls (the services decide whether a change is allowed)."""
    return can_edit(user=request.user, team=canvas.venture.team)


def editable_canvas(request: HttpRequest, canvas_id: int) -> Canvas:
    """The canvas behind a page or form that changes it: 404 if not the user's to see, 403 if only to read."""
    canvas = get_or_404(canvas_get_for_user, user=request.user, canvas_id=canvas_id)
    allowed_or_403(canvas_edit_require, user=request.user, canvas=canvas)
    return canvas


def _palette(language: str) -> list[tuple[str, str, str]]:
    return [(value, chinese if language.startswith("zh") else english, css) for value, (english, chinese, css) in PALETTE.items()]


def block_context(request: HttpRequest, canvas: Canvas) -> dict:
    language = translation.get_language()
    return {"canvas": canvas, "can_edit": can_edit_canvas(request, canvas), "palette": _palette(language), "language": language}


def render_blocks(request: HttpRequest, canvas: Canvas, keys: set[str] | tuple[str, ...], **extra: object) -> dict[str, str]:
    """The HTML of some blocks, from one read of the canvas's items and one role check."""
    return render_canvas(request, canvas, keys, **extra)[0]


def render_canvas(request: HttpRequest, canvas: Canvas, keys: set[str] | tuple[str, ...], **extra: object) -> tuple[dict[str, str], str]:
    """The HTML of some blocks and of the header's status line (version and counts, over every block), from one
    read of the canvas's items: what a change or a poll sends, so the counts never wait for a reload."""
    context = block_context(request, canvas)
    blocks = canvas_blocks(canvas=canvas, language=context["language"])
    html = {
        block["key"]: render_to_string("canvas/partials/block.html", {**context, "block": block, **extra}, request=request)
        for block in blocks
        if block["key"] in keys
    }
    return html, status_html(request, canvas, blocks)


def status_html(request: HttpRequest, canvas: Canvas, blocks: list[dict]) -> str:
    context = {"canvas": canvas, "counts": canvas_counts(blocks=blocks), "can_edit": can_edit_canvas(request, canvas)}
    return render_to_string("canvas/partials/status.html", context, request=request)


def _with_status(html: str, status: str) -> str:
    """A block response with the header's status line swapped out of band (htmx)."""
    return html + status.replace("<p ", '<p hx-swap-oob="true" ', 1)


def _mark_change(response: HttpResponse, canvas: Canvas, *, changed: bool) -> HttpResponse:
    """Tell the page the version its blocks now show: when this request made exactly one change, and the page was
    at the version before it, the page is now current without polling (see static/js/canvas.js)."""
    if changed:
        response["X-Canvas-Version"] = str(canvas.version)
        response["X-Canvas-Previous-Version"] = str(canvas.version - 1)
    return response


def block_response(
    request: HttpRequest, canvas: Canvas, key: str, status: int = 200, *, changed: bool = False, **extra: object
) -> HttpResponse:
    canvas.refresh_from_db()
    html, status_line = render_canvas(request, canvas, {key}, **extra)
    response = HttpResponse(_with_status(html[key], status_line), status=status)
    return _mark_change(response, canvas, changed=changed)


def blocks_response(
    request: HttpRequest, canvas: Canvas, shown: str, also: str, status: int = 200, *, changed: bool = False, **extra: object
) -> HttpResponse:
    """The block the browser showed the form in (the swap target), plus, out of band, the block the item is in
    now if a teammate moved it meanwhile, so the page never ends up with one block twice and another gone."""
    canvas.refresh_from_db()
    html, status_line = render_canvas(request, canvas, {shown, also}, **extra)
    body = html[shown]
    if also != shown:
        body += html[also].replace("<section ", '<section hx-swap-oob="true" ', 1)
    return _mark_change(HttpResponse(_with_status(body, status_line), status=status), canvas, changed=changed)
