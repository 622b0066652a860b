from django import template

from analysis.forms import params_words
from analysis.models import Analysis

register = template.Library()


@register.filter
def run_params(analysis: Analysis) -> list[str]:
    """A run's parameters in words, for the chips beside it (see analysis.forms.params_words)."""
    return params_words(analysis.kind, analysis.params or {})
