"""What ``/readyz`` reports: whether this process reaches the database, the cache and the
broker. Each check is one short round trip and logs why it failed; none raises."""

import logging

from django.core.cache import caches
from django.db import DatabaseError, connection
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from claims_site.caches import STRICT_CACHE

logger = logging.getLogger(__name__)


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("readiness: database unreachable: %s", exc)
        return False
    return True


def cache_reachable() -> bool:
    try:
        caches[STRICT_CACHE].get("readyz")
    except (OSError, RedisError) as exc:
        logger.warning("readiness: cache unreachable: %s", exc)
        return False
    return True


def broker_reachable() -> bool:
    from claims_site.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except (OperationalError, OSError) as exc:
        logger.warning("readiness: broker unreachable: %s", exc)
        return False
    return True
