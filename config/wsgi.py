import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

application = get_wsgi_application()
# Import every view now (Django would on the first request): with gunicorn's preload_app (config/gunicorn.py), once in
# the master for all workers.
get_resolver().url_patterns  # noqa: B018
