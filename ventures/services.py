from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from accounts.models import User
from core.files import rows_delete_with_files
from teams.access import role_require
from teams.models import Role, Team
from ventures.models import Stage, Venture

EDITABLE_FIELDS = ("name", "pitch", "industry", "stage", "currency", "gross_margin")


def venture_edit_require(*, user: User | AnonymousUser, team: Team) -> None:
    """Who may create and change a team's ventures (editors and owners): the one check every write here makes."""
    role_require(user=user, team=team, minimum=Role.EDITOR)


@transaction.atomic
def venture_create(
    *,
    user: User,
    team: Team,
    name: str,
    pitch: str = "",
    industry: str = "",
    stage: str = Stage.IDEA,
    currency: str = "",
    gross_margin: Decimal | None = None,
) -> Venture:
    venture_edit_require(user=user, team=team)
    venture = Venture(
        team=team,
        name=name.strip(),
        pitch=pitch.strip(),
        industry=industry.strip(),
        stage=stage,
        currency=currency.strip().upper(),
        gross_margin=gross_margin,
        created_by=user,
    )
    venture.full_clean()
    venture.save()
    return venture


@transaction.atomic
def venture_update(*, user: User, venture: Venture, **changes: object) -> Venture:
    """Change any of name, pitch, industry, stage, currency, gross margin. A venture never moves between teams."""
    venture_edit_require(user=user, team=venture.team)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"venture_update() got unexpected fields: {sorted(unknown)}")
    for field, value in changes.items():
        if isinstance(value, str):
            value = value.strip().upper() if field == "currency" else value.strip()
        setattr(venture, field, value)
    venture.full_clean()
    venture.save(update_fields=[*changes, "updated_at"])
    return venture


@transaction.atomic
def venture_delete(*, user: User, venture: Venture) -> None:
    """Delete the venture, everything in it and every file its datasets and analyses own (after the commit)."""
    venture_edit_require(user=user, team=venture.team)
    rows_delete_with_files(venture)
