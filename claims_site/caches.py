"""The cache configuration for a Redis URL, shared by the settings and the tests that run on a
real Redis server.

Redis only makes things cheaper here; nothing a request needs lives only in it. So the default
cache (which also serves the ``cached_db`` sessions) ignores Redis errors: a read is a miss, a
write is skipped, and the error is logged (django-redis's ``IGNORE_EXCEPTIONS``). The same
cache under the ``strict`` alias raises, for callers that must tell a miss from an outage: the
rate limiter, which then fails open with a log line (``claims_site.ratelimit``), and ``/readyz``.
Short socket timeouts keep a request from waiting on a Redis that does not answer.
"""

STRICT_CACHE = "strict"

# Seconds. Redis answers in well under a millisecond when it is up.
_TIMEOUTS = {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}


def redis_caches(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {**_TIMEOUTS, "IGNORE_EXCEPTIONS": True},
        },
        STRICT_CACHE: {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {**_TIMEOUTS, "IGNORE_EXCEPTIONS": False},
        },
    }
