from django import template

from canvas.forms import CanvasCreateForm, CanvasImportForm
from canvas.selectors import canvas_list_for_user
from teams.access import can_edit
from ventures.models import Venture

register = template.Library()


@register.inclusion_tag("canvas/partials/venture_canvases.html", takes_context=True)
def venture_canvases(context: template.Context, venture: Venture) -> dict:
    """The venture page's canvases panel: list, create from a template, import from JSON."""
    request = context["request"]
    canvases = list(canvas_list_for_user(user=request.user, venture_id=venture.pk).order_by("archived_at", "-updated_at"))
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "venture": venture,
        "active": [canvas for canvas in canvases if canvas.archived_at is None],
        "archived": [canvas for canvas in canvases if canvas.archived_at is not None],
        "can_edit": can_edit(user=request.user, team=venture.team),
        "create_form": CanvasCreateForm(),
        "import_form": CanvasImportForm(),
    }
