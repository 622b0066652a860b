from django import template

from analysis.views import analysis_forms
from datasets.models import Dataset

register = template.Library()


@register.inclusion_tag("analysis/partials/dataset_models.html", takes_context=True)
def dataset_models(context: template.Context, dataset: Dataset, can_edit: bool) -> dict:
    """The "Models" section of a ready dataset's page: its runs, and for editors the forms that start one (the
    dataset page belongs to datasets, which cannot import analysis; the page composes both through this tag)."""
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "dataset": dataset,
        "analyses": dataset.analyses.all()[:50],
        "can_edit": can_edit,
        **(analysis_forms(dataset) if can_edit else {}),
    }
