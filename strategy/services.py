"""Every change to a strategy view's rows: the view's row is locked, the row version checked (stale → 409), the
view's version bumped and a snapshot recorded in history — the same mechanism as canvases."""

from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import NotFound, PreconditionRequired, StaleVersion
from history.models import Version
from history.services import version_record
from strategy.models import Insight, StrategyView, TowsStrategy, ValueActivity
from strategy.resources import Resource, resources_of_view
from strategy.selectors import view_snapshot
from teams.access import is_member, role_require
from teams.models import Role
from ventures.models import Venture


def _view_locked(venture: Venture, kind: str) -> StrategyView:
    StrategyView.objects.get_or_create(venture=venture, kind=kind)
    return StrategyView.objects.select_for_update().get(venture=venture, kind=kind)


def _changed(view: StrategyView, *, user: User, action: str, summary: str = "") -> None:
    view.version += 1
    view.save(update_fields=["version"])
    version_record(target=view, number=view.version, action=action, summary=summary, snapshot=view_snapshot(view=view), user=user)


TOWS_PAIRS = {
    "so": ("strength", "opportunity"),
    "wo": ("weakness", "opportunity"),
    "st": ("strength", "threat"),
    "wt": ("weakness", "threat"),
}


def _check(row: models.Model, resource: Resource, *, changed: set[str] | None = None) -> None:
    """Validation beyond one field: the rules that involve other rows of the venture. `changed` (on updates) limits
    the checks of references to the fields being changed, so a row stays editable when, say, its owner left."""
    row.full_clean(exclude=["venture"], validate_unique=False, validate_constraints=False)
    if isinstance(row, ValueActivity):
        if ValueActivity.objects.filter(venture=row.venture, activity=row.activity).exclude(pk=row.pk).exists():
            raise ValidationError({"activity": [_("This activity has a row already: edit that one.")]})
        others = sum(ValueActivity.objects.filter(venture=row.venture).exclude(pk=row.pk).values_list("cost_share", flat=True), Decimal(0))
        if others + Decimal(row.cost_share) > 100:
            raise ValidationError(
                {
                    "cost_share": [
                        _("The activities' cost shares would add up to %(total)s %%; they can be at most 100 %%.")
                        % {"total": others + Decimal(row.cost_share)}
                    ]
                }
            )
    if isinstance(row, TowsStrategy):
        _check_tows(row)
    owner_changed = changed is None or "owner_id" in changed
    if getattr(row, "owner_id", None) and owner_changed and not is_member(user_id=row.owner_id, team=row.venture.team):
        raise ValidationError({"owner": [_("The owner must be a member of the team.")]})
    if resource.filter and not row.__class__.objects.filter(pk=row.pk or 0).exists():
        allowed = dict(resource.filter)
        for lookup, values in allowed.items():
            field = lookup.removesuffix("__in")
            if getattr(row, field) not in values:
                raise ValidationError({field: [_("Choose one of: %(values)s.") % {"values": ", ".join(values)}]})


def _check_tows(strategy: TowsStrategy) -> None:
    """A TOWS strategy pairs two different insights of the venture, tagged as its kind says (S-O: a strength and an
    opportunity, …)."""
    wanted = TOWS_PAIRS[strategy.kind]
    errors: dict[str, list[str]] = {}
    for name, tag in zip(("first", "second"), wanted, strict=True):
        insight_id = getattr(strategy, f"{name}_id")
        if insight_id is None:
            continue
        insight = Insight.objects.filter(pk=insight_id, venture=strategy.venture).first()
        if insight is None:
            errors[name] = [_("Choose an insight of this venture.")]
        elif insight.kind != tag:
            errors[name] = [
                _("A %(kind)s strategy pairs a %(first)s with a %(second)s.")
                % {"kind": strategy.kind.upper(), "first": wanted[0], "second": wanted[1]}
            ]
    if strategy.first_id and strategy.first_id == strategy.second_id:
        errors["second"] = [_("Pair two different insights.")]
    if errors:
        raise ValidationError(errors)


def strategy_edit_require(*, user: User | AnonymousUser, venture: Venture) -> None:
    """Who may change a venture's strategy views (editors and owners): the one check every write here makes. Views
    call it too where they must refuse before reading input (a viewer gets 403 whatever they send)."""
    role_require(user=user, team=venture.team, minimum=Role.EDITOR)


