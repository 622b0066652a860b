from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.web import allowed_or_403, get_or_404, service_run
from teams.access import membership_for, role_allows
from teams.forms import InviteForm, InviteLinkForm, RoleForm, TeamForm
from teams.models import Role, Team
from teams.selectors import (
    invitation_get_by_token,
    invitation_get_for_team,
    invitation_list_pending,
    member_get,
    member_list,
    team_get_for_user,
    team_list_for_user,
)
from teams.services import (
    invitation_accept,
    invitation_create,
    invitation_link,
    invitation_revoke,
    member_remove,
    member_role_change,
    team_create,
    team_delete,
    team_manage_require,
    team_update,
    teammate_invite,
)
from ventures.selectors import venture_list_for_user


def _team_or_404(request: HttpRequest, team_id: int) -> Team:
    return get_or_404(team_get_for_user, user=request.user, team_id=team_id)


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = team_create(user=request.user, name=form.cleaned_data["name"])
        messages.success(request, _("Team “%(name)s” created. Invite your teammates.") % {"name": team.name})
        return redirect("teams:detail", team_id=team.pk)
    return render(request, "teams/team_list.html", {"teams": team_list_for_user(user=request.user), "form": form})


NEW_LINK_SESSION_KEY = "teams.new_invite_link"


def _team_page(request: HttpRequest, team: Team, **extra: object) -> HttpResponse:
    # A link created by the previous request (post/redirect/get): shown once, then gone from the session.
    new_link = request.session.pop(NEW_LINK_SESSION_KEY, None)
    if new_link and new_link["team"] != team.pk:
        new_link = None
    context = {
        "team": team,
        "my_role": team.my_role,
        "is_owner": role_allows(team.my_role, Role.OWNER),
        "can_edit": role_allows(team.my_role, Role.EDITOR),
        "members": member_list(team=team),
        "ventures": venture_list_for_user(user=request.user, team_id=team.pk),
        "invitations": invitation_list_pending(team=team) if role_allows(team.my_role, Role.OWNER) else [],
        "invite_form": InviteForm(),
        "new_link": new_link and new_link["url"],
        "link_form": InviteLinkForm(prefix="link", initial={"role": new_link["role"]} if new_link else None),
        "rename_form": TeamForm(initial={"name": team.name}),
        "roles": Role.choices,
        **extra,
    }
    return render(request, "teams/team_detail.html", context)


@login_required
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    return _team_page(request, _team_or_404(request, team_id))


@login_required
@require_POST
def team_rename(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    form = TeamForm(request.POST)
    if not form.is_valid():
        return _team_page(request, team, rename_form=form)
    if service_run(request, team_update, user=request.user, team=team, name=form.cleaned_data["name"]):
        messages.success(request, _("Team renamed."))
    return redirect("teams:detail", team_id=team.pk)


@login_required
def team_delete_confirm(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    allowed_or_403(team_manage_require, user=request.user, team=team)
    if request.method == "POST":
        if service_run(request, team_delete, user=request.user, team=team):
            messages.success(request, _("Team “%(name)s” deleted.") % {"name": team.name})
            return redirect("teams:list")
        return redirect("teams:detail", team_id=team.pk)
    return render(
        request, "teams/team_confirm_delete.html", {"team": team, "ventures": venture_list_for_user(user=request.user, team_id=team.pk)}
    )


@login_required
@require_POST
def member_invite(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _team_page(request, team, invite_form=form)
    result = service_run(
        request, teammate_invite, actor=request.user, team=team, site_url=request.build_absolute_uri("/"), **form.cleaned_data
    )
    if result and result.membership:
        messages.success(request, _("%(username)s joined the team.") % {"username": result.membership.user.username})
    elif result and result.invitation:
        messages.success(request, _("An invitation was e-mailed to %(email)s.") % {"email": result.invitation.email})
    return redirect("teams:detail", team_id=team.pk)


@login_required
@require_POST
def member_role(request: HttpRequest, team_id: int, user_id: int) -> HttpResponse:
    """Change a member's role. With htmx, answers with the re-rendered row only."""
    team = _team_or_404(request, team_id)
    membership = get_or_404(member_get, team=team, user_id=user_id)
    form = RoleForm(request.POST)
    changed = form.is_valid() and service_run(
        request, member_role_change, actor=request.user, membership=membership, role=form.cleaned_data["role"]
    )
    if changed:
        membership = changed
        messages.success(
            request, _("%(username)s is now %(role)s.") % {"username": membership.user.username, "role": membership.get_role_display()}
        )
    if request.htmx:
        actor = membership_for(user=request.user, team=team)
        if actor is None or not role_allows(actor.role, Role.OWNER):
            # The actor stepped down (or was never an owner): every control on the page is stale, reload it.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        membership.refresh_from_db()
        return render(
            request, "teams/partials/member_row_swap.html", {"team": team, "m": membership, "is_owner": True, "roles": Role.choices}
        )
    return redirect("teams:detail", team_id=team.pk)


@login_required
@require_POST
def member_remove_view(request: HttpRequest, team_id: int, user_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    membership = get_or_404(member_get, team=team, user_id=user_id)
    leaving = membership.user_id == request.user.pk
    if service_run(request, member_remove, actor=request.user, membership=membership):
        if leaving:
            messages.success(request, _("You left the team “%(name)s”.") % {"name": team.name})
            return redirect("teams:list")
        messages.success(request, _("%(username)s was removed from the team.") % {"username": membership.user.username})
    return redirect("teams:detail", team_id=team.pk)


@login_required
@require_POST
def invitation_link_create(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    form = InviteLinkForm(request.POST, prefix="link")
    if form.is_valid():
        site_url = request.build_absolute_uri("/")
        created = service_run(request, invitation_create, actor=request.user, team=team, role=form.cleaned_data["role"], site_url=site_url)
        if created:
            invitation, token = created
            url = invitation_link(token=token, site_url=site_url)
            request.session[NEW_LINK_SESSION_KEY] = {"team": team.pk, "url": url, "role": invitation.role}
    return redirect("teams:detail", team_id=team.pk)


@login_required
@require_POST
def invitation_revoke_view(request: HttpRequest, team_id: int, invitation_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    invitation = get_or_404(invitation_get_for_team, team=team, invitation_id=invitation_id)
    if service_run(request, invitation_revoke, actor=request.user, invitation=invitation):
        messages.success(request, _("Invitation revoked: its link no longer works."))
    return redirect("teams:detail", team_id=team.pk)


@login_required
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the invitation offers (no side effect); POST joins."""
    invitation = get_or_404(invitation_get_by_token, token=token)
    already = membership_for(user=request.user, team=invitation.team)
    if request.method == "POST":
        accepted = service_run(request, invitation_accept, user=request.user, token=token)
        if accepted:
            role = accepted.membership.get_role_display()
            messages.success(request, _("You joined “%(team)s” as %(role)s.") % {"team": invitation.team.name, "role": role})
            return redirect("teams:detail", team_id=invitation.team_id)
    return render(request, "teams/invitation_accept.html", {"invitation": invitation, "usable": invitation.is_usable(), "already": already})
