"""Settings shared by every environment. Each value comes from the environment, with an embedded default
that lets the app run on one machine with nothing else installed (SQLite, a filesystem message broker)."""

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from csp.constants import NONE, SELF

from config.env import BASE_DIR, env

VAR_DIR = Path(env.str("BIZCANVAS_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "core",
    "accounts",
    "outbox",
    "teams",
    "ventures",
    "history",
    "canvas",
    "strategy",
    "datasets",
    "analysis",
    "economics",
    "evidence",
    "dashboards",
    "takeout",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/bizcanvas. Without it: a SQLite file under var/.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids "database is locked" on upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling: after AXES_FAILURE_LIMIT failures for one username from one IP, a cool-off (not a lockout).
# Keyed on the pair, not the IP alone (everyone behind one office NAT would be locked out together) nor the
# username alone (anyone anywhere could lock any user out).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The cool-off counts from the lockout: attempts during it (a wrong password, or the right one) do not restart it,
# so someone behind the same address cannot keep a user locked out by retrying.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Password reset mails per hour, per address asked for and per client IP (counted in the cache); over either limit
# nothing is sent and the page answers as always.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=10)

# --- Email ----------------------------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587. Without it: printed on the console.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="bizcanvas <noreply@bizcanvas.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["core.formats"]  # digit grouping in Chinese (core/formats/zh_Hans)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

# --- Static and media -----------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # plotly.js with only our trace types, strict (no eval: the CSP forbids it), built from the npm packages of
    # package.json by assets/build.mjs on `npm ci` (./bizcanvas runs it).
    ("vendor/plotly", BASE_DIR / "node_modules" / ".bizcanvas" / "plotly"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Datasets -------------------------------------------------------------------------------------------------
DATASET_MAX_UPLOAD_BYTES = env.int("DATASET_MAX_UPLOAD_BYTES", default=1024**3)  # 1 GB, checked while streaming
DATASET_MAX_DECOMPRESSED_BYTES = env.int("DATASET_MAX_DECOMPRESSED_BYTES", default=5 * 1024**3)  # gzip/zip bombs
DATASET_MAX_LINE_CHARS = env.int("DATASET_MAX_LINE_CHARS", default=100_000)
# A quoted cell may span this many physical lines; a quote left open longer costs its record, not the rows after it.
DATASET_MAX_RECORD_LINES = env.int("DATASET_MAX_RECORD_LINES", default=100)
DATASET_MAX_REJECT_SHARE = env.float("DATASET_MAX_REJECT_SHARE", default=0.2)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads stream to a temporary file

# --- Share links -------------------------------------------------------------------------------------------------
# Requests per minute and IP on the public share pages (/s/…), counted in the cache.
SHARE_RATE_LIMIT_PER_MINUTE = env.int("SHARE_RATE_LIMIT_PER_MINUTE", default=120)
# Rendered dashboard panels are cached under the versions of the data they show (a change makes a new key), so this
# only bounds how long panels rendered by the previous release can show after a deploy.
DASHBOARD_PANEL_CACHE_SECONDS = env.int("DASHBOARD_PANEL_CACHE_SECONDS", default=900)

# --- History --------------------------------------------------------------------------------------------------
# Consecutive changes by one person to one canvas or strategy view within this many minutes of the first of them are
# one version in its history (0: every change is a version of its own).
HISTORY_COALESCE_MINUTES = env.int("HISTORY_COALESCE_MINUTES", default=5)

# --- Security headers -----------------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads the cookie: htmx sends the token from hx-headers on <body>
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Inline style attributes are used by Swagger UI and Plotly; scripts stay strictly same-origin.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- REST API -------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an unauthenticated call then gets 401 with `WWW-Authenticate: Token`, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": env.str("API_AUTH_THROTTLE", default="20/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # `?format=` belongs to our own endpoints (canvas export), not to DRF's renderer switch.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "bizcanvas API",
    "DESCRIPTION": "The bizcanvas API, with the same rights as the browser: a session there, a token for scripts "
    "(`Authorization: Token <token>`, from POST /api/v1/auth/token/). Another team's ids answer 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "teams.models.Role",
        "StageEnum": "ventures.models.Stage",
        "CanvasKindEnum": "canvas.models.CanvasKind",
        "InsightKindEnum": "strategy.labels.INSIGHT_KIND_CHOICES",
        "TowsKindEnum": "strategy.labels.TOWS_KIND_CHOICES",
        "DatasetStatusEnum": "datasets.models.Dataset.Status",
        "DateOrderEnum": "datasets.api.DATE_ORDERS",
        "AnalysisStatusEnum": "analysis.models.Analysis.Status",
        "AnalysisKindEnum": "analysis.models.Analysis.Kind",
        "RiskStatusEnum": "strategy.labels.RISK_STATUS_CHOICES",
    },
}

# --- Celery ---------------------------------------------------------------------------------------------------
# CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0. Without it: a filesystem broker under var/ that needs no
# server but still crosses a process boundary to a real worker (never task_always_eager). Its URL names a host
# (which the transport ignores) so that kombu does not warn "No hostname was supplied" at every connection.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=30 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=35 * 60)


def filesystem_broker_options(folder: Path) -> dict[str, str | bool]:
    """Transport options for kombu's filesystem broker in `folder` (created here: the transport expects it)."""
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),  # the same folder: producers write where workers read
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR / "broker")
else:
    # A message not acknowledged within this window is redelivered: keep it above the hard time limit.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 10 * 60}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # the job row in the database is the source of truth, not a result backend
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_DEFAULT_QUEUE = "default"
# Jobs whose worker died mid-run are failed, and jobs queued this long without a worker claiming them (the broker
# lost the message: Redis restarted without persistence, or was down when the job was queued) are sent again, by a
# sweeper (run `celery -A config worker --beat`, or a beat process). Files no row references (a worker killed
# between writing and recording one) are deleted once a day.
JOB_REQUEUE_SECONDS = env.int("JOB_REQUEUE_SECONDS", default=60)
# Every running job beats from a side thread this often (core/jobs.py), however long one step of its work takes;
# silence for JOB_HEARTBEAT_STALE_SECONDS means its worker died.
JOB_HEARTBEAT_SECONDS = env.int("JOB_HEARTBEAT_SECONDS", default=10)
JOB_HEARTBEAT_STALE_SECONDS = env.int("JOB_HEARTBEAT_STALE_SECONDS", default=30)
# A job's temporary files (the Parquet an ingest writes before storing it) live here, on the worker's own host, named
# after their job: a worker killed mid-run leaves its file behind, which is deleted when a worker on that host starts
# and by the daily sweep (core.jobs.jobs_temp_sweep) once its job is no longer running or it is a day old.
JOB_TEMP_DIR = Path(env.str("JOB_TEMP_DIR", default=str(Path(tempfile.gettempdir()) / "bizcanvas-jobs")))
CELERY_BEAT_SCHEDULE = {
    "jobs-sweep": {"task": "core.jobs_sweep", "schedule": 30.0},
    "storage-sweep-orphans": {"task": "datasets.storage_sweep_orphans", "schedule": 24 * 3600.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
