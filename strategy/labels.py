"""Names of forces, activities, quadrants and risk categories in English and Chinese, declared once as data (like the
canvas blueprints): figures, pages, exports and the API all read them from here."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    key: str
    en: str
    zh: str

    def name(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


def by_key(labels: tuple[Label, ...]) -> dict[str, Label]:
    return {label.key: label for label in labels}


SWOT_QUADRANTS = (
    Label("strength", "Strengths", "优势"),
    Label("weakness", "Weaknesses", "劣势"),
    Label("opportunity", "Opportunities", "机会"),
    Label("threat", "Threats", "威胁"),
)

TOWS_KINDS = (
    Label("so", "S-O: use strengths to seize opportunities", "SO：利用优势抓住机会"),
    Label("wo", "W-O: overcome weaknesses through opportunities", "WO：借助机会克服劣势"),
    Label("st", "S-T: use strengths to counter threats", "ST：利用优势应对威胁"),
    Label("wt", "W-T: reduce weaknesses and avoid threats", "WT：减少劣势、规避威胁"),
)

FORCES = (
    Label("rivalry", "Rivalry among competitors", "现有竞争者之间的竞争"),
    Label("new_entrants", "Threat of new entrants", "新进入者的威胁"),
    Label("substitutes", "Threat of substitutes", "替代品的威胁"),
    Label("buyer_power", "Bargaining power of buyers", "购买者的议价能力"),
    Label("supplier_power", "Bargaining power of suppliers", "供应商的议价能力"),
)

PRIMARY_ACTIVITIES = (
    Label("inbound_logistics", "Inbound logistics", "进货物流"),
    Label("operations", "Operations", "生产运营"),
    Label("outbound_logistics", "Outbound logistics", "出货物流"),
    Label("marketing_sales", "Marketing & sales", "市场营销与销售"),
    Label("service", "Service", "服务"),
)
SUPPORT_ACTIVITIES = (
    Label("firm_infrastructure", "Firm infrastructure", "企业基础设施"),
    Label("human_resources", "Human resource management", "人力资源管理"),
    Label("technology", "Technology development", "技术开发"),
    Label("procurement", "Procurement", "采购"),
)
ACTIVITIES = PRIMARY_ACTIVITIES + SUPPORT_ACTIVITIES

RISK_CATEGORIES = (
    Label("technical", "Technical", "技术"),
    Label("market", "Market", "市场"),
    Label("funding", "Funding", "资金"),
    Label("talent", "Talent", "人才"),
    Label("legal", "Legal", "法律"),
    Label("data_privacy", "Data / privacy", "数据与隐私"),
    Label("policy", "Policy", "政策"),
)
RISK_RESPONSES = (
    Label("avoid", "Avoid", "规避"),
    Label("transfer", "Transfer", "转移"),
    Label("mitigate", "Mitigate", "减轻"),
    Label("accept", "Accept", "接受"),
)
RISK_STATUSES = (
    Label("open", "Open", "未解决"),
    Label("monitoring", "Monitoring", "监控中"),
    Label("closed", "Closed", "已关闭"),
)

VIEWS = (
    Label("swot", "SWOT", "SWOT 分析"),
    Label("five_forces", "Five forces", "五力模型"),
    Label("value_chain", "Value chain", "价值链"),
    Label("risks", "Risk register", "风险登记册"),
    Label("competitors", "Competitors", "竞争对手"),
)


def choices(labels: tuple[Label, ...]) -> list[tuple[str, str]]:
    return [(label.key, label.en) for label in labels]


# For the OpenAPI schema's enum names (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
INSIGHT_KIND_CHOICES = [("", "—"), *choices(SWOT_QUADRANTS)]
TOWS_KIND_CHOICES = choices(TOWS_KINDS)
RISK_STATUS_CHOICES = choices(RISK_STATUSES)


# Fields whose stored value is a key of one of the tables above.
CODED = {
    "kind": SWOT_QUADRANTS + TOWS_KINDS,
    "force": FORCES,
    "activity": ACTIVITIES,
    "category": RISK_CATEGORIES,
    "response": RISK_RESPONSES,
    "status": RISK_STATUSES,
}


def display_value(row: object, field: str, language: str) -> object:
    """A row's field as people read it: coded values (force, category, …) by their name in `language`."""
    value = getattr(row, field, "")
    if field in CODED and value:
        return {label.key: label.name(language) for label in CODED[field]}.get(value, value)
    return "" if value is None else value
