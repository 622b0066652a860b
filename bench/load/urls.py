"""The app's URLs plus /bench/bare/: a plain Django view returning a small JSON object (no session, no database),
served by the same gunicorn as the app, so a run can say how the canvas API compares with Django's own floor."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as app_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"id": 1, "text": "bare", "version": 1})


urlpatterns = [path("bench/bare/", bare), *app_urlpatterns]
