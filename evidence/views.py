from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language, ngettext
from django.views.decorators.http import require_POST

from analysis.selectors import analysis_get_for_user
from canvas.selectors import canvas_get_for_user
from core.web import get_or_404, service_run
from evidence.services import analysis_to_canvas


@login_required
@require_POST
def analysis_to_canvas_view(request: HttpRequest, analysis_id: int) -> HttpResponse:
    analysis = get_or_404(analysis_get_for_user, user=request.user, analysis_id=analysis_id)
    canvas_id = request.POST.get("canvas", "")
    canvas = get_or_404(canvas_get_for_user, user=request.user, canvas_id=int(canvas_id) if canvas_id.isdigit() else 0)
    items = service_run(request, analysis_to_canvas, user=request.user, analysis=analysis, canvas=canvas, language=get_language() or "en")
    if not items:
        return redirect(analysis)
    messages.success(
        request,
        ngettext("%(count)d item on the canvas cites this analysis.", "%(count)d items on the canvas cite this analysis.", len(items))
        % {"count": len(items)},
    )
    return redirect(f"{canvas.get_absolute_url()}#item-{items[0].pk}")
