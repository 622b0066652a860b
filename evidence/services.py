"""The canvas fed by the data: an analysis's result becomes canvas items that cite it. A segmentation gives one
Customer Segments item per segment (name, size, share of revenue); a revenue forecast gives one Revenue Streams item
(next period's revenue with its 80 % interval). Each item links to the analysis page and carries the chart that backs
it. Adding twice adds nothing new: an item with the same text citing the same analysis is kept, not repeated."""

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import User
from analysis.models import Analysis
from analysis.selectors import analysis_segments
from analysis.wording import forecast_verdict
from canvas.models import Canvas, CanvasItem
from canvas.services import item_add
from core.errors import Conflict, InvalidInput, NotFound

SEGMENTS_BLOCK = "customer_segments"
REVENUE_BLOCK = "revenue_streams"


def _number(value: float, digits: int = 0) -> str:
    return number_format(round(value, digits), decimal_pos=digits, use_l10n=True, force_grouping=True)


def analysis_items(analysis: Analysis, *, language: str) -> tuple[str, list[dict]]:
    """The block and the items (text, note, evidence) an analysis contributes to a canvas."""
    page = analysis.get_absolute_url()
    if analysis.kind == Analysis.Kind.SEGMENTATION:
        figure = f"/api/v1/analyses/{analysis.pk}/figures/segments/"
        items = []
        for segment in analysis_segments(analysis, language=language):
            profile = segment.get("profile", {})
            text = _("%(name)s: %(size)s customers, %(share)s %% of revenue") % {
                "name": segment["label"],
                "size": _number(segment["size"]),
                "share": _number(segment["revenue_share"] * 100),
            }
            note = _("On average %(recency)s days since the last purchase, %(orders)s orders, %(spend)s spent.") % {
                "recency": _number(profile.get("recency", 0)),
                "orders": _number(profile.get("frequency", 0), 1),
                "spend": _number(profile.get("monetary", 0)),
            }
            items.append({"text": text, "note": note, "evidence": f"{page}#segments", "evidence_figure": figure})
        return SEGMENTS_BLOCK, items
    result = analysis.result
    if result.get("metric") != "revenue":
        raise InvalidInput(_("Only a revenue forecast can feed Revenue Streams: run one with the metric “Revenue”."), code="not_revenue")
    if len(result.get("series", [])) != 1:
        raise InvalidInput(_("Only a forecast of the total (not split) can feed Revenue Streams."), code="split_forecast")
    series = result["series"][0]
    next_period = series["forecast"][0]
    text = _("Revenue forecast for %(period)s: %(value)s (80 %% interval %(low)s–%(high)s)") % {
        "period": next_period["ds"],
        "value": _number(next_period["yhat"]),
        "low": _number(next_period["lo80"]),
        "high": _number(next_period["hi80"]),
    }
    note = forecast_verdict(series, frequency=result.get("frequency", ""), metric="revenue")
    return REVENUE_BLOCK, [
        {"text": text, "note": note, "evidence": f"{page}#forecast", "evidence_figure": f"/api/v1/analyses/{analysis.pk}/figures/forecast/"}
    ]


@transaction.atomic
def analysis_to_canvas(*, user: User, analysis: Analysis, canvas: Canvas, language: str) -> list[CanvasItem]:
    """Add the analysis's items to a canvas of the same venture (another venture's canvas: NotFound). Returns the
    items now on the canvas for this analysis, new or already there."""
    if canvas.venture_id != analysis.dataset.venture_id:
        raise NotFound()
    if analysis.status != Analysis.Status.SUCCEEDED:
        raise Conflict(_("The analysis has not finished."), code="analysis_not_finished")
    block, entries = analysis_items(analysis, language=language)
    if block not in canvas.blueprint.keys:
        raise InvalidInput(_("This canvas has no block for these items."), code="no_block")
    existing = {
        (item.text, item.evidence): item for item in canvas.items.filter(block=block, evidence__startswith=analysis.get_absolute_url())
    }
    items = []
    for entry in entries:
        item = existing.get((entry["text"], entry["evidence"]))
        items.append(item or item_add(user=user, canvas=canvas, block=block, color="blue", **entry))
    return items
