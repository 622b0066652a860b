from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import urls as accounts_urls
from analysis import urls as analysis_urls
from canvas import urls as canvas_urls
from core import views as core_views
from dashboards import urls as dashboards_urls
from dashboards.views import robots_txt
from datasets import urls as datasets_urls
from economics import urls as economics_urls
from evidence import urls as evidence_urls
from strategy import urls as strategy_urls
from takeout import urls as takeout_urls
from teams import urls as teams_urls
from ventures import urls as ventures_urls
from ventures.views import home

api_v1 = [
    path("auth/", include(accounts_urls.api_urlpatterns)),
    *teams_urls.api_urlpatterns,
    *ventures_urls.api_urlpatterns,
    *canvas_urls.api_urlpatterns,
    *strategy_urls.api_urlpatterns,
    *datasets_urls.api_urlpatterns,
    *analysis_urls.api_urlpatterns,
    *economics_urls.api_urlpatterns,
    *evidence_urls.api_urlpatterns,
    *dashboards_urls.api_urlpatterns,
]

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include(accounts_urls.urlpatterns)),
    path("teams/", include(teams_urls)),
    path("teams/", include(takeout_urls)),
    path("ventures/", include(ventures_urls)),
    path("canvases/", include(canvas_urls)),
    path("ventures/", include(strategy_urls)),
    path("", include(datasets_urls)),  # datasets/…
    path("", include(analysis_urls)),  # datasets/<id>/analyses/new/ and analyses/…
    path("", include(evidence_urls)),
    path("ventures/", include(dashboards_urls)),
    path("ventures/", include(economics_urls)),
    path("s/", include(dashboards_urls.shared_urlpatterns)),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
