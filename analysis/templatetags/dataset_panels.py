from django import template

from analysis.forms import DatasetUploadForm
from analysis.selectors import dataset_list_for_user
from teams.access import membership_for, role_allows
from teams.models import Role
from ventures.models import Venture

register = template.Library()


@register.inclusion_tag("analysis/partials/venture_datasets.html", takes_context=True)
def venture_datasets(context: template.Context, venture: Venture) -> dict:
    request = context["request"]
    membership = membership_for(user=request.user, team=venture.team)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "venture": venture,
        "datasets": list(dataset_list_for_user(user=request.user, venture_id=venture.pk)),
        "can_edit": membership is not None and role_allows(membership.role, Role.EDITOR),
        "form": DatasetUploadForm(),
    }