@transaction.atomic
def row_create(*, user: User, venture: Venture, resource: Resource, **fields: object) -> models.Model:
    strategy_edit_require(user=user, venture=venture)
    view = _view_locked(venture, resource.view)
    row = resource.model(venture=venture, **_fields(resource, fields))
    _check(row, resource)
    row.save()
    _changed(view, user=user, action="add", summary=str(row))
    return row


@transaction.atomic
def row_update(*, user: User, row: models.Model, resource: Resource, expected_version: int | None, **fields: object) -> models.Model:
    strategy_edit_require(user=user, venture=row.venture)
    view = _view_locked(row.venture, resource.view)
    current = resource.model.objects.filter(pk=row.pk).select_related("venture__team").first()
    if current is None:
        raise NotFound(_("A teammate deleted this meanwhile."))
    if expected_version is None:
        raise PreconditionRequired()
    if current.version != expected_version:
        raise StaleVersion(current)
    changes = {name: value for name, value in _fields(resource, fields).items() if getattr(current, name) != value}
    if not changes:
        return current
    for name, value in changes.items():
        setattr(current, name, value)
    _check(current, resource, changed=set(changes))
    current.version += 1
    current.save()
    _changed(view, user=user, action="edit", summary=str(current))
    return current


@transaction.atomic
def row_delete(*, user: User, row: models.Model, resource: Resource, expected_version: int | None) -> None:
    strategy_edit_require(user=user, venture=row.venture)
    view = _view_locked(row.venture, resource.view)
    current = resource.model.objects.filter(pk=row.pk).first()
    if current is None:
        return  # deleted already: nothing left to do
    if expected_version is None:
        raise PreconditionRequired()
    if current.version != expected_version:
        raise StaleVersion(current)
    current.delete()
    _changed(view, user=user, action="delete", summary=str(current))


@transaction.atomic
def view_restore(*, user: User, venture: Venture, kind: str, version: Version) -> StrategyView:
    """Bring a view's rows back to a recorded version, as a new version (nothing is lost).

    Unchanged rows keep their version (teammates' open edits stay valid); changed and re-created rows get the
    view's next version, above any they had. References that no longer hold (an insight deleted for good, an owner
    who left the team) are cleared rather than failing the restore."""
    strategy_edit_require(user=user, venture=venture)
    view = _view_locked(venture, kind)
    next_version = view.version + 1
    for resource in resources_of_view(kind):
        prefix = f"{resource.model._meta.model_name}:"
        wanted = {int(entry["id"].removeprefix(prefix)): entry for entry in version.snapshot["items"] if entry["id"].startswith(prefix)}
        rows = resource.model.objects.filter(venture=venture)
        rows.exclude(pk__in=wanted).delete()
        existing = {row.pk: row for row in rows}
        taken = set(resource.model.objects.filter(pk__in=wanted).exclude(venture=venture).values_list("pk", flat=True))
        changed = []
        for pk, entry in wanted.items():
            row = existing.get(pk) or resource.model(pk=None if pk in taken else pk, venture=venture)
            values = {name: entry.get(name, getattr(row, name)) for name in resource.fields}
            if pk in existing and all(_comparable_text(getattr(row, name)) == _comparable_text(value) for name, value in values.items()):
                continue
            for name, value in values.items():
                setattr(row, name, value)
            _drop_broken_references(row, venture)
            row.version = next_version
            changed.append((row, pk in existing))
        if resource.model is ValueActivity:
            # Activities are unique per venture: free the keys first, so two rows can swap them.
            resource.model.objects.filter(pk__in=[row.pk for row, was_there in changed if was_there]).delete()
            changed = [(row, False) for row, _was_there in changed]
        for row, was_there in changed:
            row.full_clean(exclude=["venture"], validate_unique=False, validate_constraints=False)
            row.save(force_insert=not was_there and row.pk is not None)
    _changed(view, user=user, action="restore", summary=str(version.number))
    return view


def _drop_broken_references(row: models.Model, venture: Venture) -> None:
    for name in ("first_id", "second_id"):
        if getattr(row, name, None) and not Insight.objects.filter(pk=getattr(row, name), venture=venture).exists():
            setattr(row, name, None)
    if getattr(row, "owner_id", None) and not is_member(user_id=row.owner_id, team=venture.team):
        row.owner_id = None


def _comparable_text(value: object) -> str:
    """A field value as text, so a row's value and its snapshot's (Decimals stored as strings) compare equal."""
    return "" if value is None else str(value)


def _fields(resource: Resource, fields: dict) -> dict:
    unknown = set(fields) - set(resource.fields)
    if unknown:
        raise TypeError(f"unexpected fields for {resource.key}: {sorted(unknown)}")
    return fields
