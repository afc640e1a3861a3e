import logging

from claims_site.ratelimit import rate_limit_hit


def test_rate_limit_counts_per_key_and_scope():
    hits = [rate_limit_hit(scope="t", key="1.2.3.4", limit=3, window_seconds=60) for _ in range(5)]
    assert hits == [False, False, False, True, True]
    assert rate_limit_hit(scope="t", key="5.6.7.8", limit=3, window_seconds=60) is False
    assert rate_limit_hit(scope="other", key="1.2.3.4", limit=3, window_seconds=60) is False


def test_rate_limit_fails_open_with_a_log_line_when_redis_is_down(redis_cache, caplog):
    # given: the production cache on a Redis server that has stopped
    redis_cache.stop()
    # when: counting an attempt
    with caplog.at_level(logging.WARNING, logger="claims_site.ratelimit"):
        hit = rate_limit_hit(scope="t", key="1.2.3.4", limit=0, window_seconds=60)
    # then: the person is let through and the failure is logged
    assert hit is False
    assert "rate limit cache unavailable for t" in caplog.text


def test_rate_limit_counts_on_redis(redis_cache):
    hits = [rate_limit_hit(scope="t", key="1.2.3.4", limit=2, window_seconds=60) for _ in range(3)]
    assert hits == [False, False, True]
