import pytest
from django.core.cache import caches

from claims_site.caches import redis_caches
from tests.support.workers import RedisServer


@pytest.fixture
def redis_cache(settings):
    """The cache configuration production builds from REDIS_URL, on a server of the test's."""
    server = RedisServer()
    server.start()
    settings.CACHES = redis_caches(server.url)
    yield server
    server.close()
    for cache in caches.all(initialized_only=True):
        cache.close()
