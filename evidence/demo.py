"""The demo canvas fed by the demo data: its segments, revenue forecast and lifetime value on the Business Model
Canvas."""

from accounts.models import User
from analysis.models import Analysis
from analysis.selectors import analysis_latest
from canvas.demo import TITLES
from canvas.models import Canvas
from evidence.services import analysis_to_canvas
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
