"""Settings for development, the demo and the tests (SQLite under var/, or PostgreSQL).

The database is SQLite at ``var/dti.sqlite3`` unless ``DTI_DATABASE_URL``
(``postgres://user@host:port/name``) or ``DTI_DB=postgres`` is set. Production settings live in
:mod:`dti.web.settings_production` and only override what differs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.utils.translation import gettext_lazy as _

WEB_DIR = Path(__file__).resolve().parent
REPO_DIR = WEB_DIR.parents[2]
VAR_DIR = Path(os.environ.get("DTI_VAR_DIR", REPO_DIR / "var"))

# Development only; production reads DTI_SECRET_KEY from the environment.
SECRET_KEY = os.environ.get("DTI_SECRET_KEY", "dev-insecure-0b1f6c1e8a4d4f0c9e3a7b2d5c8e1f4a")
# Off unless asked for: the demo runs as production does (no URL list on a 404, no traceback
# on a 500); DTI_DEBUG=1 is for a developer's own machine.
DEBUG = os.environ.get("DTI_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    # Two-factor sign-in (TOTP, recovery tokens) when DTI_TWO_FACTOR=1 (dti.web.accounts).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "dti.web.accounts",
    "dti.web.registry",
    "dti.web.frameworks",
    "dti.web.assessments",
    "dti.web.audit",
    "dti.web.results",
    "dti.web.snapshots",
    "dti.web.api",
    # django-ninja serves its API docs (Swagger UI) from these static files, never a CDN.
    "ninja",
    "dti.web.ops",
    # The task queue (huey): the values import, recomputes, the storage sweep, reminders.
    "huey.contrib.djhuey",
    "dti.web.notifications",
    "dti.web.connectors",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files with DEBUG off: WhiteNoise serves them (cache headers, compression).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy (no inline script or style) and Permissions-Policy.
    "dti.web.ops.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dti.web.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every view needs a login unless decorated @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The second factor and the forced password change, before any page (dti.web.accounts).
    "dti.web.accounts.middleware.SignInStepsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dti.web.urls"
WSGI_APPLICATION = "dti.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dti.web.accounts.context.membership",
                "dti.web.notifications.context.unread_count",
            ],
        },
    }
]


def database_from_env(env: dict[str, str] | os._Environ[str] = os.environ) -> dict[str, Any]:
    """The default database: PostgreSQL from DTI_DATABASE_URL / DTI_DB, else SQLite."""
    url = env.get("DTI_DATABASE_URL", "")
    if not url and env.get("DTI_DB", "").lower() in ("postgres", "postgresql"):
        url = "postgres://postgres@127.0.0.1:5432/dti"
    if url:
        parts = urlparse(url)
        if parts.scheme not in ("postgres", "postgresql"):
            raise ValueError(f"DTI_DATABASE_URL: unsupported scheme {parts.scheme!r}")
        name = parts.path.lstrip("/") or "dti"
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or "postgres"),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "127.0.0.1",
            "PORT": str(parts.port or 5432),
            "CONN_MAX_AGE": 60,
            # A pooled connection is pinged before reuse, so the app recovers by itself
            # when PostgreSQL comes back after an outage.
            "CONN_HEALTH_CHECKS": True,
            # Parameters bound by the server, and statements prepared on their second use in a
            # connection: PostgreSQL then plans a query once per worker instead of on every
            # request (planning the joins of an assessment took longer than running them;
            # benchmarks/README.md). DTI_DB_PREPARED=0 turns it off behind a pooler in
            # transaction mode (PgBouncer without max_prepared_statements).
            "OPTIONS": (
                {"server_side_binding": True, "prepare_threshold": 2}
                if env.get("DTI_DB_PREPARED", "1") != "0"
                else {}
            ),
            "TEST": {"NAME": f"test_{name}"},
        }
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "dti.sqlite3",
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: lock a username + IP pair after 5 failures for one hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
# Failed sign-ins per client address, whatever the username (dti.web.accounts.throttle).
DTI_LOGIN_ADDRESS_RATE = os.environ.get("DTI_LOGIN_ADDRESS_RATE", "30/15m")
# Behind reverse proxies (HAProxy, nginx) set how many stand in front: only then is the
# client's address read from X-Forwarded-For (see accounts.throttle.client_ip); otherwise the
# header is ignored, since any client could forge it.
DTI_TRUSTED_PROXY_COUNT = int(os.environ.get("DTI_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "dti.web.accounts.throttle.client_ip"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [WEB_DIR / "locale"]
FORMAT_MODULE_PATH = ["dti.web.formats"]
USE_I18N = True
USE_THOUSAND_SEPARATOR = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [WEB_DIR / "static"]
# Without collectstatic (the demo, the tests), WhiteNoise finds the files where they live;
# production collects them once into STATIC_ROOT (settings_production) and serves the hashed,
# compressed copies.
STATIC_ROOT: Path | None = None
WHITENOISE_USE_FINDERS = True

# Evidence files and values tables: private storage, never served directly (only the
# permission-checked views stream them; see assessments.views.evidence_download). On the local
# file system under MEDIA_ROOT (the embedded default), or in an S3-compatible bucket.
MEDIA_ROOT = VAR_DIR / "media"


def storages_from_env(env: dict[str, str] | os._Environ[str] = os.environ) -> dict[str, Any]:
    """Django's STORAGES: the ``default`` alias holds every uploaded file.

    DTI_STORAGE=filesystem (default) keeps them under MEDIA_ROOT. DTI_STORAGE=s3 puts them in
    the bucket DTI_S3_BUCKET of the S3 API at DTI_S3_ENDPOINT_URL (empty: AWS itself) with the
    keys DTI_S3_ACCESS_KEY / DTI_S3_SECRET_KEY (empty: boto3's own chain, an instance role),
    under the prefix DTI_S3_PREFIX, in DTI_S3_REGION.
    """
    kind = env.get("DTI_STORAGE", "filesystem").lower()
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    if kind == "filesystem":
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": static,
        }
    if kind != "s3":
        raise ValueError(f"DTI_STORAGE: expected filesystem or s3, not {kind!r}")
    bucket = env.get("DTI_S3_BUCKET", "")
    if not bucket:
        raise ValueError("DTI_STORAGE=s3 needs DTI_S3_BUCKET (the bucket's name)")
    options = {
        "bucket_name": bucket,
        "endpoint_url": env.get("DTI_S3_ENDPOINT_URL") or None,
        "access_key": env.get("DTI_S3_ACCESS_KEY") or None,
        "secret_key": env.get("DTI_S3_SECRET_KEY") or None,
        "region_name": env.get("DTI_S3_REGION", "us-east-1"),
        "location": env.get("DTI_S3_PREFIX", ""),
        # Private objects: no ACL header (the bucket's own policy, private by default; some
        # S3-compatible servers refuse ACLs) and no public URL: the views stream every download
        # after the permission check, so the bucket need not be reachable from browsers.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 60,
        # Path-style addressing (endpoint/bucket/key) works with every S3-compatible server;
        # virtual hosts need a DNS name per bucket.
        "addressing_style": env.get("DTI_S3_ADDRESSING", "path"),
        "signature_version": "s3v4",
        # A download is spooled to a temporary file beyond this, never held whole in memory.
        "max_memory_size": 2 * 1024 * 1024,
        "file_overwrite": False,
    }
    return {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        "staticfiles": static,
    }


STORAGES = storages_from_env()
# No URL pattern serves this prefix (only test live servers would); it exists because Django's
# handlers expect a string.
MEDIA_URL = "/_not-served/"
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DTI_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
DTI_WORKBOOK_MAX_BYTES = 10 * 1024 * 1024
# Rows per page of the long lists (period page, results, units, assignments: dti.web.paging).
DTI_PAGE_SIZE = 100
# dti_storage_sweep keeps unreferenced upload files younger than this (dti.web.ops.storage).
# Connectors: seconds a source has to answer each request; a running pull whose heartbeat is
# older than DTI_PULL_STALE_SECONDS was interrupted (its consumer died) and is run again.
DTI_PULL_TIMEOUT = float(os.environ.get("DTI_PULL_TIMEOUT", "20"))
DTI_PULL_STALE_SECONDS = int(os.environ.get("DTI_PULL_STALE_SECONDS", "900"))
# The demo's local source (manage.py dti_demo_source; scripts/serve starts it), which the demo
# province's connectors read.
DTI_DEMO_SOURCE_URL = os.environ.get("DTI_DEMO_SOURCE_URL", "http://127.0.0.1:8765")
DTI_STORAGE_GRACE_MINUTES = int(os.environ.get("DTI_STORAGE_GRACE_MINUTES", str(24 * 60)))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the fetch() helper reads it to send X-CSRFToken
# A refused form says so in the user's language (Django's page is "403 Forbidden" in English).
CSRF_FAILURE_VIEW = "dti.web.csrf.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy: see dti.web.ops.security (DTI_CSP overrides the whole policy).

# Nothing lives in one process's memory: sessions are rows in the database and the cache is
# Redis when DTI_REDIS_URL is set (always in production), so any number of application processes
# serve the same users. The per-process memory cache is for development and tests only.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 8 * 3600  # one working day
_REDIS_URL = os.environ.get("DTI_REDIS_URL", "")
CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {
            "BACKEND": "dti.web.ops.cache.SharedClientRedisCache",
            "LOCATION": _REDIS_URL,
            "KEY_PREFIX": os.environ.get("DTI_CACHE_PREFIX", "dti"),
        }
        if _REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Virus scanning of uploads: the dotted path of a callable (path, name) -> None | reason, off by
# default (see dti.web.ops.scan; dti.web.ops.scan.eicar_hook is the test double).
DTI_UPLOAD_SCAN_HOOK = os.environ.get("DTI_UPLOAD_SCAN_HOOK") or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"axes": {"handlers": ["console"], "level": "WARNING"}},
}

# E-mail (password resets; later reminders) through Django's mail API: printed to the console
# unless an SMTP server is configured (production, and the tests' own aiosmtpd server).
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("DTI_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DTI_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("DTI_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DTI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DTI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("DTI_EMAIL_TLS", "0") == "1"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DTI_EMAIL_FROM", "dti@localhost")
# A password-reset link stays valid for a day.
PASSWORD_RESET_TIMEOUT = 86_400
# Two-factor sign-in (TOTP) for administrators and verifiers; off by default (the demo).
DTI_TWO_FACTOR = os.environ.get("DTI_TWO_FACTOR", "0") == "1"
OTP_TOTP_ISSUER = "DTI"

# The task queue (huey, dti.web.tasks): long jobs run in a consumer process beside the web
# processes (`manage.py run_huey`; scripts/serve starts one). DTI_TASKS chooses its storage:
#   sqlite    (default) a file under var/: the embedded demo, one machine, no broker;
#   redis     DTI_TASKS_REDIS_URL (else DTI_REDIS_URL, else 127.0.0.1:6379): production, any
#             number of web servers and consumers;
#   immediate tasks run in the caller, in memory (the tests that check a job's effect).
DTI_TASKS = os.environ.get("DTI_TASKS", "sqlite").lower()
_TASKS_NAME = os.environ.get("DTI_TASKS_NAME", "dti")
_CONSUMER = {"workers": 2, "worker_type": "thread", "periodic": True, "check_worker_health": True}
HUEY: dict[str, Any]
if DTI_TASKS == "redis":
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": _TASKS_NAME,
        "url": os.environ.get("DTI_TASKS_REDIS_URL") or _REDIS_URL or "redis://127.0.0.1:6379/0",
        "immediate": False,
        "consumer": _CONSUMER,
    }
elif DTI_TASKS == "sqlite":
    # huey opens its SQLite file as soon as Django loads the tasks: the folder must exist.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": _TASKS_NAME,
        "filename": str(VAR_DIR / "tasks.sqlite3"),
        "immediate": False,
        "consumer": _CONSUMER,
    }
elif DTI_TASKS == "immediate":
    HUEY = {"huey_class": "huey.MemoryHuey", "name": _TASKS_NAME, "immediate": True}
else:
    raise ValueError(f"DTI_TASKS: expected sqlite, redis or immediate, not {DTI_TASKS!r}")
# The address links in e-mails point to (the notifications' e-mail).
DTI_SITE_URL = os.environ.get("DTI_SITE_URL", "http://127.0.0.1:8000")
