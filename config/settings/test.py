"""The test suite: fast hashing, temporary media, email kept in memory. DATABASE_URL / CELERY_BROKER_URL may point
at real PostgreSQL and Redis (.ci/run sets both)."""

import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403
from config.settings.base import CELERY_BROKER_URL, DATABASES, REST_FRAMEWORK, env, filesystem_broker_options

DEBUG = False
SECRET_KEY = "test-only-secret-key-with-enough-length-and-entropy-0123456789"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(env.str("TEST_MEDIA_ROOT", default=tempfile.mkdtemp(prefix="bizcanvas-test-media-")))
# In-process tests read mail.outbox; a worker subprocess started by a test writes files instead.
EMAIL_BACKEND = env.str("TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(MEDIA_ROOT / "mail"))
CELERY_TASK_DEFAULT_QUEUE = "bizcanvas-test"  # never shared with a development worker on the same broker
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "1000/min"}}
AXES_FAILURE_LIMIT = 3
# One version per change, as tests that count versions expect; the coalescing tests turn it on (settings fixture).
HISTORY_COALESCE_MINUTES = 0

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that a worker subprocess started by a test sees the same test database.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("TEST_SQLITE_PATH", default=str(Path(tempfile.gettempdir()) / "bizcanvas-test.sqlite3"))
    }

if CELERY_BROKER_URL.startswith("filesystem://"):
    # The test process and the worker it starts both load these settings, so both find this folder.
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(Path(tempfile.gettempdir()) / "bizcanvas-test-broker")
