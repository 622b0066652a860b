from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

from core.web import get_or_404
from takeout.exports import safe_name, team_export_stream
from teams.access import role_allows
from teams.models import Role
from teams.selectors import team_get_for_user


@login_required
def team_export_download(request: HttpRequest, team_id: int) -> StreamingHttpResponse:
    """The team's export zip, streamed; owners only (it holds everything the team has)."""
    team = get_or_404(team_get_for_user, user=request.user, team_id=team_id)
    if not role_allows(team.my_role, Role.OWNER):
        raise PermissionDenied
    response = StreamingHttpResponse(team_export_stream(team=team, language=get_language() or "en"), content_type="application/zip")
    filename = f"bizcanvas-{safe_name(team.pk, team.name)}-{timezone.now():%Y%m%d}.zip"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response
