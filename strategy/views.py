import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, StaleVersion
from core.web import allowed_or_403, get_or_404, service_run
from history.selectors import version_authors, version_get, version_kinds, version_list
from strategy import labels
from strategy.forms import form_to_service_fields, row_form
from strategy.models import Insight, StrategyView, ViewChange
from strategy.resources import RESOURCES, TITLES, Resource
from strategy.selectors import (
    five_forces_summary,
    force_drivers,
    insight_list,
    row_get_for_user,
    rows_for_venture,
    swot_quadrants,
    value_chain_rows,
    venture_figure,
    view_snapshot,
    view_version_diff,
)
from strategy.services import row_create, row_delete, row_update, strategy_edit_require, view_restore
from teams.access import can_edit
from teams.selectors import team_member_list
from ventures.models import Venture
from ventures.selectors import venture_get_for_user

# Which resources a page shows, and which figures; where a figure's data is entered (the resource whose form the
# empty state links to).
FIGURE_SOURCES = {
    "swot": "swot",
    "five_forces": "five_forces",
    "force_drivers": "five_forces",
    "value_chain": "value_chain",
    "risk_matrix": "risks",
}
# Each figure's size in the PDF, in CSS px of A4 landscape (~1030 × 700 inside the margins): the print stylesheet
# sets the cards side by side where they fit, so that a view of a usual venture prints on one page. A figure that grows
# with its rows (the drivers' bars) keeps PRINT_SCALE of its screen height, up to PRINT_MAX_HEIGHT (a chart never
# breaks across pages, so it must fit on one).
PRINT_SIZES = {
    "swot": (520, 540),
    "five_forces": (380, 290),
    "force_drivers": (560, 290),
    "value_chain": (560, 320),
    "risk_matrix": (1010, 420),
}
PRINT_SCALE = 0.6
PRINT_MAX_HEIGHT = 640
PAGES = {
    "swot": (("swot", "tows", "insights"), ("swot",)),
    "five_forces": (("five_forces",), ("five_forces", "force_drivers")),
    "value_chain": (("value_chain",), ("value_chain",)),
    "risks": (("risks",), ("risk_matrix",)),
    "competitors": (("competitors",), ()),
}


def _venture(request: HttpRequest, venture_id: int) -> Venture:
    return get_or_404(venture_get_for_user, user=request.user, venture_id=venture_id)


def _can_edit(request: HttpRequest, venture: Venture) -> bool:
    return can_edit(user=request.user, team=venture.team)


def _resource(key: str) -> Resource:
    if key not in RESOURCES:
        raise Http404
    return RESOURCES[key]


def _form(request: HttpRequest, venture: Venture, resource: Resource, **kwargs: object) -> forms.ModelForm:
    return row_form(
        resource,
        team_members=team_member_list(team=venture.team),
        insights=insight_list(venture=venture),
        language=translation.get_language(),
        **kwargs,
    )


@login_required
def strategy_home(request: HttpRequest, venture_id: int) -> HttpResponse:
    return redirect("strategy:view", venture_id=venture_id, kind="swot")


@login_required
def strategy_view(request: HttpRequest, venture_id: int, kind: str) -> HttpResponse:
    """A view's page. Its sections' "add" forms post here (the section's `resource`), so that a refused row comes back
    with its errors on this same address (422): reloading it shows the page, where a POST-only URL would say 405."""
    if request.method == "POST":
        return _row_create(request, venture_id, kind)
    return _view_page(request, venture_id, kind)


