"""The venture's unit economics on the canvas, as notes citing the data they come from (the mechanism of
evidence/services.py: one note per finding, updated in place, provenance in `CanvasItem.source`):

- Cost Structure: CAC by channel and overall;
- Channels: one note per channel with its CAC (paid) and its share of new customers;
- Key Metrics (Lean Canvas): LTV:CAC and the months to pay back CAC.

A finding is (dataset, "unit_economics", key). Such a note is stale (`economics_notes_stale`, registered with
canvas.sources) when its dataset is gone or was uploaded again, when the spend or the gross margin it was computed
with changed, or when a newer lifetime value run of its dataset exists than the one it cites.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from canvas.models import Canvas, CanvasItem
from canvas.services import item_add, item_update
from canvas.sources import Stale
from core.errors import Conflict, InvalidInput, NotFound
from core.money import money_format
from datasets.models import Dataset
from economics.selectors import VentureEconomics, lifetime_value_latest
from evidence.services import _number, _when, cited_datasets, dataset_stale, finding_of
from ml.unit_economics import ORGANIC
from ventures.models import Venture

KIND = "unit_economics"
BLOCKS = {"cost": "cost_structure", "channels": "channels", "metrics": "key_metrics"}


def _ratio(value: float | None) -> str:
    return _number(value, 1) if value is not None else "—"


def _stated(venture: Venture) -> dict:
    """What the notes were computed with, to tell later whether it changed."""
    spend = venture.marketing_spend.aggregate(total=Sum("spend"), rows=Count("id"))
    return {
        "spend": str(spend["total"] or Decimal(0)),
        "spend_rows": spend["rows"],
        "margin": str(venture.gross_margin) if venture.gross_margin is not None else None,
    }


def economics_items(venture: Venture, economics: VentureEconomics) -> list[tuple[str, dict]]:
    """(block, item fields) of each finding of the venture's unit economics."""
    figures, dataset = economics.figures, economics.dataset
    if figures is None or dataset is None:
        raise Conflict(_("The unit economics are not computed yet."), code="economics_not_ready")
    if not figures.by_month:
        raise InvalidInput(_("Enter spend first: CAC divides it by the new customers."), code="no_spend")
    currency = venture.currency
    run = economics.lifetime_value
    start, end = _period_of(dataset)
    source = {
        "dataset": dataset.pk,
        "dataset_name": dataset.name,
        "kind": KIND,
        "period_start": start,
        "period_end": end,
        "model": _("marketing spend and monthly cohorts") + (_(", lifetime value run #%(id)s") % {"id": run.pk} if run else ""),
        "run_at": timezone.now().isoformat(),
        **({"analysis": run.pk} if run else {}),
    }
    stated = _stated(venture)
    page = reverse("economics:page", args=[venture.pk]) + f"?dataset={dataset.pk}"
    separator = pgettext("between the parts of a list", ", ")
    paid = [row for row in figures.channels if row.kind != ORGANIC]

    def entry(key: str, text: str, note: str, figure: dict) -> dict:
        return {
            "text": text,
            "note": note,
            "evidence": f"{page}#channels",
            "finding": finding_of(dataset_id=dataset.pk, kind=KIND, key=key),
            "source": {**source, "figure": {**stated, **figure}},
        }

    cost = entry(
        "cac",
        _("Customer acquisition cost (CAC): %(cac)s paid, %(blended)s blended with organic; %(channels)s")
        % {
            "cac": money_format(figures.paid_cac, currency),
            "blended": money_format(figures.blended_cac, currency),
            "channels": separator.join(
                f"{row.channel} {money_format(row.cac, currency) if row.cac is not None else _('no new customers')}" for row in paid
            ),
        },
        _("Spend %(spend)s over %(months)s months with spend; %(customers)s new customers in them.")
        % {
            "spend": money_format(figures.spend, currency, digits=0),
            "months": _number(len({row.month for row in figures.by_month})),
            "customers": _number(figures.new_customers_in_spend_months),
        },
        {"cac": figures.paid_cac, "blended_cac": figures.blended_cac},
    )
    items = [(BLOCKS["cost"], cost)]
    for row in figures.channels:
        if row.kind == ORGANIC:
            text = _("%(channel)s (organic): %(share)s %% of new customers") % {
                "channel": row.channel,
                "share": _number(row.share_of_new * 100),
            }
        elif row.cac is None:
            text = _("%(channel)s: spend but no new customers, %(share)s %% of new customers") % {
                "channel": row.channel,
                "share": _number(row.share_of_new * 100),
            }
        else:
            text = _("%(channel)s: CAC %(cac)s, %(share)s %% of new customers") % {
                "channel": row.channel,
                "cac": money_format(row.cac, currency),
                "share": _number(row.share_of_new * 100),
            }
        note = _("LTV:CAC %(ratio)s.") % {"ratio": _ratio(row.ltv_to_cac)} if row.ltv_to_cac is not None else ""
        items.append((BLOCKS["channels"], entry(f"channel:{row.channel}", text, note, {"cac": row.cac, "share": row.share_of_new})))
    payback = figures.payback.months if figures.payback else None
    metrics = entry(
        "key_metrics",
        _("LTV:CAC %(ratio)s; paid CAC paid back in %(months)s months") % {"ratio": _ratio(figures.ltv_to_cac), "months": payback or "—"},
        _("Paid CAC %(cac)s (spend ÷ new customers of paid channels), paid back by the margin; gross margin %(margin)s %%.")
        % {"cac": money_format(figures.paid_cac, currency), "margin": _number(float(venture.gross_margin or 0), 1)},
        {"ltv_to_cac": figures.ltv_to_cac, "payback_months": payback},
    )
    items.append((BLOCKS["metrics"], metrics))
    return items


