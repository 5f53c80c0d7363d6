"""Production settings: secrets, hosts and the database come from the environment.

DTI_SECRET_KEY       required, 50+ random characters
DTI_ALLOWED_HOSTS    comma-separated host names
DTI_DATABASE_URL     postgres://user:password@host:5432/dti
DTI_REDIS_URL        redis://127.0.0.1:6379/0 (the cache every process shares; the default)
DTI_STORAGE          filesystem (default) or s3, with DTI_S3_* (see settings.storages_from_env)
"""

from __future__ import annotations

import os
from pathlib import Path

from dti.web.settings import *  # noqa: F403
from dti.web.settings import database_from_env, storages_from_env

SECRET_KEY = os.environ["DTI_SECRET_KEY"]
DEBUG = False
WHITENOISE_USE_FINDERS = False
STATIC_ROOT = Path(os.environ.get("DTI_STATIC_ROOT", VAR_DIR / "static"))  # noqa: F405
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DTI_ALLOWED_HOSTS", "").split(",") if h.strip()]
DATABASES = {"default": database_from_env()}

SECURE_SSL_REDIRECT = os.environ.get("DTI_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    # Uploaded files on the local disk or in an S3-compatible bucket (DTI_STORAGE, settings).
    "default": storages_from_env()["default"],
    # collectstatic writes hashed, compressed copies; WhiteNoise serves them with long caching.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The cache shared by every application process (see settings.CACHES).
CACHES = {
    "default": {
        "BACKEND": "dti.web.ops.cache.SharedClientRedisCache",
        "LOCATION": os.environ.get("DTI_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "KEY_PREFIX": os.environ.get("DTI_CACHE_PREFIX", "dti"),
    }
}
