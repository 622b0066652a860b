"""The demo canvas fed by the demo data: its segments, revenue forecast, lifetime value and unit economics on the
Business Model Canvas."""

from accounts.models import User
from analysis.models import Analysis
from analysis.selectors import analysis_latest
from canvas.demo import TITLES
from canvas.models import Canvas
from economics.selectors import economics_datasets, venture_economics_for_user
from evidence.services import analysis_to_canvas
from evidence.unit_economics import economics_to_canvas
from ventures.models import Venture


def demo_evidence_seed(*, user: User, venture: Venture, language: str = "en") -> None:
    """Idempotent (adding an analysis twice adds nothing). The notes are written in the demo's language."""
    canvas = Canvas.objects.filter(venture=venture, title=TITLES[language][0]).first()
    if canvas is None:
        return
    for kind in (Analysis.Kind.SEGMENTATION, Analysis.Kind.FORECAST, Analysis.Kind.LIFETIME_VALUE):
        analysis = analysis_latest(venture_id=venture.pk, kind=kind)
        if analysis is not None:
            analysis_to_canvas(user=user, analysis=analysis, canvas=canvas, language=language)
    economics = venture_economics_for_user(user=user, venture=venture, dataset=economics_datasets(venture=venture).first())
    if economics.figures is not None and economics.figures.by_month:
        economics_to_canvas(user=user, venture=venture, economics=economics, canvas=canvas)
