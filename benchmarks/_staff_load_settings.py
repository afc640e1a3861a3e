"""Settings for the gunicorn server of the `staff_load` benchmark: the test settings with what a
production web process keeps between requests (persistent database connections, the Redis
cache behind the sessions) and whitenoise serving the collected static files."""

from claims_site.caches import redis_caches
from claims_site.env import env
from claims_site.settings.test import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
CACHES = redis_caches(env("BENCH_REDIS_URL", default="redis://127.0.0.1:6379/13"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
