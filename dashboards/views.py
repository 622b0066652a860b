"""The dashboard page of a venture (members), and the public pages a share link opens (anyone with the link)."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from canvas.models import Canvas
from canvas.selectors import canvas_list_for_user
from core.errors import NotFound
from core.web import get_or_404, service_run
from dashboards.bindings import Bound, choices_for
from dashboards.forms import LayoutForm, ShareLinkForm
from dashboards.models import Dashboard, ShareLink, ShareMode, ShareTarget
from dashboards.panel_cache import panels_cached, share_link_panels_live
from dashboards.panels import PANELS
from dashboards.selectors import (
    dashboard_bindings,
    dashboard_canvas,
    dashboard_get_for_user,
    dashboard_offers,
    share_link_find,
    share_link_get_for_user,
    share_link_list_for_user,
)
from dashboards.services import dashboard_layout_save, dashboard_panel_update, share_link_create, share_link_revoke, share_link_view_record
from dashboards.throttle import share_rate_exceeded
from teams.access import can_edit
from ventures.models import Venture

NEW_LINK_SESSION_KEY = "dashboards:new_link"


# --- the team's page -----------------------------------------------------------------------------------------------


def _form_errors(form: forms.BaseForm) -> str:
    return " ".join(
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )


def _canvases(request: HttpRequest, venture: Venture) -> list:
    return list(canvas_list_for_user(user=request.user, venture_id=venture.pk).filter(archived_at__isnull=True))


def _panel_page(venture: Venture, key: str, bound: dict[str, Bound]) -> str:
    """The address of the app page a panel sums up (`Panel.page`), on the dataset it is bound to; "" for none."""
    panel = PANELS.get(key)
    if panel is None or not panel.page:
        return ""
    url = reverse(panel.page, args=[venture.pk])
    run = bound[key].analysis if key in bound else None
    return f"{url}?dataset={run.dataset_id}" if run is not None else url


def _panels_html(request: HttpRequest, dashboard: Dashboard, canvas: Canvas | None, bound: dict[str, Bound], editor: bool) -> str:
    """The panels, each with "Update to the run of <date>" for those who may edit when a newer run exists."""
    panels = panels_cached(
        keys=dashboard.layout, venture=dashboard.venture, canvas=canvas, language=translation.get_language(), bound=bound
    )
    offers = dashboard_offers(dashboard=dashboard, bound=bound) if editor else {}
    panels = [{**panel, "offer": offers.get(panel["key"]), "page": _panel_page(dashboard.venture, panel["key"], bound)} for panel in panels]
    return render_to_string("dashboards/partials/panels.html", {"venture": dashboard.venture, "panels": panels}, request=request)


def _layout_form(request: HttpRequest, dashboard: Dashboard, canvases: list, bound: dict[str, Bound]) -> LayoutForm:
    choices = {key: choices_for(panel.binds, dashboard.venture) for key, panel in PANELS.items() if panel.binds}
    data = request.POST if request.method == "POST" else None
    return LayoutForm(data, canvases=canvases, layout=dashboard.layout, chosen_canvas=dashboard.canvas_id, bound=bound, choices=choices)


@login_required
def dashboard_detail(request: HttpRequest, venture_id: int) -> HttpResponse:
    dashboard = get_or_404(dashboard_get_for_user, user=request.user, venture_id=venture_id)
    venture = dashboard.venture
    canvases = _canvases(request, venture)
    canvas = dashboard_canvas(dashboard=dashboard)
    bound = dashboard_bindings(dashboard=dashboard)
    editor = can_edit(user=request.user, team=venture.team)
    new_link = request.session.pop(NEW_LINK_SESSION_KEY, None)  # shown once (post/redirect/get), then gone
    if new_link and new_link.get("venture") != venture.pk:
        new_link = None
    context = {
        "venture": venture,
        "dashboard": dashboard,
        "canvas": canvas,
        "panels_html": _panels_html(request, dashboard, canvas, bound, editor),
        "can_edit": editor,
        "layout_form": _layout_form(request, dashboard, canvases, bound) if editor else None,
        "share_form": ShareLinkForm(canvases=canvases),
        "links": list(share_link_list_for_user(user=request.user, venture_id=venture.pk)),
        "new_link": new_link and new_link["url"],
        "now": timezone.now(),
    }
    return render(request, "dashboards/dashboard.html", context)


@login_required
@require_POST
def dashboard_layout_view(request: HttpRequest, venture_id: int) -> HttpResponse:
    dashboard = get_or_404(dashboard_get_for_user, user=request.user, venture_id=venture_id)
    canvases = _canvases(request, dashboard.venture)
    form = _layout_form(request, dashboard, canvases, dashboard_bindings(dashboard=dashboard))
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(reverse("dashboards:detail", args=[venture_id]) + "#customize")
    chosen = {canvas.pk: canvas for canvas in canvases}.get(form.cleaned_data["canvas"])
    saved = service_run(
        request,
        dashboard_layout_save,
        user=request.user,
        venture=dashboard.venture,
        layout=form.layout(),
        canvas=chosen,
        bound=form.bound_changes(),
    )
    if saved:
        messages.success(request, _("Panel order saved.") if form.cleaned_data.get("move") else _("Dashboard layout saved."))
    return redirect(reverse("dashboards:detail", args=[venture_id]) + "#customize")


@login_required
@require_POST
def dashboard_panel_update_view(request: HttpRequest, venture_id: int, panel: str) -> HttpResponse:
    """ "Update to the run of <date>" on a panel (owners and editors)."""
    dashboard = get_or_404(dashboard_get_for_user, user=request.user, venture_id=venture_id)
    if service_run(request, dashboard_panel_update, user=request.user, venture=dashboard.venture, panel=panel):
        messages.success(request, _("The panel now shows the newest run."))
    return redirect(reverse("dashboards:detail", args=[venture_id]) + f"#panel-{panel}")


@login_required
@require_POST
def share_link_create_view(request: HttpRequest, venture_id: int) -> HttpResponse:
    dashboard = get_or_404(dashboard_get_for_user, user=request.user, venture_id=venture_id)
    venture = dashboard.venture
    canvases = _canvases(request, venture)
    form = ShareLinkForm(request.POST, canvases=canvases)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(reverse("dashboards:detail", args=[venture_id]) + "#share")
    expires_on = form.cleaned_data["expires_on"]
    # "Expires on" a day: the link works to the end of that day.
    expires_at = datetime.combine(expires_on + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()) if expires_on else None
    created = service_run(
        request,
        share_link_create,
        user=request.user,
        venture=venture,
        canvas={canvas.pk: canvas for canvas in canvases}.get(form.canvas_id()),
        label=form.cleaned_data["label"],
        expires_at=expires_at,
        allow_embed=form.cleaned_data["allow_embed"],
        mode=form.cleaned_data["mode"],
    )
    if created:
        _link, token = created
        url = request.build_absolute_uri(reverse("shared:page", args=[token]))
        request.session[NEW_LINK_SESSION_KEY] = {"venture": venture.pk, "url": url}
    return redirect(reverse("dashboards:detail", args=[venture_id]) + "#share")


@login_required
@require_POST
def share_link_revoke_view(request: HttpRequest, venture_id: int, link_id: int) -> HttpResponse:
    link = get_or_404(share_link_get_for_user, user=request.user, link_id=link_id)
    if link.venture_id != venture_id:
        raise Http404
    if service_run(request, share_link_revoke, user=request.user, link=link):
        messages.success(request, _("Link revoked: it no longer opens."))
    return redirect(reverse("dashboards:detail", args=[venture_id]) + "#share")


# --- the public pages ----------------------------------------------------------------------------------------------


def _share_headers(response: HttpResponse, link: ShareLink | None = None) -> HttpResponse:
    """What every response on the share path carries: no referrer (the token must not leak to other sites), not
    indexed, not stored by browsers or proxies (a revoked link must not reappear from a cache), and framing only for
    links created to be embedded."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    if link is not None and link.allow_embed:
        response.xframe_options_exempt = True
        response._csp_replace = {"frame-ancestors": ["*"]}
    return response


