"""The demo venture's dashboard: a saved layout and one share link (recreated on every seed, since a link's token
is shown only when it is made)."""

from accounts.models import User
from canvas.models import Canvas
from dashboards.models import ShareLink
from dashboards.services import dashboard_layout_save, share_link_create
from ventures.models import Venture

DEMO_LAYOUT = ["key_numbers", "forecast", "segmentation", "swot", "canvas", "five_forces", "value_chain", "risk_matrix"]
DEMO_LINK_LABEL = "Demo link for investors"
LINK_LABELS = {"en": DEMO_LINK_LABEL, "zh-hans": "给投资人的演示链接"}


def demo_dashboard_seed(*, user: User, venture: Venture, canvas_title: str, language: str = "en") -> str:
    """Save the demo layout and make a fresh share link (the previous demo link is deleted); return its token."""
    canvas = Canvas.objects.filter(venture=venture, title=canvas_title).first()
    dashboard_layout_save(user=user, venture=venture, layout=DEMO_LAYOUT, canvas=canvas)
    ShareLink.objects.filter(venture=venture, label=LINK_LABELS[language]).delete()
    _link, token = share_link_create(user=user, venture=venture, label=LINK_LABELS[language])
    return token
