from decimal import Decimal

import plotly.graph_objects as go
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import NotFound
from history.diff import SnapshotDiff, snapshot_diff
from strategy import figures, labels
from strategy.models import Competitor, ForceDriver, Insight, Risk, StrategyView, ValueActivity, VersionedRow
from strategy.resources import Resource, resources_of_view
from strategy.scoring import Attractiveness, Driver, force_scores, industry_attractiveness, value_chain_margin
from ventures.models import Venture
from ventures.selectors import venture_get_for_user

FIGURE_KINDS = ("swot", "five_forces", "force_drivers", "value_chain", "risk_matrix")


RELATED = {"towsstrategy": ("first", "second"), "risk": ("owner",)}


def rows_for_venture(*, venture: Venture, resource: Resource) -> QuerySet:
    rows = resource.model.objects.filter(venture=venture, **dict(resource.filter))
    related = RELATED.get(resource.model._meta.model_name)
    return rows.select_related(*related) if related else rows


def insight_list(*, venture: Venture) -> QuerySet[Insight]:
    return Insight.objects.filter(venture=venture)


def rows_for_user(*, user: User | AnonymousUser, venture_id: int, resource: Resource) -> QuerySet:
    return rows_for_venture(venture=venture_get_for_user(user=user, venture_id=venture_id), resource=resource)


def row_get_for_user(*, user: User | AnonymousUser, venture_id: int, resource: Resource, row_id: int) -> VersionedRow:
    row = rows_for_user(user=user, venture_id=venture_id, resource=resource).select_related("venture__team").filter(pk=row_id).first()
    if row is None:
        raise NotFound()
    return row


def view_version(*, venture: Venture, kind: str) -> int:
    return StrategyView.objects.filter(venture=venture, kind=kind).values_list("version", flat=True).first() or 0


def row_snapshot(row: Model, resource: Resource) -> dict:
    return {
        "id": f"{resource.model._meta.model_name}:{row.pk}",
        "group": str(getattr(row, resource.group)) if resource.group else resource.key,
        "version": row.version,
        **{name: _snapshot_value(getattr(row, name)) for name in resource.fields},
    }


def _snapshot_value(value: object) -> object:
    """A field value as a snapshot stores it: JSON has no Decimal, so those become strings."""
    return str(value) if isinstance(value, Decimal) else value


def view_snapshot(*, view: StrategyView) -> dict:
    items: list[dict] = []
    for resource in resources_of_view(view.kind):
        items.extend(row_snapshot(row, resource) for row in resource.model.objects.filter(venture_id=view.venture_id).order_by("pk"))
    return {"fields": {"kind": view.kind}, "items": items}


def view_version_diff(*, view: StrategyView, before: dict, after: dict, language: str) -> tuple[SnapshotDiff, list[dict]]:
    """What changed in a view from snapshot `before` to `after`, group by group; each changed row with its fields'
    labels and old → new values as people read them (`shown`: coded values by name, insights by their text,
    owners by username)."""
    diff = snapshot_diff(before, after)
    rows = {item["id"]: item for item in [*before.get("items", []), *after.get("items", [])]}
    resources = {resource.model._meta.model_name: resource for resource in resources_of_view(view.kind)}
    owner_ids = {value for item in rows.values() for key, value in item.items() if key == "owner_id" and value}
    usernames = dict(User.objects.filter(pk__in=owner_ids).values_list("pk", "username"))
    groups = []
    for group in diff.groups:
        changed = []
        for change in group.changed:
            resource = resources.get(str(change.after["id"]).split(":")[0])
            fields = resource.fields if resource else ()
            values = sorted(
                (value for value in change.values if value[0] != "group"),  # the group is one of the fields, shown as itself
                key=lambda value: fields.index(value[0]) if value[0] in fields else len(fields),
            )
            shown = [
                (
                    _field_label(resource.model if resource else None, name),
                    _shown(name, old, rows, usernames, language),
                    _shown(name, new, rows, usernames, language),
                )
                for name, old, new in values
            ]
            changed.append({"before": change.before, "after": change.after, "fields": change.fields, "shown": shown})
        groups.append(
            {"group": group.group, "added": group.added, "removed": group.removed, "changed": changed, "is_empty": group.is_empty}
        )
    return diff, groups


def _field_label(model: type[Model] | None, name: str) -> str:
    if name == "group" or model is None:
        return name
    try:
        return str(capfirst(model._meta.get_field(name.removesuffix("_id")).verbose_name))
    except FieldDoesNotExist:
        return name


