"""Webhooks: a real receiver verifies every delivery with the ``standardwebhooks`` library."""

import datetime as dt
import http.server
import threading

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from api.models import ClientKind
from api.services import api_client_create, api_key_issue
from claims.models import ClaimStatus
from tests.api.conftest import Caller
from tests.factories import OrderLineFactory, claim_in
from webhooks import services
from webhooks.models import ApiEvent, Attempt, Delivery, Endpoint

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on a free port that keeps every request and answers the next code."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.codes: list[int] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.requests.append((headers, body))
                self.send_response(outer.codes.pop(0) if outer.codes else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verified(self, secret: str, index: int = -1) -> dict:
        headers, body = self.requests[index]
        return Webhook(secret).verify(body, headers)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def subscribed(seller_a, receiver):
    client = api_client_create(
        name="Seller A", kind=ClientKind.SELLER, contact_email="dev@seller-a.test", seller=seller_a
    )
    endpoint, secret = services.endpoint_create(
        client=client, url=receiver.url, event_types=["claim.awaiting_seller", "claim.escalated"]
    )
    return client, endpoint, secret


def _awaiting(seller):
    return claim_in(
        ClaimStatus.AWAITING_SELLER, order_line=OrderLineFactory(product__seller=seller)
    )


def test_event_is_delivered_signed_and_logged(subscribed, receiver, seller_a):
    # given
    client, endpoint, secret = subscribed
    claim = _awaiting(seller_a)
    delivery = Delivery.objects.get()
    # when
    run = services.deliveries_send_due()
    # then: the receiver verified it with the library
    assert run == {"sent": 1, "more": False}
    payload = receiver.verified(secret)
    assert payload["type"] == "claim.awaiting_seller"
    assert payload["data"]["claim"] == claim.reference
    assert payload["data"]["respond_by"] is not None
    headers, _body = receiver.requests[0]
    assert headers["webhook-id"] == f"msg_{delivery.pk}"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    attempt = Attempt.objects.get()
    assert attempt.status_code == 204 and attempt.response_ms >= 0
    # and a forged or wrong-secret copy does not verify
    with pytest.raises(WebhookVerificationError):
        Webhook(services.secret_new()).verify(receiver.requests[0][1], receiver.requests[0][0])


def test_other_sellers_and_unsubscribed_types_get_nothing(subscribed, seller_b):
    _awaiting(seller_b)
    assert not ApiEvent.objects.filter(client=subscribed[0]).exists()
    assert not Delivery.objects.exists()


def test_events_are_written_with_the_claim_event_or_not_at_all(subscribed, seller_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        _awaiting(seller_a)
        assert Delivery.objects.count() == 1
        raise RuntimeError("the request failed after the move")
    assert not ApiEvent.objects.exists() and not Delivery.objects.exists()


def test_failing_receiver_is_retried_on_schedule_then_endpoint_disabled(
    subscribed, receiver, seller_a, django_capture_on_commit_callbacks
):
    # given: a receiver that always fails
    client, endpoint, secret = subscribed
    _awaiting(seller_a)
    delivery = Delivery.objects.get()
    receiver.codes = [500] * 50
    now = timezone.now()
    sent_at = []
    # when: the sweeper runs every few seconds across four days
    clock = now
    while clock < now + dt.timedelta(days=4):
        with django_capture_on_commit_callbacks(execute=True):
            if services.deliveries_send_due(now=clock)["sent"]:
                sent_at.append(clock)
        delivery.refresh_from_db()
        clock = (delivery.next_attempt_at or clock + dt.timedelta(hours=1)) + dt.timedelta(
            seconds=1
        )
        if delivery.status != "pending":
            break
    # then: one try, then one per step of the schedule, then it has failed
    gaps = [b - a for a, b in zip(sent_at, sent_at[1:], strict=False)]
    expected = [step + dt.timedelta(seconds=1) for step in services.RETRY_SCHEDULE]
    assert gaps == expected
    assert sum(services.RETRY_SCHEDULE, dt.timedelta()) >= dt.timedelta(days=3)
    assert delivery.status == "failed" and delivery.attempts == len(services.RETRY_SCHEDULE) + 1
    assert Attempt.objects.filter(delivery=delivery, status_code=500).count() == delivery.attempts
    # every retry carried the same webhook-id
    assert {h["webhook-id"] for h, _ in receiver.requests} == {f"msg_{delivery.pk}"}
    # and after three days of failures the endpoint is disabled and its contact told
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    (message,) = [m for m in mail.outbox if "Webhook endpoint disabled" in m.subject]
    assert message.to == ["dev@seller-a.test"] and receiver.url in message.body


def test_not_due_is_not_sent(subscribed, receiver, seller_a):
    _awaiting(seller_a)
    receiver.codes = [503]
    now = timezone.now()
    services.deliveries_send_due(now=now)
    assert services.deliveries_send_due(now=now + dt.timedelta(seconds=4))["sent"] == 0
    assert services.deliveries_send_due(now=now + dt.timedelta(seconds=6))["sent"] == 1
    assert Delivery.objects.get().status == "delivered"


def test_a_success_clears_the_failing_clock(subscribed, receiver, seller_a):
    client, endpoint, _secret = subscribed
    _awaiting(seller_a)
    receiver.codes = [500]
    now = timezone.now()
    services.deliveries_send_due(now=now)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == now
    services.deliveries_send_due(now=now + dt.timedelta(seconds=6))
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.disabled_at is None


def test_replay_delivers_the_same_webhook_id(subscribed, receiver, seller_a):
    _client, _endpoint, secret = subscribed
    _awaiting(seller_a)
    services.deliveries_send_due()
    delivery = Delivery.objects.get()
    # when: staff replay it
    assert services.delivery_replay(delivery_id=delivery.pk)
    services.deliveries_send_due()
    # then
    first, second = (h["webhook-id"] for h, _ in receiver.requests)
    assert first == second == f"msg_{delivery.pk}"
    assert receiver.verified(secret, 0)["data"] == receiver.verified(secret, 1)["data"]
    assert Attempt.objects.filter(delivery=delivery).count() == 2


def test_secret_rotation_signs_with_both_during_the_overlap(subscribed, receiver, seller_a):
    _client, endpoint, old = subscribed
    new = services.endpoint_secret_rotate(endpoint=endpoint)
    _awaiting(seller_a)
    services.deliveries_send_due()
    # both secrets verify while the old one is still live
    assert receiver.verified(old)["type"] == receiver.verified(new)["type"]
    assert len(receiver.requests[0][0]["webhook-signature"].split(" ")) == 2
    # after the overlap only the new one signs
    later = timezone.now() + services.ROTATION_OVERLAP + dt.timedelta(minutes=1)
    assert services.signing_secrets(endpoint.pk, later) == [new]


def test_a_dead_workers_lease_runs_out_and_the_sweeper_sends(subscribed, receiver, seller_a):
    _awaiting(seller_a)
    now = timezone.now()
    Delivery.objects.update(locked_until=now + services.LEASE)  # a worker took it and died
    assert services.deliveries_send_due(now=now)["sent"] == 0
    assert (
        services.deliveries_send_due(now=now + services.LEASE + dt.timedelta(seconds=1))["sent"]
        == 1
    )
    assert len(receiver.requests) == 1


def test_unreachable_receiver_is_logged_as_an_error(subscribed, seller_a):
    _client, endpoint, _secret = subscribed
    Endpoint.objects.filter(pk=endpoint.pk).update(url="http://127.0.0.1:9/nothing")
    _awaiting(seller_a)
    services.deliveries_send_due()
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert Attempt.objects.get().error


def test_events_endpoint_catches_up_after_a_cursor(subscribed, seller_a, client):
    # given: three events for seller A's client
    api_client = subscribed[0]
    caller = Caller(client, api_key_issue(client=api_client).secret)
    claims = [_awaiting(seller_a) for _ in range(3)]
    # when
    first = caller.get("/api/v1/events/").json()
    after_one = caller.get("/api/v1/events/", {"after": first["data"][0]["id"]}).json()
    # then
    assert [e["data"]["claim"] for e in first["data"]] == [c.reference for c in claims]
    assert first["has_more"] is False and first["next_after"] == first["data"][-1]["id"]
    assert [e["id"] for e in after_one["data"]] == [e["id"] for e in first["data"][1:]]
    assert caller.get("/api/v1/events/", {"after": "evt_x"}).status_code == 400


def test_escalation_batch_reaches_the_webhook(subscribed, receiver, seller_a):
    """A move made by the set-based batch (the deadline sweeper) is told too."""
    from sellers.services.escalation import claim_escalate_overdue

    claim = _awaiting(seller_a)
    claim_escalate_overdue(now=claim.seller_respond_by + dt.timedelta(seconds=1))
    types = list(ApiEvent.objects.order_by("id").values_list("type", flat=True))
    assert types == ["claim.awaiting_seller", "claim.escalated"]


def test_client_manages_endpoints_through_the_api(seller_a, receiver, client):
    api_client = api_client_create(
        name="A", kind=ClientKind.SELLER, contact_email="a@a.test", seller=seller_a
    )
    caller = Caller(client, api_key_issue(client=api_client).secret)
    created = caller.post(
        "/api/v1/webhooks/endpoints/", {"url": receiver.url, "event_types": ["claim.paid"]}
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    listed = caller.get("/api/v1/webhooks/endpoints/").json()
    assert [e["url"] for e in listed] == [receiver.url] and "secret" not in listed[0]
    rotated = caller.post(f"/api/v1/webhooks/endpoints/{listed[0]['id']}/rotate-secret/", None)
    assert rotated.status_code == 200 and rotated.json()["secret"] != secret
    bad = caller.post("/api/v1/webhooks/endpoints/", {"url": "x", "event_types": ["nope"]})
    assert bad.status_code == 400


def test_a_new_claim_is_told_to_the_order_system_not_the_seller(subscribed, seller_a):
    orders = api_client_create(
        name="Orders", kind=ClientKind.ORDER_SYSTEM, contact_email="o@market.test"
    )
    denied = claim_in(ClaimStatus.DENIED, order_line=OrderLineFactory(product__seller=seller_a))
    # the order system hears of the new claim; the seller hears nothing of a claim denied in
    # screening, which was never sent to it
    assert list(ApiEvent.objects.values_list("client", "type")) == [(orders.pk, "claim.submitted")]
    assert ApiEvent.objects.get().data["claim"] == denied.reference


def test_demo_receiver_shows_signed_deliveries(client, settings, seller_a, supervisor):
    """Demo mode: the demo seller's client is subscribed to the demo's own receiver; what it
    receives, checked with the library, is listed for staff."""
    import urllib.parse

    from api.demo import demo_api_clients
    from webhooks.models import Endpoint

    # given: the demo clients, the receiver reached through the test client
    settings.DEMO_MODE = True
    demo_api_clients()
    endpoint = Endpoint.objects.get()
    _awaiting(Endpoint.objects.get().client.seller)
    delivery = Delivery.objects.get()
    body = services.payload_of(delivery.event)
    now = timezone.now()
    headers = services.signature_headers(
        webhook_id=delivery.webhook_id,
        body=body,
        secrets_=services.signing_secrets(endpoint.pk, now),
        now=now,
    )
    path = urllib.parse.urlsplit(endpoint.url).path
    # when: a signed delivery and a forged one arrive
    good = client.post(path, body, content_type="application/json", headers=headers)
    forged = client.post(
        path, body.replace("awaiting", "forged"), content_type="application/json", headers=headers
    )
    # then
    assert (good.status_code, forged.status_code) == (204, 400)
    client.force_login(supervisor)
    page = client.get("/staff/api-clients/demo-webhooks/").content.decode()
    assert delivery.webhook_id in page and "claim.awaiting_seller" in page
    assert "verified" in page and "not valid" in page
    # the payload's status is the party-facing one, read as its label (not "with_seller")
    assert "<small>With the seller</small>" in page and "with_seller" not in page
    settings.DEMO_MODE = False
    assert client.get("/staff/api-clients/demo-webhooks/").status_code == 404
    assert client.post(path, body, content_type="application/json").status_code == 404


def test_demo_webhooks_page_reads_like_the_other_staff_pages(client, settings, supervisor):
    import re
    import zoneinfo

    from django.core.cache import cache
    from django.urls import reverse
    from django.utils.formats import date_format

    from api.views.demo_receiver import CACHE_KEY
    from claims.models import StaffProfile
    from tests.factories import claim_new

    # given: a delivery about a claim received at 02:11:47 UTC, read from Tokyo

    settings.DEMO_MODE = True
    claim = claim_new()
    StaffProfile.objects.filter(user=supervisor).update(time_zone="Asia/Tokyo")
    moment = dt.datetime(2026, 12, 2, 2, 11, 47, tzinfo=dt.UTC)
    entry = {
        "received_at": moment.isoformat(),
        "webhook_id": "msg_1",
        "verified": True,
        "type": "claim.paid",
        "claim": claim.reference,
        "status": "paid",
    }
    cache.set(CACHE_KEY, [entry], timeout=None)
    client.force_login(supervisor)
    try:
        # when
        page = client.get(reverse("backoffice:demo-webhooks")).content.decode()
    finally:
        cache.delete(CACHE_KEY)
    # then: the staff date format in the viewer's zone
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        shown = date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    assert f">{shown}</time>" in page
    assert ">2026-12-02T02:11:47<" not in page
    # the event type's label, not its code with the status in brackets
    assert "Claim paid" in page and "(paid)" not in page
    # the claim links to its staff page
    assert f'<a href="{reverse("backoffice:claim", args=[claim.pk])}">{claim.reference}</a>' in page
    # the navigation marks the API clients area, not claims
    assert re.search(r'href="/staff/api-clients/"\s+aria-current="page"', page)
    assert not re.search(r'href="/staff/"\s+aria-current="page"', page)


def test_recording_events_costs_the_same_for_one_move_or_many(
    subscribed, seller_a, django_assert_num_queries
):
    """The set-based escalation moves thousands of claims in one statement: telling the API
    clients must not cost a query per claim."""
    from claims.models import ClaimEvent

    claims = [_awaiting(seller_a) for _ in range(6)]
    events = list(ClaimEvent.objects.filter(claim__in=claims, to_status="awaiting_seller"))
    ApiEvent.objects.all().delete()
    Delivery.objects.all().delete()

    def count(batch):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            services.events_for_claim_events(batch)
        return len(queries)

    one = count(events[:1])
    ApiEvent.objects.all().delete()
    Delivery.objects.all().delete()
    many = count(events)
    assert one == many
    assert ApiEvent.objects.count() == 6 and Delivery.objects.count() == 6