def _period_of(dataset: Dataset) -> tuple[str, str]:
    days = ((dataset.report or {}).get("summary") or {}).get("daily", {}).get("day") or []
    return (days[0], days[-1]) if days else ("", "")


@transaction.atomic
def economics_to_canvas(*, user: User, venture: Venture, economics: VentureEconomics, canvas: Canvas) -> list[CanvasItem]:
    """Put the findings on a canvas of the venture (another venture's canvas: NotFound), each in its block when the
    canvas has it (Key Metrics only on a Lean Canvas): a finding already there is updated in place, a new one added."""
    if canvas.venture_id != venture.pk:
        raise NotFound()
    entries = [(block, entry) for block, entry in economics_items(venture, economics) if block in canvas.blueprint.keys]
    existing = {item.finding: item for item in canvas.items.filter(finding__in=[entry["finding"] for _block, entry in entries])}
    items = []
    for block, entry in entries:
        item = existing.get(entry["finding"])
        if item is None:
            item = item_add(user=user, canvas=canvas, block=block, color="blue", **entry)
        else:
            item = item_update(user=user, item=item, expected_version=item.version, **entry)
        items.append(item)
    return items


def economics_notes_stale(items: list[CanvasItem]) -> dict[int, list[Stale]]:
    """Which unit economics notes no longer hold, and why (the module's docstring). A few queries."""
    notes = [item for item in items if item.source.get("kind") == KIND]
    if not notes:
        return {}
    datasets, ready = cited_datasets(notes)
    stated = {dataset.venture_id: _stated(dataset.venture) for dataset in datasets.values()}
    runs = {pk: lifetime_value_latest(dataset=dataset) for pk, dataset in datasets.items()}
    found: dict[int, list[Stale]] = {}
    for item in notes:
        dataset = datasets.get(item.source.get("dataset"))
        reasons = found.setdefault(item.pk, dataset_stale(dataset, ready))
        if dataset is None:
            continue
        figure, now = item.source.get("figure") or {}, stated[dataset.venture_id]
        if (figure.get("spend"), figure.get("spend_rows")) != (now["spend"], now["spend_rows"]):
            reasons.append(Stale("spend_changed", _("The marketing spend changed since: put the unit economics on the canvas again.")))
        if figure.get("margin") != now["margin"]:
            reasons.append(Stale("margin_changed", _("The gross margin changed since: put the unit economics on the canvas again.")))
        run = runs.get(dataset.pk)
        if run is not None and run.pk != item.source.get("analysis"):
            reasons.append(
                Stale(
                    "newer_run",
                    _("A newer lifetime value run of %(date)s exists: put the unit economics on the canvas again.")
                    % {"date": _when(run.finished_at)},
                )
            )
    return {pk: reasons for pk, reasons in found.items() if reasons}
