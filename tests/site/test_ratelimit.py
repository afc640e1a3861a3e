from claims_site.ratelimit import rate_limit_hit


def test_rate_limit_counts_per_key_and_scope():
    hits = [rate_limit_hit(scope="t", key="1.2.3.4", limit=3, window_seconds=60) for _ in range(5)]
    assert hits == [False, False, False, True, True]
    assert rate_limit_hit(scope="t", key="5.6.7.8", limit=3, window_seconds=60) is False
    assert rate_limit_hit(scope="other", key="1.2.3.4", limit=3, window_seconds=60) is False
