"""The demo venture's strategy views: a filled SWOT with TOWS strategies, five forces, value chain and risks."""

from decimal import Decimal

from accounts.models import User
from strategy.models import Insight
from strategy.resources import COMPETITORS, FIVE_FORCES, INSIGHTS, RISKS, TOWS, VALUE_CHAIN
from strategy.services import row_create
from ventures.models import Venture

INSIGHTS_DATA = [
    ("Receipt model reads English and Chinese receipts at 97 % accuracy", "strength", 5),
    ("Partnerships with three accounting firms", "strength", 4),
    ("Team of five, no sales people", "weakness", 4),
    ("Bank integrations only in two countries", "weakness", 3),
    ("E-invoicing becomes mandatory for small firms in 2027", "opportunity", 5),
    ("Accountants are short of staff and want automation", "opportunity", 4),
    ("Banks bundle free bookkeeping with business accounts", "threat", 4),
]
COMPETITORS_DATA = [
    {
        "name": "BookWise",
        "positioning": "Full accounting suite for SMEs",
        "strengths": "Brand, integrations",
        "weaknesses": "Complex, slow onboarding",
        "price_point": "49 € / month",
        "threat": 4,
        "is_new_entrant": False,
    },
    {
        "name": "SnapLedger",
        "positioning": "Receipt scanning app",
        "strengths": "Cheap, simple",
        "weaknesses": "No VAT return",
        "price_point": "9 € / month",
        "threat": 3,
        "is_new_entrant": True,
    },
]
DRIVERS = [
    ("new_entrants", "Receipt OCR is a commodity API", 4, 2),
    ("substitutes", "Spreadsheets and a shoebox of receipts", 3, 2),
    ("buyer_power", "Small shops switch tools easily", 4, 3),
    ("buyer_power", "Accountants recommend what their clients use", 3, 1),
    ("supplier_power", "GPU cloud prices", 2, 1),
    ("supplier_power", "Open-banking aggregators set API fees", 3, 2),
]
ACTIVITIES = [
    ("operations", "Model inference and reconciliation", Decimal("18"), 5),
    ("marketing_sales", "Partner programme with accountants", Decimal("22"), 4),
    ("service", "In-app chat support", Decimal("8"), 3),
    ("technology", "ML research and app development", Decimal("30"), 5),
    ("firm_infrastructure", "Finance, legal, office", Decimal("7"), 2),
]
RISKS_DATA = [
    ("Receipt accuracy drops on handwritten receipts", "technical", 3, 4, "mitigate"),
    ("Seed round takes longer than 9 months", "funding", 3, 5, "mitigate"),
    ("GDPR complaint about bank data processing", "data_privacy", 2, 5, "avoid"),
    ("ML engineer leaves", "talent", 2, 3, "transfer"),
]


def demo_strategy_seed(*, user: User, venture: Venture) -> None:
    """Idempotent: a venture that has insights already is left as it is."""
    if Insight.objects.filter(venture=venture).exists():
        return
    insights = {
        text: row_create(user=user, venture=venture, resource=INSIGHTS, text=text, kind=kind, weight=weight)
        for text, kind, weight in INSIGHTS_DATA
    }
    row_create(
        user=user,
        venture=venture,
        resource=TOWS,
        kind="so",
        text="Sell e-invoicing readiness through partner accountants",
        first_id=insights[INSIGHTS_DATA[1][0]].pk,
        second_id=insights[INSIGHTS_DATA[4][0]].pk,
    )
    for competitor in COMPETITORS_DATA:
        row_create(user=user, venture=venture, resource=COMPETITORS, **competitor)
    for force, text, score, weight in DRIVERS:
        row_create(user=user, venture=venture, resource=FIVE_FORCES, force=force, text=text, score=score, weight=weight)
    for activity, description, cost_share, value_score in ACTIVITIES:
        row_create(
            user=user,
            venture=venture,
            resource=VALUE_CHAIN,
            activity=activity,
            description=description,
            cost_share=cost_share,
            value_score=value_score,
        )
    for title, category, probability, impact, response in RISKS_DATA:
        row_create(
            user=user,
            venture=venture,
            resource=RISKS,
            title=title,
            category=category,
            probability=probability,
            impact=impact,
            response=response,
            owner_id=user.pk,
        )
