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


INSIGHTS_DATA_ZH = [
    ("小票识别模型读取中英文小票，准确率达百分之九十七", "strength", 5),
    ("与三家会计事务所建立了合作", "strength", 4),
    ("五人团队，没有销售人员", "weakness", 4),
    ("银行对接只覆盖两个国家", "weakness", 3),
    ("二〇二七年起小微企业必须使用电子发票", "opportunity", 5),
    ("会计师人手紧张，希望实现自动化", "opportunity", 4),
    ("银行为企业账户免费捆绑记账服务", "threat", 4),
]
TOWS_TEXT = {"en": "Sell e-invoicing readiness through partner accountants", "zh-hans": "通过合作会计师推广电子发票准备服务"}
COMPETITORS_DATA_ZH = [
    {
        "name": "账无忧",
        "positioning": "面向中小企业的全套财务软件",
        "strengths": "品牌知名度高，对接广泛",
        "weaknesses": "复杂，上手慢",
        "price_point": "每月三百九十元",
        "threat": 4,
        "is_new_entrant": False,
    },
    {
        "name": "票快拍",
        "positioning": "小票扫描应用",
        "strengths": "便宜，简单",
        "weaknesses": "不能申报增值税",
        "price_point": "每月六十九元",
        "threat": 3,
        "is_new_entrant": True,
    },
]
DRIVERS_ZH = [
    ("new_entrants", "小票识别已是随处可买的通用接口", 4, 2),
    ("substitutes", "电子表格加一盒子小票", 3, 2),
    ("buyer_power", "小店很容易换用别的工具", 4, 3),
    ("buyer_power", "会计师推荐自己客户在用的工具", 3, 1),
    ("supplier_power", "云端算力价格", 2, 1),
    ("supplier_power", "开放银行聚合商决定接口费用", 3, 2),
]
ACTIVITIES_ZH = [
    ("operations", "模型推理与对账", Decimal("18"), 5),
    ("marketing_sales", "面向会计师的合作伙伴计划", Decimal("22"), 4),
    ("service", "应用内在线客服", Decimal("8"), 3),
    ("technology", "机器学习研究与应用开发", Decimal("30"), 5),
    ("firm_infrastructure", "财务、法务、办公", Decimal("7"), 2),
]
RISKS_DATA_ZH = [
    ("手写小票的识别准确率下降", "technical", 3, 4, "mitigate"),
    ("种子轮融资超过九个月", "funding", 3, 5, "mitigate"),
    ("银行数据处理引发隐私投诉", "data_privacy", 2, 5, "avoid"),
    ("机器学习工程师离职", "talent", 2, 3, "transfer"),
]
CONTENT = {
    "en": (INSIGHTS_DATA, COMPETITORS_DATA, DRIVERS, ACTIVITIES, RISKS_DATA),
    "zh-hans": (INSIGHTS_DATA_ZH, COMPETITORS_DATA_ZH, DRIVERS_ZH, ACTIVITIES_ZH, RISKS_DATA_ZH),
}


def demo_strategy_seed(*, user: User, venture: Venture, language: str = "en") -> None:
    """Idempotent: a venture that has insights already is left as it is."""
    if Insight.objects.filter(venture=venture).exists():
        return
    insights_data, competitors_data, drivers_data, activities_data, risks_data = CONTENT[language]
    insights = {
        text: row_create(user=user, venture=venture, resource=INSIGHTS, text=text, kind=kind, weight=weight)
        for text, kind, weight in insights_data
    }
    row_create(
        user=user,
        venture=venture,
        resource=TOWS,
        kind="so",
        text=TOWS_TEXT[language],
        first_id=insights[insights_data[1][0]].pk,
        second_id=insights[insights_data[4][0]].pk,
    )
    for competitor in competitors_data:
        row_create(user=user, venture=venture, resource=COMPETITORS, **competitor)
    for force, text, score, weight in drivers_data:
        row_create(user=user, venture=venture, resource=FIVE_FORCES, force=force, text=text, score=score, weight=weight)
    for activity, description, cost_share, value_score in activities_data:
        row_create(
            user=user,
            venture=venture,
            resource=VALUE_CHAIN,
            activity=activity,
            description=description,
            cost_share=cost_share,
            value_score=value_score,
        )
    for title, category, probability, impact, response in risks_data:
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
