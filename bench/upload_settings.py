"""bench/upload_http.py's server: the development settings plus a path that reads and discards a request body."""

from config.settings.dev import *  # noqa: F403

ROOT_URLCONF = "bench.upload_urls"
