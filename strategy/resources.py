"""The kinds of rows a venture's strategy views are made of, declared once: which model, which view they belong to
(for history), which field groups them, which fields a user edits. Services, selectors, the API and the pages are
written once against this table."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from strategy.models import Competitor, ForceDriver, Insight, Risk, TowsStrategy, ValueActivity


@dataclass(frozen=True)
class Resource:
    key: str  # as in the API path: /api/v1/ventures/{id}/<path>/
    path: str
    model: type[models.Model]
    view: str  # the StrategyView kind whose history records these rows
    group: str  # the field that groups rows in a diff ("" → one group)
    fields: tuple[str, ...]  # what a user sets (foreign keys by attname: first_id)
    filter: tuple[tuple[str, tuple[str, ...]], ...] = ()  # e.g. SWOT items are insights with a S/W/O/T tag


INSIGHTS = Resource("insights", "insights", Insight, "swot", "kind", ("text", "kind", "weight", "evidence_url"))
SWOT = Resource(
    "swot",
    "swot",
    Insight,
    "swot",
    "kind",
    ("text", "kind", "weight", "evidence_url"),
    filter=(("kind__in", ("strength", "weakness", "opportunity", "threat")),),
)
TOWS = Resource("tows", "swot/strategies", TowsStrategy, "swot", "kind", ("kind", "text", "first_id", "second_id"))
COMPETITORS = Resource(
    "competitors",
    "competitors",
    Competitor,
    "competitors",
    "",
    ("name", "positioning", "strengths", "weaknesses", "price_point", "threat", "is_new_entrant"),
)
FIVE_FORCES = Resource("five_forces", "five-forces", ForceDriver, "five_forces", "force", ("force", "text", "score", "weight", "note"))
VALUE_CHAIN = Resource(
    "value_chain",
    "value-chain",
    ValueActivity,
    "value_chain",
    "activity",
    ("activity", "description", "cost_share", "value_score", "notes"),
)
RISKS = Resource(
    "risks", "risks", Risk, "risks", "category", ("title", "category", "probability", "impact", "response", "owner_id", "status")
)

RESOURCES: dict[str, Resource] = {
    resource.key: resource for resource in (INSIGHTS, SWOT, TOWS, COMPETITORS, FIVE_FORCES, VALUE_CHAIN, RISKS)
}


def resources_of_view(view: str) -> list[Resource]:
    """The resources whose rows make up a view's snapshot (each model once)."""
    seen: set[type[models.Model]] = set()
    result = []
    for resource in RESOURCES.values():
        if resource.view == view and resource.model not in seen and not resource.filter:
            seen.add(resource.model)
            result.append(resource)
    return result


TITLES = {
    "swot": _("SWOT items"),
    "insights": _("All insights"),
    "tows": _("TOWS strategies"),
    "competitors": _("Competitors"),
    "five_forces": _("Drivers of the five forces"),
    "value_chain": _("Value chain activities"),
    "risks": _("Risk register"),
}
