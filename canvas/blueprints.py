"""The canvas templates, declared once as data: each block's key, place in the grid, name and guiding questions
in English and Chinese. Pages, exports and the API all read them from here."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class BlockSpec:
    key: str
    name_en: str
    name_zh: str
    questions_en: str
    questions_zh: str
    # Place in a 10-column, 3-row grid (1-based CSS grid lines), as on the printed canvases.
    column: int
    row: int
    column_span: int = 2
    row_span: int = 1

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en

    def questions(self, language: str) -> str:
        return self.questions_zh if language.startswith("zh") else self.questions_en


@dataclass(frozen=True)
class Blueprint:
    kind: str
    name_en: str
    name_zh: str
    blocks: tuple[BlockSpec, ...]
    attribution: str | Promise = ""  # translated: the licence line is read like any other sentence of the page
    attribution_url: str = ""

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(block.key for block in self.blocks)

    def block(self, key: str) -> BlockSpec:
        for block in self.blocks:
            if block.key == key:
                return block
        raise KeyError(key)


BUSINESS_MODEL = Blueprint(
    kind="business_model",
    name_en="Business Model Canvas",
    name_zh="商业模式画布",
    attribution=gettext_lazy("The Business Model Canvas by Strategyzer AG (strategyzer.com), licensed CC BY-SA 3.0."),
    attribution_url="https://creativecommons.org/licenses/by-sa/3.0/",
    blocks=(
        BlockSpec(
            "key_partners",
            "Key Partners",
            "重要伙伴",
            "Who are our key partners and suppliers? Which key resources do we acquire from them? Which key activities do they perform?",
            "谁是我们的重要伙伴和供应商？我们从他们那里获得哪些核心资源？他们执行哪些关键业务？",
            column=1,
            row=1,
            row_span=2,
        ),
        BlockSpec(
            "key_activities",
            "Key Activities",
            "关键业务",
            "What key activities do our value propositions, channels, customer relationships and revenue streams require?",
            "我们的价值主张、渠道通路、客户关系和收入来源需要哪些关键业务？",
            column=3,
            row=1,
        ),
        BlockSpec(
            "key_resources",
            "Key Resources",
            "核心资源",
            "What key resources do our value propositions, channels, customer relationships and revenue streams require?",
            "我们的价值主张、渠道通路、客户关系和收入来源需要哪些核心资源？",
            column=3,
            row=2,
        ),
        BlockSpec(
            "value_propositions",
            "Value Propositions",
            "价值主张",
            "What value do we deliver to the customer? Which problems do we help solve? Which needs do we satisfy?",
            "我们为客户传递什么价值？帮助客户解决哪些问题？满足哪些需求？",
            column=5,
            row=1,
            row_span=2,
        ),
        BlockSpec(
            "customer_relationships",
            "Customer Relationships",
            "客户关系",
            "What relationship does each customer segment expect us to establish and maintain?",
            "每个客户细分群体希望我们与之建立和保持怎样的关系？",
            column=7,
            row=1,
        ),
        BlockSpec(
            "channels",
            "Channels",
            "渠道通路",
            "Through which channels do our customer segments want to be reached? Which ones work best and are most cost-efficient?",
            "通过哪些渠道可以接触到我们的客户细分群体？哪些渠道最有效、成本效益最高？",
            column=7,
            row=2,
        ),
        BlockSpec(
            "customer_segments",
            "Customer Segments",
            "客户细分",
            "For whom are we creating value? Who are our most important customers?",
            "我们为谁创造价值？谁是我们最重要的客户？",
            column=9,
            row=1,
            row_span=2,
        ),
        BlockSpec(
            "cost_structure",
            "Cost Structure",
            "成本结构",
            "What are the most important costs in our business model? Which key resources and activities are most expensive?",
            "我们商业模式中最重要的成本是什么？哪些核心资源和关键业务花费最多？",
            column=1,
            row=3,
            column_span=5,
        ),
        BlockSpec(
            "revenue_streams",
            "Revenue Streams",
            "收入来源",
            "For what value are our customers willing to pay? How do they pay now, and how would they prefer to pay?",
            "客户愿意为什么价值付费？他们现在如何付费？更愿意如何付费？",
            column=6,
            row=3,
            column_span=5,
        ),
    ),
)

LEAN = Blueprint(
    kind="lean",
    name_en="Lean Canvas",
    name_zh="精益画布",
    attribution=gettext_lazy("Lean Canvas is adapted from the Business Model Canvas and licensed CC BY-SA 3.0."),
    attribution_url="https://creativecommons.org/licenses/by-sa/3.0/",
    blocks=(
        BlockSpec(
            "problem",
            "Problem",
            "问题",
            "What are the top 1–3 problems of your customers? How do they solve them today?",
            "客户最主要的 1–3 个问题是什么？他们现在如何解决？",
            column=1,
            row=1,
            row_span=2,
        ),
        BlockSpec(
            "solution",
            "Solution",
            "解决方案",
            "What are the top 3 features that solve those problems?",
            "解决这些问题的 3 个最重要的功能是什么？",
            column=3,
            row=1,
        ),
        BlockSpec(
            "key_metrics",
            "Key Metrics",
            "关键指标",
            "Which key activities do you measure to know you are growing?",
            "你衡量哪些关键活动来判断业务在增长？",
            column=3,
            row=2,
        ),
        BlockSpec(
            "unique_value_proposition",
            "Unique Value Proposition",
            "独特价值主张",
            "What single, clear, compelling message says why you are different and worth buying?",
            "用一句清晰、有说服力的话说明你为何与众不同、值得购买。",
            column=5,
            row=1,
            row_span=2,
        ),
        BlockSpec(
            "unfair_advantage",
            "Unfair Advantage",
            "竞争壁垒",
            "What do you have that cannot be easily copied or bought?",
            "你拥有哪些别人难以复制或购买的优势？",
            column=7,
            row=1,
        ),
        BlockSpec(
            "channels",
            "Channels",
            "渠道",
            "What is your path to customers?",
            "你通过什么途径触达客户？",
            column=7,
            row=2,
        ),
        BlockSpec(
            "customer_segments",
            "Customer Segments",
            "客户细分",
            "Who are your target customers? Who are the early adopters?",
            "你的目标客户是谁？谁是早期采用者？",
            column=9,
            row=1,
            row_span=2,
        ),
        BlockSpec(
            "cost_structure",
            "Cost Structure",
            "成本结构",
            "What are your customer acquisition, distribution, hosting and people costs?",
            "你的获客、分销、托管和人力成本是多少？",
            column=1,
            row=3,
            column_span=5,
        ),
        BlockSpec(
            "revenue_streams",
            "Revenue Streams",
            "收入来源",
            "What is your revenue model, lifetime value, revenue and gross margin?",
            "你的收入模式、客户终身价值、收入和毛利是多少？",
            column=6,
            row=3,
            column_span=5,
        ),
    ),
)

BLUEPRINTS: dict[str, Blueprint] = {blueprint.kind: blueprint for blueprint in (BUSINESS_MODEL, LEAN)}

# Sticky-note colours: value → (English, Chinese, CSS colour). Stored by value, rendered from here.
PALETTE: dict[str, tuple[str, str, str]] = {
    "yellow": ("Yellow", "黄色", "#fff3a8"),
    "pink": ("Pink", "粉色", "#ffd6e4"),
    "blue": ("Blue", "蓝色", "#d3e7ff"),
    "green": ("Green", "绿色", "#d4f5d8"),
    "orange": ("Orange", "橙色", "#ffe0c2"),
    "purple": ("Purple", "紫色", "#e7dcff"),
}
