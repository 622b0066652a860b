from django import template

from datasets.forms import DatasetUploadForm
from datasets.selectors import dataset_list_for_user
from teams.access import can_edit
from ventures.models import Venture

register = template.Library()


@register.inclusion_tag("datasets/partials/venture_datasets.html", takes_context=True)
def venture_datasets(context: template.Context, venture: Venture) -> dict:
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "venture": venture,
        "datasets": list(dataset_list_for_user(user=request.user, venture_id=venture.pk)),
        "can_edit": can_edit(user=request.user, team=venture.team),
        "form": DatasetUploadForm(),
    }
