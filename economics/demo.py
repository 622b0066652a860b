"""The demo's marketing spend: its two paid channels (the demo data's partner and app store), every month of its
year, so the unit economics page, panel and notes have figures; the third channel (the website) stays organic."""

from datetime import date

from accounts.models import User
from analysis.demo import WORDS
from economics.models import MarketingSpend
from ventures.models import Venture

MONTHLY_SPEND = (2500, 1500)  # partner, app store


def demo_spend_seed(*, user: User, venture: Venture, language: str = "en") -> None:
    """Idempotent: a month and channel already entered is left as it is."""
    channels = WORDS[language]["channels"][: len(MONTHLY_SPEND)]
    for month in range(1, 13):
        for channel, spend in zip(channels, MONTHLY_SPEND, strict=True):
            MarketingSpend.objects.get_or_create(
                venture=venture, month=date(2025, month, 1), channel=channel, defaults={"spend": spend, "created_by": user}
            )