def _view_page(request: HttpRequest, venture_id: int, kind: str, **extra: Any) -> HttpResponse:
    venture = _venture(request, venture_id)
    if kind not in PAGES:
        raise Http404
    language = translation.get_language()
    resource_keys, figure_kinds = PAGES[kind]
    can_edit = _can_edit(request, venture)
    # Printed once: a section whose rows the page already shows (the SWOT quadrants, an earlier table) is left out.
    printed = {Insight} if kind == "swot" else set()
    sections = []
    for key in resource_keys:
        model = RESOURCES[key].model
        sections.append(
            {
                "resource": RESOURCES[key],
                "rows": list(rows_for_venture(venture=venture, resource=RESOURCES[key]).order_by("pk")),
                "form": extra.get("forms", {}).get(key) or _form(request, venture, RESOURCES[key]),
                "printed": model not in printed,
            }
        )
        printed.add(model)
    context = {
        "venture": venture,
        "kind": kind,
        "views": [(label.key, label.name(language)) for label in labels.VIEWS],
        "view_name": next(label.name(language) for label in labels.VIEWS if label.key == kind),
        "sections": sections,
        "figures": _figures(venture, figure_kinds, language),
        "can_edit": can_edit,
        "language": language,
    }
    if kind == "swot":
        quadrants = swot_quadrants(venture=venture)
        context["quadrants"] = [(label.key, label.name(language), quadrants[label.key]) for label in labels.SWOT_QUADRANTS]
    if kind == "five_forces":
        scores, attractiveness = five_forces_summary(venture=venture)
        context["forces"] = [(label.name(language), scores[label.key]) for label in labels.FORCES]
        context["attractiveness"] = attractiveness
        context["derived_drivers"] = [driver for driver in force_drivers(venture=venture) if driver.derived_from]
    if kind == "value_chain":
        context["activities"], context["margin"] = value_chain_rows(venture=venture, language=language)
        context["has_activities"] = any(activity["row"] for activity in context["activities"])
    return render(request, "strategy/view.html", context, status=extra.get("status", 200))


def _figures(venture: Venture, kinds: tuple[str, ...], language: str) -> list[dict]:
    """The page's figures as Plotly JSON; a view with nothing to draw gets an empty state instead (`figure` None),
    which links to the form where its data is entered."""
    shown: list[dict] = []
    for kind in kinds:
        figure = venture_figure(venture=venture, kind=kind, language=language)
        if figure is None and any(other["figure"] is None and other["source"] == FIGURE_SOURCES[kind] for other in shown):
            continue  # one empty state per form: the drivers' bars and the radar both wait for the first driver
        width, height = PRINT_SIZES[kind]
        if figure is not None:
            height = min(PRINT_MAX_HEIGHT, max(height, round(PRINT_SCALE * figure.layout.height)))
        shown.append(
            {
                "kind": kind,
                "figure": json.loads(figure.to_json()) if figure else None,
                "source": FIGURE_SOURCES[kind],
                "print_size": (width, height),
            }
        )
    return shown


def _back(resource: Resource, venture_id: int) -> HttpResponse:
    return redirect("strategy:view", venture_id=venture_id, kind=resource.view)


def _row_create(request: HttpRequest, venture_id: int, kind: str) -> HttpResponse:
    venture = _venture(request, venture_id)
    spec = _resource(request.POST.get("resource", ""))
    if kind not in PAGES or spec.key not in PAGES[kind][0]:
        raise Http404
    allowed_or_403(strategy_edit_require, user=request.user, venture=venture)
    form = _form(request, venture, spec, data=request.POST)
    if form.is_valid():
        try:
            row_create(user=request.user, venture=venture, resource=spec, **form_to_service_fields(spec, form.cleaned_data))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return _back(spec, venture_id)
    return _view_page(request, venture_id, kind, forms={spec.key: form}, status=422)