def _shown(name: str, value: object, rows: dict, usernames: dict, language: str) -> str:
    if value is None or value == "":
        return ""
    if name in labels.CODED:
        return str({label.key: label.name(language) for label in labels.CODED[name]}.get(str(value), value))
    if name in ("first_id", "second_id"):
        return str(rows.get(f"insight:{value}", {}).get("text", value))
    if name == "owner_id":
        return str(usernames.get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


# --- what the views show ---------------------------------------------------------------------------------------


def swot_quadrants(*, venture: Venture) -> dict[str, list[dict]]:
    """Each quadrant's items, heaviest first. Competitors appear among the threats (read-only, edited once, in the
    competitors list)."""
    quadrants: dict[str, list[dict]] = {label.key: [] for label in labels.SWOT_QUADRANTS}
    for insight in Insight.objects.filter(venture=venture, kind__in=quadrants):
        quadrants[insight.kind].append({"text": insight.text, "weight": insight.weight, "insight": insight, "competitor": None})
    for competitor in Competitor.objects.filter(venture=venture):
        text = _("Competitor: %(name)s") % {"name": competitor.name}
        quadrants["threat"].append({"text": text, "weight": competitor.threat, "insight": None, "competitor": competitor})
    for items in quadrants.values():
        items.sort(key=lambda entry: -entry["weight"])
    return quadrants


def force_drivers(*, venture: Venture) -> list[Driver]:
    """The drivers entered for each force, plus those competitors produce: every competitor drives rivalry, and a
    new entrant also drives the threat of new entrants."""
    drivers = [Driver(d.force, d.text, d.score, d.weight) for d in ForceDriver.objects.filter(venture=venture)]
    for competitor in Competitor.objects.filter(venture=venture):
        drivers.append(Driver("rivalry", _("Competitor: %(name)s") % {"name": competitor.name}, competitor.threat, 1, "competitor"))
        if competitor.is_new_entrant:
            drivers.append(
                Driver("new_entrants", _("New entrant: %(name)s") % {"name": competitor.name}, competitor.threat, 1, "competitor")
            )
    return drivers


def five_forces_summary(*, venture: Venture) -> tuple[dict[str, float | None], Attractiveness]:
    scores = force_scores(force_drivers(venture=venture), tuple(label.key for label in labels.FORCES))
    return scores, industry_attractiveness(scores)


def value_chain_rows(*, venture: Venture, language: str) -> tuple[list[dict], Decimal]:
    """All nine activities in Porter's order (empty ones too), and the margin left after their cost shares."""
    entered = {activity.activity: activity for activity in ValueActivity.objects.filter(venture=venture)}
    rows = [
        {"key": label.key, "name": label.name(language), "primary": label in labels.PRIMARY_ACTIVITIES, "row": entered.get(label.key)}
        for label in labels.ACTIVITIES
    ]
    return rows, value_chain_margin([row.cost_share for row in entered.values()])


def venture_figure(*, venture: Venture, kind: str, language: str) -> go.Figure | None:
    """The Plotly figure of one view (the data read here, the drawing done by the pure builders); None while the view
    has nothing to draw, so pages show what to enter instead of an empty chart (a "Margin 100 %" over no activity)."""
    if kind == "swot":
        quadrants = swot_quadrants(venture=venture)
        if not any(quadrants.values()):
            return None
        names = {label.key: label.name(language) for label in labels.SWOT_QUADRANTS}
        data = {key: [(entry["text"], entry["weight"]) for entry in items] for key, items in quadrants.items()}
        return figures.build_swot_figure(data, names, "SWOT", more=_("%(count)d more (listed beside the chart)"))
    forces = {label.key: label.name(language) for label in labels.FORCES}
    drivers = force_drivers(venture=venture) if kind in ("five_forces", "force_drivers") else []
    if kind == "five_forces":
        scores = force_scores(drivers, tuple(forces))
        return figures.build_five_forces_figure(scores, forces, _("Five forces")) if drivers else None
    if kind == "force_drivers":
        scored = [(driver.force, driver.text, driver.score) for driver in drivers]
        return figures.build_force_drivers_figure(scored, forces, _("Drivers of the five forces")) if scored else None
    if kind == "value_chain":
        rows, margin = value_chain_rows(venture=venture, language=language)
        if not any(row["row"] for row in rows):
            return None
        activities = [
            (row["name"], float(row["row"].cost_share) if row["row"] else 0.0, row["row"].value_score if row["row"] else 0) for row in rows
        ]
        names = {"cost": _("Cost share of revenue"), "value": _("Value contribution (1–5)"), "margin": _("Margin")}
        return figures.build_value_chain_figure(activities, float(margin), names, _("Value chain: cost and value"))
    if kind == "risk_matrix":
        risks = [(risk.title, risk.probability, risk.impact) for risk in Risk.objects.filter(venture=venture).exclude(status="closed")]
        if not risks:
            return None
        return figures.build_risk_matrix_figure(risks, {"probability": _("Probability"), "impact": _("Impact")}, _("Risk matrix"))
    raise NotFound()
