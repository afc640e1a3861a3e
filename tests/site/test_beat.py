"""`celery beat` in production mode starts on a fresh checkout and keeps sending the sweepers."""

import os
import subprocess
import sys
import time

import pytest

from tests.support.embedded import PRODUCTION_TEST_KEY, fresh_checkout
from tests.support.workers import RedisServer, wait_for

pytestmark = pytest.mark.worker


def _production_env(redis_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "DJANGO_", "ALLOWED_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "claims_site.settings.production",
            "DJANGO_SECRET_KEY": "k3y-" + "a1b2c3d4e5f6g7h8" * 4,
            "FIELD_ENCRYPTION_KEYS": PRODUCTION_TEST_KEY,
            "ALLOWED_HOSTS": "claims.example.com",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/claimdesk",
            "REDIS_URL": redis_url,
        }
    )
    return env


def test_beat_starts_on_a_fresh_checkout_in_production_mode(tmp_path):
    # given: a fresh checkout (no var/) and the production settings on a Redis of the test's
    checkout = fresh_checkout(tmp_path / "checkout")
    assert not (checkout / "var").exists()
    redis = RedisServer()
    redis.start()
    log = tmp_path / "beat.log"
    # when: beat starts
    with log.open("wb") as out:
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "claims_site", "beat", "--loglevel", "INFO"],
            cwd=checkout,
            env=_production_env(redis.url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # then: it is still running when the first sweepers are due, and has sent them
        wait_for(
            lambda: beat.poll() is not None or redis.client().llen("celery") > 0,
            timeout=90,
            interval=0.5,
            what="beat to send the first sweeper",
        )
        time.sleep(1)
        assert beat.poll() is None, log.read_text()[-3000:]
        assert redis.client().llen("celery") > 0
    finally:
        beat.terminate()
        beat.wait(timeout=20)
        redis.close()
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
