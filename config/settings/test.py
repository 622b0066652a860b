"""The test suite: fast hashing, temporary media, email kept in memory. DATABASE_URL / CELERY_BROKER_URL may point
at real PostgreSQL and Redis (.ci/run sets both)."""

import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, REST_FRAMEWORK, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-with-enough-length-and-entropy-0123456789"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bizcanvas-test-media-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "1000/min"}}
AXES_FAILURE_LIMIT = 3

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that a worker subprocess started by a test sees the same test database.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("TEST_SQLITE_PATH", default=str(Path(tempfile.gettempdir()) / "bizcanvas-test.sqlite3"))
    }