def _not_found() -> HttpResponse:
    """One answer for unknown, revoked and expired links: nothing tells them apart."""
    return _share_headers(HttpResponse(render_to_string("dashboards/shared_404.html"), status=404))


def _too_many() -> HttpResponse:
    response = HttpResponse(render_to_string("dashboards/shared_429.html"), status=429)
    response["Retry-After"] = "60"
    return _share_headers(response)


def _snapshot_panels(link: ShareLink, language: str) -> list[dict]:
    """A snapshot link's stored panels in the visitor's language (else the first stored). Their bodies were
    rendered by our templates (every user text escaped then), so they are marked safe again."""
    stored = link.snapshot.panels
    panels: list[dict] = stored.get(language) or next(iter(stored.values()), [])
    return [{**panel, "body": mark_safe(panel["body"])} for panel in panels]  # noqa: S308 - our own rendering


def _shared_rendering(link: ShareLink, language: str) -> dict:
    """The page's HTML and its figures' JSON: a live link's from panels cached under the versions of what they read
    and are bound to; a snapshot link's as stored at its creation. The link row itself is checked on every request
    before this is used."""
    snapshot = link.snapshot if link.mode == ShareMode.SNAPSHOT and hasattr(link, "snapshot") else None
    panels: list[dict] = _snapshot_panels(link, language) if snapshot else share_link_panels_live(link=link, language=language)
    context = {
        "venture": link.venture,
        "link_target": link.target,
        "canvas": link.canvas if link.target == ShareTarget.CANVAS else None,
        "panels": panels,
        "snapshot_at": snapshot.taken_at if snapshot else None,
        "now": timezone.now(),
    }
    return {
        "html": render_to_string("dashboards/shared.html", context),  # no request: no CSRF token, no user
        "figures": {name: figure for panel in panels for name, figure in panel["figures"].items()},
    }


def _shared_link(request: HttpRequest, token: str) -> ShareLink | HttpResponse:
    """The live link behind a token, or the answer to give instead: 429 past the rate limit, the plain 404 for an
    unknown, revoked or expired one."""
    if share_rate_exceeded(request):
        return _too_many()
    try:
        return share_link_find(token=token)
    except NotFound:
        return _not_found()


@require_safe
def shared_page(request: HttpRequest, token: str) -> HttpResponse:
    link = _shared_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    if request.method == "GET":
        share_link_view_record(link=link)
    rendering = _shared_rendering(link, translation.get_language())
    return _share_headers(HttpResponse(rendering["html"]), link)


@require_safe
def shared_figure(request: HttpRequest, token: str, name: str) -> HttpResponse:
    """One figure of a shared page as Plotly JSON (the page itself carries them inline: this is for scripts)."""
    link = _shared_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    figure = _shared_rendering(link, translation.get_language())["figures"].get(name)
    if figure is None:
        return _not_found()
    return _share_headers(HttpResponse(figure, content_type="application/json"), link)


@require_safe
def shared_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return _too_many() if share_rate_exceeded(request) else _not_found()


def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse("User-agent: *\nDisallow: /s/\n", content_type="text/plain")
