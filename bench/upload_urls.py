from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as app_urlpatterns


@csrf_exempt
def discard(request: HttpRequest) -> HttpResponse:
    """The baseline: receive the whole body through the same server and throw it away."""
    while request.read(1 << 20):
        pass
    return HttpResponse("ok")


urlpatterns = [path("bench/discard/", discard), *app_urlpatterns]
