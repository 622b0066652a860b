from django import template
from django.http import HttpRequest

from analysis.models import Analysis
from canvas.models import Canvas
from canvas.selectors import canvas_list_for_user
from datasets.models import Dataset
from evidence.services import RETENTION_BLOCK, REVENUE_BLOCK, SEGMENTS_BLOCK

register = template.Library()


@register.inclusion_tag("evidence/to_canvas_form.html", takes_context=True)
def analysis_to_canvas_form(context: template.Context, analysis: Analysis) -> dict:
    """ "Add to canvas": the venture's canvases that have the block this analysis feeds."""
    block = SEGMENTS_BLOCK if analysis.kind == Analysis.Kind.SEGMENTATION else REVENUE_BLOCK
    canvases = _canvases_with(context["request"], analysis.dataset, block)
    return {"analysis": analysis, "canvases": canvases, "csrf_token": context.get("csrf_token"), "venture": analysis.dataset.venture}


@register.inclusion_tag("evidence/retention_to_canvas_form.html", takes_context=True)
def retention_to_canvas_form(context: template.Context, dataset: Dataset) -> dict:
    """ "Add to canvas" of a dataset's retention (the dataset page composes it through this tag, as datasets cannot
    import evidence): the venture's canvases with a Customer Relationships block."""
    canvases = _canvases_with(context["request"], dataset, RETENTION_BLOCK)
    return {"dataset": dataset, "canvases": canvases, "csrf_token": context.get("csrf_token"), "venture": dataset.venture}


def _canvases_with(request: HttpRequest, dataset: Dataset, block: str) -> list[Canvas]:
    return [
        canvas
        for canvas in canvas_list_for_user(user=request.user, venture_id=dataset.venture_id)
        if block in canvas.blueprint.keys and canvas.archived_at is None
    ]
