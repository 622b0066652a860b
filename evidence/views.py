from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analysis.selectors import analysis_get_for_user
from canvas.models import Canvas
from canvas.selectors import canvas_get_for_user
from core.web import get_or_404, service_run
from datasets.selectors import dataset_get_for_user
from economics.selectors import economics_datasets, venture_economics_for_user
from evidence.services import analysis_to_canvas, retention_to_canvas
from evidence.unit_economics import economics_to_canvas
from ventures.selectors import venture_get_for_user


@login_required
@require_POST
def analysis_to_canvas_view(request: HttpRequest, analysis_id: int) -> HttpResponse:
    analysis = get_or_404(analysis_get_for_user, user=request.user, analysis_id=analysis_id)
    canvas = _posted_canvas(request)
    items = service_run(request, analysis_to_canvas, user=request.user, analysis=analysis, canvas=canvas, language=get_language() or "en")
    if not items:
        return redirect(analysis)
    messages.success(
        request,
        ngettext("%(count)d item on the canvas cites this analysis.", "%(count)d items on the canvas cite this analysis.", len(items))
        % {"count": len(items)},
    )
    return redirect(f"{canvas.get_absolute_url()}#item-{items[0].pk}")


@login_required
@require_POST
def economics_to_canvas_view(request: HttpRequest, venture_id: int) -> HttpResponse:
    """Put the unit economics of the dataset chosen on the page (else the newest) on one of the venture's canvases."""
    venture = get_or_404(venture_get_for_user, user=request.user, venture_id=venture_id)
    chosen = request.POST.get("dataset", "")
    dataset = (
        economics_datasets(venture=venture).filter(pk=int(chosen)).first()
        if chosen.isdigit()
        else economics_datasets(venture=venture).first()
    )
    canvas_id = request.POST.get("canvas", "")
    canvas = get_or_404(canvas_get_for_user, user=request.user, canvas_id=int(canvas_id) if canvas_id.isdigit() else 0)
    economics = venture_economics_for_user(user=request.user, venture=venture, dataset=dataset)
    items = service_run(request, economics_to_canvas, user=request.user, venture=venture, economics=economics, canvas=canvas)
    if not items:
        return redirect("economics:page", venture_id=venture.pk)
    messages.success(
        request,
        ngettext(
            "%(count)d item on the canvas cites the unit economics.", "%(count)d items on the canvas cite the unit economics.", len(items)
        )
        % {"count": len(items)},
    )
    return redirect(f"{canvas.get_absolute_url()}#item-{items[0].pk}")


def retention_to_canvas_view(request: HttpRequest, dataset_id: int) -> HttpResponse:
    dataset = get_or_404(dataset_get_for_user, user=request.user, dataset_id=dataset_id)
    canvas = _posted_canvas(request)
    item = service_run(request, retention_to_canvas, user=request.user, dataset=dataset, canvas=canvas)
    if not item:
        return redirect(f"{dataset.get_absolute_url()}#retention")
    messages.success(request, _("The retention is on the canvas, citing this dataset."))
    return redirect(f"{canvas.get_absolute_url()}#item-{item.pk}")


def _posted_canvas(request: HttpRequest) -> Canvas:
    canvas_id = request.POST.get("canvas", "")
    return get_or_404(canvas_get_for_user, user=request.user, canvas_id=int(canvas_id) if canvas_id.isdigit() else 0)