@login_required
def row_edit_view(request: HttpRequest, venture_id: int, resource: str, row_id: int) -> HttpResponse:
    """GET: the row's form. POST: save it, refused with both versions shown if a teammate saved first. A POST with
    only a new `kind` moves a SWOT item to another quadrant (drag and drop)."""
    venture = _venture(request, venture_id)
    spec = _resource(resource)
    row = get_or_404(row_get_for_user, user=request.user, venture_id=venture_id, resource=spec, row_id=row_id)
    allowed_or_403(strategy_edit_require, user=request.user, venture=venture)
    if request.method == "POST" and request.POST.get("move") == "quadrant":
        if spec.model is not Insight or request.POST.get("kind") not in {label.key for label in labels.SWOT_QUADRANTS}:
            return HttpResponse(_("Only SWOT items move between quadrants."), status=400)
        version = request.POST.get("version", "")
        service_run(
            request,
            row_update,
            user=request.user,
            row=row,
            resource=spec,
            expected_version=int(version) if version.isdigit() else None,
            kind=request.POST.get("kind", ""),
        )
        return _back(spec, venture_id)
    form = _form(request, venture, spec, data=request.POST or None, instance=row, initial={"version": row.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            row_update(
                user=request.user,
                row=row,
                resource=spec,
                expected_version=form.cleaned_data.get("version"),
                **form_to_service_fields(spec, form.cleaned_data),
            )
        except StaleVersion as exc:
            language = translation.get_language()
            mine = form.instance  # the form wrote the user's values onto its copy of the row
            conflict = [
                (form.fields[name].label, labels.display_value(exc.current, name, language))
                for name in form.fields
                if name != "version" and labels.display_value(exc.current, name, language) != labels.display_value(mine, name, language)
            ]
            data = request.POST.copy()
            data["version"] = exc.current.version  # saving again means "keep mine"
            form = _form(request, venture, spec, data=data, instance=exc.current)
        except (ValidationError, DomainError) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else exc.message)
        else:
            messages.success(request, _("Saved."))
            return _back(spec, venture_id)
    context = {"venture": venture, "resource": spec, "row": row, "form": form, "conflict": conflict}
    return render(request, "strategy/row_form.html", context, status=409 if conflict is not None else 200)


@login_required
@require_POST
def row_delete_view(request: HttpRequest, venture_id: int, resource: str, row_id: int) -> HttpResponse:
    venture = _venture(request, venture_id)
    spec = _resource(resource)
    row = get_or_404(row_get_for_user, user=request.user, venture_id=venture_id, resource=spec, row_id=row_id)
    allowed_or_403(strategy_edit_require, user=request.user, venture=venture)
    version = request.POST.get("version", "")
    if service_run(
        request, row_delete, user=request.user, row=row, resource=spec, expected_version=int(version) if version.isdigit() else None
    ):
        messages.success(request, _("Deleted."))
    return _back(spec, venture_id)


@login_required
def strategy_history(request: HttpRequest, venture_id: int, kind: str) -> HttpResponse:
    venture = _venture(request, venture_id)
    view = StrategyView.objects.filter(venture=venture, kind=kind).first()
    if kind not in PAGES:
        raise Http404
    author, change = request.GET.get("author", ""), request.GET.get("change", "")
    versions = list(version_list(target=view, author=author, kind=change)[:200]) if view else []
    language = translation.get_language()
    compare = None
    if view and request.GET.get("version", "").isdigit():
        version = get_or_404(version_get, target=view, version_id=int(request.GET["version"]))
        compare = (version, *view_version_diff(view=view, before=version.snapshot, after=view_snapshot(view=view), language=language))
    group_names = {label.key: label.name(language) for group in labels.CODED.values() for label in group}
    group_names |= {key: str(title) for key, title in TITLES.items()}
    context = {
        "venture": venture,
        "kind": kind,
        "view": view,
        "versions": versions,
        "compare": compare,
        "can_edit": _can_edit(request, venture),
        "group_names": group_names,
        "kind_labels": dict(ViewChange.choices),
        "authors": version_authors(target=view) if view else [],
        "kinds": version_kinds(target=view) if view else [],
        "author": author,
        "change": change,
    }
    return render(request, "strategy/history.html", context)


@login_required
@require_POST
def strategy_restore(request: HttpRequest, venture_id: int, kind: str, version_id: int) -> HttpResponse:
    venture = _venture(request, venture_id)
    view = StrategyView.objects.filter(venture=venture, kind=kind).first()
    if view is None:
        raise Http404
    version = get_or_404(version_get, target=view, version_id=version_id)
    if service_run(request, view_restore, user=request.user, venture=venture, kind=kind, version=version):
        messages.success(request, _("Restored version %(number)s as a new version. Nothing was lost.") % {"number": version.number})
    return redirect("strategy:view", venture_id=venture_id, kind=kind)
