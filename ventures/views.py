from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.web import allowed_or_403, get_or_404, service_run
from teams.access import can_edit, role_allows
from teams.models import Role
from teams.selectors import team_list_for_user
from ventures.forms import VentureCreateForm, VentureForm
from ventures.models import Venture
from ventures.selectors import venture_get_for_user, venture_list_for_user
from ventures.services import EDITABLE_FIELDS, venture_create, venture_delete, venture_edit_require, venture_update


@login_required
def venture_new(request: HttpRequest) -> HttpResponse:
    teams = team_list_for_user(user=request.user, minimum_role=Role.EDITOR)
    if not teams.exists():
        messages.info(request, _("Ventures live in a team where you are an owner or editor. Create a team first."))
        return redirect("teams:list")
    initial = {"team": request.GET.get("team")} if request.GET.get("team", "").isdigit() else {}
    form = VentureCreateForm(request.POST or None, teams=teams, initial=initial)
    if request.method == "POST" and form.is_valid():
        venture = service_run(request, venture_create, user=request.user, **form.cleaned_data)
        if venture:
            messages.success(request, _("Venture “%(name)s” created.") % {"name": venture.name})
            return redirect(venture)
    return render(request, "ventures/venture_form.html", {"form": form, "creating": True})


@login_required
def venture_detail(request: HttpRequest, venture_id: int) -> HttpResponse:
    venture = get_or_404(venture_get_for_user, user=request.user, venture_id=venture_id)
    return render(request, "ventures/venture_detail.html", {"venture": venture, "can_edit": can_edit(user=request.user, team=venture.team)})


def _venture_for_editing(request: HttpRequest, venture_id: int) -> Venture:
    """The venture if the user may change it: 404 if not theirs to see, 403 if their role only lets them read."""
    venture = get_or_404(venture_get_for_user, user=request.user, venture_id=venture_id)
    allowed_or_403(venture_edit_require, user=request.user, team=venture.team)
    return venture


@login_required
def venture_edit(request: HttpRequest, venture_id: int) -> HttpResponse:
    venture = _venture_for_editing(request, venture_id)
    initial = {field: getattr(venture, field) for field in EDITABLE_FIELDS}
    form = VentureForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and service_run(request, venture_update, user=request.user, venture=venture, **form.cleaned_data)
    ):
        messages.success(request, _("Venture saved."))
        return redirect(venture)
    return render(request, "ventures/venture_form.html", {"form": form, "venture": venture})


@login_required
def venture_delete_confirm(request: HttpRequest, venture_id: int) -> HttpResponse:
    venture = _venture_for_editing(request, venture_id)
    if request.method == "POST":
        if service_run(request, venture_delete, user=request.user, venture=venture):
            messages.success(request, _("Venture “%(name)s” deleted.") % {"name": venture.name})
            return redirect("teams:detail", team_id=venture.team_id)
        return redirect(venture)
    return render(request, "ventures/venture_confirm_delete.html", {"venture": venture})


def home(request: HttpRequest) -> HttpResponse:
    """Signed in: the user's ventures by team. Otherwise: what bizcanvas is, and the way in."""
    if not request.user.is_authenticated:
        return render(request, "home_landing.html")
    teams = list(team_list_for_user(user=request.user))
    ventures = list(venture_list_for_user(user=request.user))
    for team in teams:
        team.venture_list = [venture for venture in ventures if venture.team_id == team.pk]
        team.can_edit = role_allows(team.my_role, Role.EDITOR)
    can_create = any(team.can_edit for team in teams)
    return render(request, "home.html", {"teams": teams, "venture_count": len(ventures), "can_create": can_create})
