"""The README's simplest production topology on real services: one Redis server as broker, cache
and session cache; web (gunicorn), two Celery workers and beat run by the shipped supervisord
configuration; PostgreSQL. Customers file claims with a photo before, during and after a Redis
outage. Nobody gets an error, every follow-up runs exactly once after Redis is back, and the
processes are still running (or shown restarted by their supervisor).

The submissions go through Django's test client in this process, on the same production cache
configuration (settings.CACHES) and the same Redis as the supervised processes."""

import os
import signal
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Claim, ClaimStatus, Outbox
from tests.factories import OrderLineFactory
from tests.portal.conftest import jpeg_bytes, sign_in
from tests.portal.helpers import file_claim
from tests.support.workers import (
    Supervisor,
    celery_broker,
    demo_mail_env,
    demo_mails,
    wait_for,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PROCESSES = ("web", "worker:worker-0", "worker:worker-1", "beat")


@pytest.fixture
def stack(redis_cache, tmp_path):
    mail_dir = tmp_path / "mail"
    supervisor = Supervisor(redis_url=redis_cache.url, extra_env=demo_mail_env(mail_dir)).start()
    try:
        with celery_broker(redis_cache.url):
            yield supervisor, mail_dir
    finally:
        supervisor.stop()


def _file_claim(line) -> list[int]:
    """A signed-in customer files a claim with a photo; the status code of every response."""
    client = Client(raise_request_exception=False)
    sign_in(client, line.order.customer)
    return file_claim(client, line, jpeg_bytes())


def _web_status(supervisor: Supervisor, path: str) -> int:
    url = f"http://127.0.0.1:{supervisor.port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a local URL)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _receipts(mail_dir, claim) -> int:
    customer = claim.order_line.order.customer
    return sum(1 for r in demo_mails(mail_dir, claim.reference) if r["to"] == [customer.email])


def _beat_sends(supervisor: Supervisor) -> int:
    return supervisor.log("beat").count("Sending due task")


def test_claims_are_filed_and_followed_up_once_across_a_redis_outage(stack, redis_cache):
    supervisor, mail_dir = stack
    lines = [OrderLineFactory() for _ in range(6)]
    before = supervisor.wait_running(*PROCESSES)
    for name in ("worker-0", "worker-1"):
        wait_for(lambda n=name: "ready" in supervisor.log(n), timeout=90, what=f"{name} ready")
    statuses: list[int] = []
    # given: two claims filed while Redis is up
    for line in lines[:2]:
        statuses += _file_claim(line)
    # when: Redis stops; two claims are filed, a sign-in link is asked for, pages are opened
    redis_cache.stop()
    stopped_at = time.monotonic()
    for line in lines[2:4]:
        statuses += _file_claim(line)
    statuses.append(
        Client(raise_request_exception=False)
        .post(
            reverse("portal:sign-in"),
            {"order_number": lines[4].order.number, "email": lines[4].order.customer.email},
        )
        .status_code
    )
    statuses.append(_web_status(supervisor, reverse("portal:home")))
    statuses.append(_web_status(supervisor, reverse("portal:sign-in")))
    time.sleep(max(0.0, 20 - (time.monotonic() - stopped_at)))  # a 20-second outage
    # ...and Redis comes back (empty: the broker lost whatever it held)
    redis_cache.start()
    beat_sends_at_return = _beat_sends(supervisor)
    for line in lines[4:]:
        statuses += _file_claim(line)
    # then: nobody saw an error
    assert set(statuses) <= {200, 302}, statuses
    claims = list(Claim.objects.select_related("order_line__order__customer"))
    assert len(claims) == 6
    # then: every follow-up ran once, through the workers and beat's sweeper
    wait_for(
        lambda: not Outbox.objects.filter(done_at__isnull=True).exists(),
        timeout=240,
        interval=1,
        what="the workers to finish the outbox",
    )
    time.sleep(2)  # let a duplicate delivery, if any, run too
    for claim in claims:
        assert _receipts(mail_dir, claim) == 1, claim.reference
        assert claim.events.filter(to_status=ClaimStatus.SCREENING).count() == 1
    assert not Outbox.objects.exclude(attempts=1).exists(), list(
        Outbox.objects.exclude(attempts=1).values("topic", "attempts")
    )
    # then: beat kept sending its sweepers after Redis returned
    assert _beat_sends(supervisor) > beat_sends_at_return
    # then: every process runs; any that exited was restarted by supervisord, in its log
    after = supervisor.wait_running(*PROCESSES)
    for name in PROCESSES:
        if after[name][1] != before[name][1]:
            assert f"exited: {name.split(':')[-1]}" in supervisor.log(), supervisor.log()
    # when: a worker is killed outright
    os.kill(after["worker:worker-0"][1], signal.SIGKILL)
    # then: supervisord starts it again
    wait_for(
        lambda: (
            supervisor.status()["worker:worker-0"][1] not in (None, after["worker:worker-0"][1])
            and supervisor.status()["worker:worker-0"][0] == "RUNNING"
        ),
        timeout=60,
        interval=0.5,
        what="supervisord to restart the killed worker",
    )
    assert "exited: worker-0 (terminated by SIGKILL" in supervisor.log()
