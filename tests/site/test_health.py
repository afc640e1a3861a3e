"""/healthz says the process answers; /readyz says which of database, cache and broker it
reaches, and refuses traffic (503) only when the database, the one part pages need, is gone."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.support.workers import celery_broker, free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_touches_nothing_but_the_process(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert client.post(reverse("healthz")).status_code == 405


@pytest.mark.django_db
def test_readyz_reports_every_part_and_stays_up_with_redis_down(client, redis_cache):
    with celery_broker(redis_cache.url):
        # given: database and Redis (broker and cache) up
        up = client.get(reverse("readyz"))
        # when: Redis stops
        redis_cache.stop()
        down = client.get(reverse("readyz"))
    # then: ready, then degraded (pages still work without Redis), saying which parts failed
    assert up.status_code == 200
    assert up.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
    assert down.status_code == 200
    assert down.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "unreachable",
        "broker": "unreachable",
    }
    assert client.post(reverse("readyz")).status_code == 405


def test_readyz_refuses_traffic_without_the_database():
    # given: a process whose database does not answer
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
    code = (
        "from django.test import Client; r = Client().get('/readyz');"
        "print(r.status_code, r.json()['status'], r.json()['database'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "claims_site.settings.test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/claimdesk",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then: 503, naming the database, and no traceback
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "503 unavailable unreachable"
