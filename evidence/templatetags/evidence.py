from django import template

from analysis.models import Analysis
from canvas.selectors import canvas_list_for_user
from evidence.services import REVENUE_BLOCK, SEGMENTS_BLOCK

register = template.Library()


@register.inclusion_tag("evidence/to_canvas_form.html", takes_context=True)
def analysis_to_canvas_form(context: template.Context, analysis: Analysis) -> dict:
    """ "Add to canvas": the venture's canvases that have the block this analysis feeds."""
    request = context["request"]
    block = SEGMENTS_BLOCK if analysis.kind == Analysis.Kind.SEGMENTATION else REVENUE_BLOCK
    canvases = [
        canvas
        for canvas in canvas_list_for_user(user=request.user, venture_id=analysis.dataset.venture_id)
        if block in canvas.blueprint.keys and canvas.archived_at is None
    ]
    return {"analysis": analysis, "canvases": canvases, "csrf_token": context.get("csrf_token"), "venture": analysis.dataset.venture}
