"""What a throttled login attempt receives (django-axes calls this after too many failures)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("Too many failed login attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes}
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "login_throttled"}, status=429)
    else:
        response = render(request, "accounts/lockout.html", {"message": message}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
