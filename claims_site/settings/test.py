"""Tests run on the real database (PostgreSQL), never on a SQLite fallback."""

from claims_site.caches import STRICT_CACHE, redis_caches
from claims_site.databases import postgresql_options
from claims_site.env import VAR_DIR, env
from claims_site.settings.base import *  # noqa: F403

DATABASES = {
    "default": postgresql_options(
        env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/claimdesk")
    ),
}
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_claimdesk")}
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Worker processes started by tests may choose a backend they can be observed through.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
# One local-memory store behind both aliases (same LOCATION), as the file cache of `make run`.
_locmem = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
CACHES = {"default": _locmem, STRICT_CACHE: _locmem}
# A web process a test starts may use the production cache on the test's own Redis server.
if env("TEST_REDIS_CACHE_URL", default=""):
    CACHES = redis_caches(env("TEST_REDIS_CACHE_URL"))
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "test-media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests that need a real broker start their own worker and pass the URL explicitly; everything
# else publishes into an in-memory broker that nobody consumes (the outbox keeps the truth).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
if CELERY_BROKER_URL == "memory://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
AXES_ENABLED = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Payouts: the sandbox provider without latency or faults unless a test asks for them.
PAYOUT_ADAPTER = env("PAYOUT_ADAPTER", default="payouts.adapters.sandbox.SandboxAdapter")
PAYOUT_BANK_DIR = env("PAYOUT_BANK_DIR", default=str(VAR_DIR / "test-bank"))
PAYOUT_SANDBOX = {
    "latency_ms": tuple(env.list("SANDBOX_LATENCY_MS", cast=int, default=[0, 0])),
    "timeout_rate": env.float("SANDBOX_TIMEOUT_RATE", default=0.0),
    "lost_response_rate": env.float("SANDBOX_LOST_RESPONSE_RATE", default=0.0),
}
# Worker tests may run each worker as one process (solo pool): less CPU on a shared machine.
CELERY_WORKER_POOL = env("CELERY_WORKER_POOL", default="prefork")
