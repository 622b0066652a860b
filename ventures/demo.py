"""The demo a newcomer logs into: a user, a team and a venture. Later features add their own demo content here."""

import secrets
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from teams.models import Membership, Role, Team
from ventures.models import Stage, Venture

DEMO_USERNAME = "demo"
DEMO_TEAM = "Demo team"
DEMO_VENTURE = "Ledgerly AI"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str


@transaction.atomic
def demo_seed(*, password: str | None = None) -> DemoLogin:
    """Create the demo user, team and venture if missing, and (re)set the demo password. Idempotent."""
    password = password or secrets.token_urlsafe(9)
    user, _created = User.objects.get_or_create(username=DEMO_USERNAME, defaults={"email": "demo@bizcanvas.local"})
    user.set_password(password)
    user.save(update_fields=["password"])

    team = Team.objects.filter(memberships__user=user, name=DEMO_TEAM).first()
    if team is None:
        team = Team.objects.create(name=DEMO_TEAM, created_by=user)
        Membership.objects.create(team=team, user=user, role=Role.OWNER)
    Venture.objects.get_or_create(
        team=team,
        name=DEMO_VENTURE,
        defaults={
            "pitch": "AI bookkeeping for small shops: photograph a receipt, the books and the VAT return do themselves.",
            "industry": "Fintech / AI",
            "stage": Stage.MVP,
            "created_by": user,
        },
    )
    return DemoLogin(username=user.username, password=password)


def demo_venture(*, user: User) -> Venture:
    return Venture.objects.for_user(user).get(team__name=DEMO_TEAM, name=DEMO_VENTURE)
