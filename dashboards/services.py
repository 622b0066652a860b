"""Writes: saving a dashboard's layout, creating and revoking share links, counting a shared page's views. Each
checks the role (owner or editor; viewers only look) through teams.access."""

from datetime import datetime
from typing import cast

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from canvas.models import Canvas
from core.errors import InvalidInput
from core.tokens import token_new
from dashboards.models import Dashboard, ShareLink, ShareTarget
from dashboards.panels import PANELS, layout_problems
from teams.access import role_require
from teams.models import Role
from ventures.models import Venture

UNSET = object()


@transaction.atomic
def dashboard_layout_save(*, user: User, venture: Venture, layout: list[str], canvas: Canvas | object | None = UNSET) -> Dashboard:
    """Save which panels the dashboard shows and in which order, and (optionally) which canvas it shows."""
    role_require(user=user, team=venture.team, minimum=Role.EDITOR)
    problems = layout_problems(layout)
    if problems:
        unknown = isinstance(layout, list) and any(isinstance(key, str) and key not in PANELS for key in layout)
        code = "unknown_panel" if unknown else "invalid_layout"
        raise InvalidInput(" ".join(problems), code=code)
    if canvas is not UNSET and canvas is not None and cast(Canvas, canvas).venture_id != venture.pk:
        raise InvalidInput(_("The canvas belongs to another venture."), code="invalid_canvas")
    dashboard, created = Dashboard.objects.select_for_update().get_or_create(venture=venture)
    dashboard.layout = list(layout)
    if canvas is not UNSET:
        dashboard.canvas = canvas
    if not created:
        dashboard.version += 1
    dashboard.updated_by = user
    dashboard.full_clean()
    dashboard.save()
    return dashboard


@transaction.atomic
def share_link_create(
    *,
    user: User,
    venture: Venture,
    canvas: Canvas | None = None,
    label: str = "",
    expires_at: datetime | None = None,
    allow_embed: bool = False,
) -> tuple[ShareLink, str]:
    """A read-only link to the venture's dashboard, or to one of its canvases. Returns the link and its token, which
    is not stored (only its digest) and so can be shown only now."""
    role_require(user=user, team=venture.team, minimum=Role.EDITOR)
    if canvas is not None and canvas.venture_id != venture.pk:
        raise InvalidInput(_("The canvas belongs to another venture."), code="invalid_canvas")
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput(_("The expiry must be in the future."), code="expiry_in_past")
    token, digest = token_new()
    link = ShareLink(
        venture=venture,
        target=ShareTarget.CANVAS if canvas is not None else ShareTarget.DASHBOARD,
        canvas=canvas,
        token_hash=digest,
        label=label.strip(),
        expires_at=expires_at,
        allow_embed=allow_embed,
        created_by=user,
    )
    link.full_clean()
    link.save()
    return link, token


@transaction.atomic
def share_link_revoke(*, user: User, link: ShareLink) -> ShareLink:
    """The link stops working at once (the public page checks the row on every request, cached or not)."""
    role_require(user=user, team=link.venture.team, minimum=Role.EDITOR)
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    link.refresh_from_db(fields=["revoked_at"])
    return link


def share_link_view_record(*, link: ShareLink) -> None:
    """One more view: a single atomic UPDATE, so simultaneous views are all counted."""
    ShareLink.objects.filter(pk=link.pk).update(views=F("views") + 1, last_viewed_at=timezone.now())
