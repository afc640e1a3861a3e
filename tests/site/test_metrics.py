"""/metrics: the backlog figures from the database and the outage counters, for a scraper with
the token; no such page for anyone else."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.models import ClaimStatus, Outbox
from tests.factories import OrderLineFactory, claim_in
from tests.portal.conftest import sign_in
from tests.support.workers import celery_broker

pytestmark = pytest.mark.django_db

TOKEN = "scrape-" + "x" * 24


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN


def _scrape(client) -> dict[str, float]:
    response = client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    figures = {}
    for line in response.content.decode().splitlines():
        if line.startswith("claimdesk_"):
            name, value = line.rsplit(" ", 1)
            figures[name] = float(value)
    return figures


def test_metrics_is_no_page_without_the_token(client, settings):
    assert client.get(reverse("metrics")).status_code == 404
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    settings.METRICS_TOKEN = ""
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.post(reverse("metrics")).status_code == 405


def test_metrics_report_the_backlog_from_the_database(client):
    # given: two outbox messages waiting (the oldest for ten minutes), one done, and a claim
    # whose seller deadline has passed
    now = timezone.now()
    Outbox.objects.create(topic="t", created_at=now - dt.timedelta(minutes=10))
    Outbox.objects.create(topic="t")
    Outbox.objects.create(topic="t", created_at=now - dt.timedelta(days=1), done_at=now)
    claim = claim_in(ClaimStatus.AWAITING_SELLER)
    type(claim).objects.filter(pk=claim.pk).update(seller_respond_by=now - dt.timedelta(hours=1))
    pending = Outbox.objects.filter(done_at__isnull=True).count()
    # when
    figures = _scrape(client)
    # then
    assert figures["claimdesk_outbox_backlog"] == pending
    assert 600 <= figures["claimdesk_outbox_oldest_age_seconds"] < 700
    assert figures["claimdesk_escalations_overdue"] == 1
    assert figures["claimdesk_payouts_due"] == 0


def test_metrics_count_what_failed_while_redis_was_down(
    client, redis_cache, django_capture_on_commit_callbacks
):
    # given: the figures before
    before = _scrape(client)
    line = OrderLineFactory()
    customer = Client()
    sign_in(customer, line.order.customer)
    # when: Redis is down while a signed-in customer opens a page and someone asks for a link
    redis_cache.stop()
    with celery_broker(redis_cache.url), django_capture_on_commit_callbacks(execute=True):
        assert customer.get(reverse("portal:home")).status_code == 200
        response = client.post(
            reverse("portal:sign-in"),
            {"order_number": line.order.number, "email": line.order.customer.email},
        )
    assert response.status_code == 302
    after = _scrape(client)

    def grew(name: str) -> bool:
        return after.get(name, 0) > before.get(name, 0)

    # then: the rate limiter failed open, the cache and the broker errors were counted
    assert grew('claimdesk_ratelimit_fail_open_total{scope="portal.signin.ip"}')
    assert grew("claimdesk_cache_errors_total")
    assert grew("claimdesk_broker_publish_errors_total")
    assert re.search(
        r"claimdesk_outbox_backlog [1-9]", "\n".join(f"{k} {v}" for k, v in after.items())
    )
