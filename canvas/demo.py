"""Demo canvases for the demo venture: a filled-in Business Model Canvas with assumptions and two named versions (in
the demo's language), and a Lean Canvas in Chinese."""

from accounts.models import User
from canvas.models import Canvas
from canvas.services import canvas_create, canvas_version_name, item_add, item_update
from ventures.models import Venture

BMC_TITLE = "Ledgerly AI — business model"
LEAN_TITLE = "Ledgerly AI 精益画布"
TITLES = {"en": (BMC_TITLE, LEAN_TITLE), "zh-hans": ("账小智 — 商业模式", "账小智 精益画布")}
VERSION_NAMES = {"en": ("First draft", "After customer interviews"), "zh-hans": ("初稿", "客户访谈之后")}

BMC_ITEMS = {
    "key_partners": ["Banks with open APIs (PSD2 / open banking)", "Accounting firms that resell to their clients", "Cloud GPU provider"],
    "key_activities": ["Train and evaluate the receipt-reading model", "Bank-feed reconciliation", "Onboarding through accountants"],
    "key_resources": ["Labelled dataset of 2 M receipts", "ML team of four", "Bank integrations"],
    "value_propositions": [
        "Books closed in 10 minutes a month instead of a day",
        "Receipts read from a photo, in English and Chinese",
        "VAT return ready for the accountant",
    ],
    "customer_relationships": ["Self-service app with in-app chat", "Quarterly check-in by the partner accountant"],
    "channels": ["Accounting-firm partnerships", "App stores", "Content on small-business tax questions"],
    "customer_segments": ["Shops and cafés with 1–20 staff", "Freelancers with VAT duties", "Accounting firms serving them"],
    "cost_structure": ["Model inference (GPU) ≈ 0.4 € per customer per month", "Bank API fees", "Salaries (70 % of costs)"],
    "revenue_streams": ["Subscription 29 € / month per business", "Revenue share with partner accountants (20 %)"],
}
ASSUMPTIONS = {
    "Books closed in 10 minutes a month instead of a day": ("validated", "12 of 15 pilot shops closed March in under 15 minutes"),
    "Accounting-firm partnerships": ("testing", "3 firms in a two-month trial"),
    "Subscription 29 € / month per business": ("untested", ""),
    "Shops and cafés with 1–20 staff": ("untested", ""),
}

BMC_ITEMS_ZH = {
    "key_partners": ["开放接口的银行（开放银行）", "向客户转售的会计事务所", "云端算力供应商"],
    "key_activities": ["训练和评估小票识别模型", "银行流水对账", "通过会计师帮助客户上手"],
    "key_resources": ["二百万张已标注的小票数据", "四人机器学习团队", "银行接口对接"],
    "value_propositions": ["每月十分钟记完账，而不是一整天", "拍照识别中英文小票", "增值税申报表直接交给会计"],
    "customer_relationships": ["自助应用加应用内客服", "合作会计师每季度回访"],
    "channels": ["会计事务所合作", "应用商店", "小微企业税务问答内容"],
    "customer_segments": ["一到二十人的小店和咖啡馆", "需要缴纳增值税的自由职业者", "为他们服务的会计事务所"],
    "cost_structure": ["模型推理算力：每位客户每月约三元", "银行接口费用", "工资（占成本七成）"],
    "revenue_streams": ["每店每月一百九十九元订阅", "与合作会计师分成（两成）"],
}
ASSUMPTIONS_ZH = {
    "每月十分钟记完账，而不是一整天": ("validated", "十五家试点小店中有十二家在十五分钟内完成了三月份的记账"),
    "会计事务所合作": ("testing", "三家事务所正在进行为期两个月的试用"),
    "每店每月一百九十九元订阅": ("untested", ""),
    "一到二十人的小店和咖啡馆": ("untested", ""),
}
CONTENT = {"en": (BMC_ITEMS, ASSUMPTIONS), "zh-hans": (BMC_ITEMS_ZH, ASSUMPTIONS_ZH)}

LEAN_ITEMS = {
    "problem": ["小店主每月花一整天整理票据和记账", "发票和收据丢失，报税时手忙脚乱"],
    "solution": ["拍照识别小票，自动分类", "银行流水自动对账"],
    "key_metrics": ["每月活跃店铺数", "自动对账率", "试用转付费率"],
    "unique_value_proposition": ["每月十分钟，账目自动做好"],
    "unfair_advantage": ["中英双语票据数据集", "与会计事务所的合作网络"],
    "channels": ["会计事务所推荐", "微信公众号与小红书内容"],
    "customer_segments": ["1–20 人的小店和咖啡馆", "需要报税的自由职业者"],
    "cost_structure": ["模型推理算力", "银行接口费用", "研发人员工资"],
    "revenue_streams": ["每店每月 199 元订阅", "与会计事务所分成"],
}


def demo_canvases_seed(*, user: User, venture: Venture, language: str = "en") -> None:
    """Idempotent: a canvas that exists already is left as it is."""
    bmc_title, lean_title = TITLES[language]
    items_by_block, assumptions = CONTENT[language]
    first, second = VERSION_NAMES[language]
    if not Canvas.objects.filter(venture=venture, title=bmc_title).exists():
        bmc = canvas_create(user=user, venture=venture, kind="business_model", title=bmc_title)
        items = {text: item_add(user=user, canvas=bmc, block=block, text=text) for block, texts in items_by_block.items() for text in texts}
        bmc.refresh_from_db()
        canvas_version_name(user=user, canvas=bmc, name=first)
        for text, (status, evidence) in assumptions.items():
            item = items[text]
            item_update(
                user=user, item=item, expected_version=item.version, is_assumption=True, assumption_status=status, evidence=evidence
            )
        bmc.refresh_from_db()
        canvas_version_name(user=user, canvas=bmc, name=second)
    if not Canvas.objects.filter(venture=venture, title=lean_title).exists():
        lean = canvas_create(user=user, venture=venture, kind="lean", title=lean_title)
        for block, texts in LEAN_ITEMS.items():
            for text in texts:
                item_add(user=user, canvas=lean, block=block, text=text, color="blue")
