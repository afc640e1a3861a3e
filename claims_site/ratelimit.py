"""A small fixed-window counter in the cache, for public forms.

django-ratelimit refuses local caches; this works with the file cache of `make run`, the
locmem cache of the tests and Redis in production. A cache that is down never blocks a person:
the request is allowed and the failure logged. Each cache raises its own errors when it is
down: ``OSError`` for the file cache, ``redis.exceptions.RedisError`` (which is not Python's
``ConnectionError``) for Redis; the counter uses the cache alias that raises them
(``claims_site.caches``).
"""

import hashlib
import logging
import time

from django.core.cache import caches
from redis.exceptions import RedisError

from claims_site.caches import STRICT_CACHE
from claims_site.metrics import RATELIMIT_FAIL_OPEN

logger = logging.getLogger(__name__)


def rate_limit_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; True when ``key`` has gone over ``limit`` in the current window."""
    bucket = int(time.time()) // window_seconds
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"rl:{scope}:{bucket}:{digest}"
    cache = caches[STRICT_CACHE]
    try:
        added = cache.add(cache_key, 1, timeout=window_seconds + 5)
        count = 1 if added else cache.incr(cache_key)
    except (ValueError, OSError, RedisError) as exc:
        # ValueError: the key expired between add and incr. The others: the cache is down.
        logger.warning("rate limit cache unavailable for %s: %s", scope, exc)
        RATELIMIT_FAIL_OPEN.labels(scope=scope).inc()
        return False
    return count > limit


def client_ip(request) -> str:
    """The client's address. Behind a proxy, set the proxy to overwrite REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR", "")
