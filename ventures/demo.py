"""The demo a newcomer logs into: a user, a team and a venture. Later features add their own demo content here.
Every demo module holds its content per language ("en", "zh-hans"): seeded in Chinese, the demo team, venture,
canvases, strategy, data and share link are written in Chinese, and the account's language is Chinese."""

import secrets
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from teams.models import Membership, Role, Team
from ventures.models import Stage, Venture

DEMO_USERNAME = "demo"
DEMO_LANGUAGES = ("en", "zh-hans")
DEMO_TEAM = {"en": "Demo team", "zh-hans": "演示团队"}
DEMO_VENTURE = {"en": "Ledgerly AI", "zh-hans": "账小智"}
DEMO_PITCH = {
    "en": "AI bookkeeping for small shops: photograph a receipt, the books and the VAT return do themselves.",
    "zh-hans": "面向小店的智能记账：拍下小票，账目和增值税申报自动完成。",
}
DEMO_INDUSTRY = {"en": "Fintech / AI", "zh-hans": "金融科技 / 人工智能"}
DEMO_CURRENCY = {"en": "EUR", "zh-hans": "CNY"}
DEMO_GROSS_MARGIN = 70


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str


@transaction.atomic
def demo_seed(*, password: str | None = None, language: str = "en") -> DemoLogin:
    """Create the demo user, the team and venture of `language` if missing, and (re)set the demo password and the
    account's language. Idempotent; seeding the other language adds its team beside the first."""
    password = password or secrets.token_urlsafe(9)
    user, _created = User.objects.get_or_create(username=DEMO_USERNAME, defaults={"email": "demo@bizcanvas.local"})
    user.set_password(password)
    user.language = "" if language == "en" else language  # English: follow the browser, as before
    user.save(update_fields=["password", "language"])

    team = Team.objects.filter(memberships__user=user, name=DEMO_TEAM[language]).first()
    if team is None:
        team = Team.objects.create(name=DEMO_TEAM[language], created_by=user)
        Membership.objects.create(team=team, user=user, role=Role.OWNER)
    Venture.objects.get_or_create(
        team=team,
        name=DEMO_VENTURE[language],
        defaults={
            "pitch": DEMO_PITCH[language],
            "industry": DEMO_INDUSTRY[language],
            "stage": Stage.MVP,
            "currency": DEMO_CURRENCY[language],
            "gross_margin": DEMO_GROSS_MARGIN,
            "created_by": user,
        },
    )
    return DemoLogin(username=user.username, password=password)


def demo_venture(*, user: User, language: str = "en") -> Venture:
    return Venture.objects.for_user(user).get(team__name=DEMO_TEAM[language], name=DEMO_VENTURE[language])
