"""Syncline settings, read from the environment (django-environ).

On a bare machine (``DEBUG=true``) everything has an embedded default under ``var/``: a SQLite
database, Celery's filesystem transport, and a secret key and field-encryption key generated once.
With ``DEBUG`` off, production secrets have no default: start-up stops and names the variable.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.embedded import celery_filesystem_transport_options, embedded_secret
from config.vendors import sandbox_warehouse_url, vendor_settings

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
VAR_DIR = Path(env.str("SYNCLINE_VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _required_secret(name: str, *, embedded_file: str, generate: str) -> str:
    """A secret from the environment; on a development machine, one generated under var/."""
    value = env.str(name, default="")
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(
            f"{name} is not set. Syncline runs with DEBUG off, so it needs {name} in the "
            f"environment (see README.md, 'Configuration'). For a local trial, set DEBUG=true "
            f"and a key is generated under var/."
        )
    return embedded_secret(VAR_DIR / embedded_file, kind=generate)


SECRET_KEY = _required_secret("SECRET_KEY", embedded_file="secret_key", generate="django")

# Newest first: new data is encrypted with the first key, any listed key decrypts (rotation).
FIELD_ENCRYPTION_KEYS: list[str] = env.list("FIELD_ENCRYPTION_KEYS", default=[]) or [
    _required_secret(
        "FIELD_ENCRYPTION_KEYS", embedded_file="field_encryption_key", generate="fernet"
    )
]

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off, list the host names Syncline is served under, "
        "e.g. ALLOWED_HOSTS=syncline.example.com"
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "social_django",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    # Login throttling: repeated failed logins lock that e-mail out from that address a while.
    "axes",
    "organizations",
    "connections",
    "models_app",
    "syncs",
    "console",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads an /api body: too large is a 413 in the API's error shape.
    "api.limits.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "organizations.audit.AuditActorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

# Content-Security-Policy (django-csp): scripts, styles, images and requests from Syncline
# itself only; no inline script or style anywhere (templates load static/ files), no framing.
# No form-action: the Connect buttons post to Syncline, which redirects to the vendor's consent
# page, and browsers apply form-action to that redirect too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    }
}

# django-axes checks each login attempt first; Django's own backend does the checking.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# The pair, not the address alone: someone guessing elsewhere can't lock a person out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
# The Polytomic-compatible API has no trailing slashes; a redirect on POST breaks its clients.
APPEND_SLASH = False

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
                "organizations.context_processors.current_organization",
                "organizations.context_processors.sandbox_mode",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'syncline.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, workers and beat share the file (https://www.sqlite.org/wal.html,
    # https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-transaction-behavior):
    # - WAL: readers and the writer don't block each other, so a worker streaming rows never
    #   holds up the web's commit (in the default rollback journal, a commit waits for every
    #   open read, then fails with "database is locked"). synchronous stays FULL: a commit
    #   must survive a power cut, as sync state says what the vendor already has.
    # - IMMEDIATE: a transaction takes the one write lock when it starts (SQLite ignores
    #   SELECT … FOR UPDATE), so a read-then-write never fails half-way on a lock another
    #   process took meanwhile; transactions stay short (no network call inside one).
    # - timeout / busy_timeout: wait up to 20 s for that lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# With DEBUG off, served over HTTPS only (behind a TLS proxy: SECURE_PROXY_SSL_HEADER); the
# demo on plain http://127.0.0.1 turns these off (Makefile).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"

# Celery: the filesystem transport needs no server; Redis (or RabbitMQ) in production.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default=f"file://{VAR_DIR / 'celery' / 'results'}"
    if CELERY_BROKER_URL.startswith("filesystem")
    else CELERY_BROKER_URL,
)
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = celery_filesystem_transport_options(VAR_DIR)
# The rate-limit logs shared by every worker: Redis when available, else the app database.
RATE_LIMIT_REDIS_URL = env.str(
    "RATE_LIMIT_REDIS_URL",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "",
)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if CELERY_BROKER_URL.startswith(("redis", "sqs")):
    # With acks_late a task not acknowledged within the visibility timeout is handed to another
    # worker; a sync can run for hours behind a rate limit. (A redelivered copy finds its
    # execution claimed and does nothing; this keeps it from being delivered at all.)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 12 * 3600}
CELERY_BEAT_SCHEDULE = {
    "start-due-syncs": {"task": "syncline.schedule_tick", "schedule": 30.0},
    "reap-stale-executions": {"task": "syncline.reap_executions", "schedule": 60.0},
    # Webhook deliveries whose task was lost (broker down, worker killed) are enqueued again.
    "sweep-webhook-deliveries": {"task": "syncline.sweep_webhook_deliveries", "schedule": 60.0},
    # Events older than SYNCLINE_EVENT_RETENTION_HOURS are deleted.
    "prune-events": {"task": "syncline.prune_events", "schedule": 3600.0},
    # auth_url links a week past their expiry are deleted (connections/oauth/links.py).
    "prune-oauth-links": {"task": "syncline.prune_oauth_links", "schedule": 3600.0},
}
# Which queue tasks go to when nothing says otherwise (one Syncline per queue on a shared broker).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")

# Events (GET /api/events, webhooks). Polytomic keeps them 48 hours; so do we, at least.
SYNCLINE_EVENT_RETENTION_HOURS = env.int("SYNCLINE_EVENT_RETENTION_HOURS", default=48)
if SYNCLINE_EVENT_RETENTION_HOURS < 48:
    raise ImproperlyConfigured(
        f"SYNCLINE_EVENT_RETENTION_HOURS is {SYNCLINE_EVENT_RETENTION_HOURS}: events are kept "
        "48 hours at least (clients poll GET /api/events for what a webhook missed)."
    )
# A webhook delivery without a 2xx is retried 5 times, after base x 1, 2, 4, 8, 16 seconds.
SYNCLINE_WEBHOOK_RETRY_BASE_SECONDS = env.float("SYNCLINE_WEBHOOK_RETRY_BASE_SECONDS", default=10.0)
SYNCLINE_WEBHOOK_TIMEOUT_SECONDS = env.float("SYNCLINE_WEBHOOK_TIMEOUT_SECONDS", default=10.0)

# The sync engine: a running execution beats every HEARTBEAT seconds; one silent for
# STALE seconds lost its worker and is resumed. Continuous syncs wait at least this long.
SYNCLINE_HEARTBEAT_SECONDS = env.float("SYNCLINE_HEARTBEAT_SECONDS", default=15.0)
SYNCLINE_HEARTBEAT_STALE_SECONDS = env.float("SYNCLINE_HEARTBEAT_STALE_SECONDS", default=120.0)
# How long a destination call may take before Syncline gives up on its answer.
SYNCLINE_DESTINATION_TIMEOUT_SECONDS = env.float(
    "SYNCLINE_DESTINATION_TIMEOUT_SECONDS", default=30.0
)
SYNCLINE_CONTINUOUS_MIN_INTERVAL = env.float("SYNCLINE_CONTINUOUS_MIN_INTERVAL", default=60.0)
# Fair sharing: at most this many runs write into one destination connection at a time; a run
# that finds it full waits (its task comes back after BUSY_RETRY seconds, or as soon as a run
# into that connection ends), leaving the worker to syncs into other tools.
SYNCLINE_RUNS_PER_DESTINATION = env.int("SYNCLINE_RUNS_PER_DESTINATION", default=1)
SYNCLINE_DESTINATION_BUSY_RETRY_SECONDS = env.float(
    "SYNCLINE_DESTINATION_BUSY_RETRY_SECONDS", default=10.0
)

# Warehouses on loopback or private addresses (127.0.0.0/8, 10/8, 192.168/16, ...): refused
# unless the administrator says the warehouse lives in the same private network (the demo
# warehouse does). Link-local and metadata addresses are refused always (connections/hosts.py).
SYNCLINE_ALLOW_PRIVATE_HOSTS = env.bool("SYNCLINE_ALLOW_PRIVATE_HOSTS", default=False)

# Destination vendors: real URLs by default; the sandbox's with SYNCLINE_SANDBOX_URL.
SYNCLINE_SANDBOX_URL = env.str("SYNCLINE_SANDBOX_URL", default="")
VENDORS = vendor_settings(SYNCLINE_SANDBOX_URL)
# Sandbox mode only: Snowflake connections without a host reach the demo warehouse here
# (SYNCLINE_SANDBOX_WAREHOUSE_URL, default http://127.0.0.1:8901), as the walkthroughs'
# connection settings name none. Outside sandbox mode this is always "".
SYNCLINE_SANDBOX_WAREHOUSE_URL = sandbox_warehouse_url(SYNCLINE_SANDBOX_URL)

# OAuth for destination connections (DESIGN.md §7). The backends are deliberately not in
# AUTHENTICATION_BACKENDS and the pipeline only stores tokens on a Connection: nobody signs in
# to Syncline with a Salesloft, Gong, LinkedIn or Salesforce account. Which backends exist is
# the tools' provider descriptions' to say (ConnectionStrategy.get_backends), not a setting.
SOCIAL_AUTH_STRATEGY = "connections.oauth.strategy.ConnectionStrategy"
SOCIAL_AUTH_PIPELINE = ("connections.oauth.pipeline.connection_store_tokens",)
SOCIAL_AUTH_URL_NAMESPACE = "social"
# social-django 8 stores extra_data in a JSONField on every database; its legacy
# SOCIAL_AUTH_JSONFIELD_ENABLED only shapes old migrations, so it is left at its default. (Our
# pipeline never writes extra_data anyway: no UserSocialAuth row is ever made.)
# Behind a TLS-terminating proxy the callback URL sent to the vendor must say https.
SOCIAL_AUTH_REDIRECT_IS_HTTPS = env.bool("SOCIAL_AUTH_REDIRECT_IS_HTTPS", default=not DEBUG)
SOCIAL_AUTH_LOGIN_REDIRECT_URL = "connections:list"
SOCIAL_AUTH_LOGIN_ERROR_URL = "connections:new"
SOCIAL_AUTH_SANITIZE_REDIRECTS = True
SOCIAL_AUTH_REQUESTS_TIMEOUT = env.float("SOCIAL_AUTH_REQUESTS_TIMEOUT", default=15.0)

# Where browsers reach Syncline: the REST API's `auth_url` sign-in links are made with it.
# Unset: http://127.0.0.1:8000 on a development machine, else https:// + the first ALLOWED_HOSTS.
SYNCLINE_PUBLIC_URL = env.str("SYNCLINE_PUBLIC_URL", default="") or (
    "http://127.0.0.1:8000"
    if DEBUG
    else next((f"https://{h}" for h in ALLOWED_HOSTS if h and h[0] not in "*."), "")
)
# How long an `auth_url` sign-in link may wait to be opened (it works once).
SYNCLINE_AUTH_LINK_SECONDS = env.int("SYNCLINE_AUTH_LINK_SECONDS", default=24 * 3600)
# How many days an invitation link to join an organization works (once) before it expires.
SYNCLINE_INVITATION_DAYS = env.int("SYNCLINE_INVITATION_DAYS", default=7)
if SYNCLINE_INVITATION_DAYS < 1:
    raise ImproperlyConfigured(
        f"SYNCLINE_INVITATION_DAYS is {SYNCLINE_INVITATION_DAYS}: give a whole number of days, "
        "1 or more (default 7)."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # sqlglot warns when it falls back to a generic Command; the model check reports it.
        "sqlglot": {"level": "ERROR"},
    },
}

# The REST API (api/): Polytomic-compatible, keys only (no session, no CSRF), errors in the
# contract's shape (api/errors.py), JSON bodies read by api/parsers.py.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.LenientJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Syncline API",
    "DESCRIPTION": "Polytomic-compatible REST API (docs/api.md).",
    "VERSION": "2025-09-18",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api",
    # Every response field is optional in the contract (reference/polytomic-api.md §1.5).
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.error_responses_everywhere",
    ],
}
# Idempotency-Key: how long an outcome is replayed, and how long a first request may still be
# running before a retry with its key is no longer answered 409 (it died).
SYNCLINE_IDEMPOTENCY_HOURS = env.int("SYNCLINE_IDEMPOTENCY_HOURS", default=24)
SYNCLINE_IDEMPOTENCY_IN_FLIGHT_SECONDS = env.int(
    "SYNCLINE_IDEMPOTENCY_IN_FLIGHT_SECONDS", default=300
)

# The API's limits (api/limits.py): bodies over SYNCLINE_API_MAX_BODY_BYTES get a 413; each API
# key may make SYNCLINE_API_RATE_LIMIT requests ("LIMIT/SECONDS", empty: no limit) in any
# stretch of that many seconds, else 429 with Retry-After (counted in Redis when
# RATE_LIMIT_REDIS_URL is set, else in the app database).
SYNCLINE_API_MAX_BODY_BYTES = env.int("SYNCLINE_API_MAX_BODY_BYTES", default=1024 * 1024)
SYNCLINE_API_RATE_LIMIT = env.str("SYNCLINE_API_RATE_LIMIT", default="600/60").strip()
_rate = re.fullmatch(r"[1-9]\d*/(\d+(\.\d+)?)", SYNCLINE_API_RATE_LIMIT)
if SYNCLINE_API_RATE_LIMIT and not (_rate and float(_rate.group(1)) > 0):
    raise ImproperlyConfigured(
        f"SYNCLINE_API_RATE_LIMIT is {SYNCLINE_API_RATE_LIMIT!r}: write it as LIMIT/SECONDS, "
        "e.g. 600/60 (600 requests a minute per API key), or leave it empty for no limit."
    )
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["api.limits.ApiKeyRateThrottle"]
# E-mail (sync notifications): Django's backend; the console backend prints them (the demo).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Syncline <syncline@localhost>")
# Where the console is served, for the links in notification e-mails.
SYNCLINE_BASE_URL = env.str("SYNCLINE_BASE_URL", default="http://localhost:8000")
