"""The events beyond claim moves (reminders, recoveries, product safety), each delivered to a
real receiver that verifies it with the ``standardwebhooks`` library."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from api.models import ClientKind
from api.services import api_client_create
from claims.actors import Actor
from claims.models import ClaimStatus
from claims.services import claim_transition
from safety.models import MatchedOn, Recall, RecallSource, Regulator, SafetyAlert
from safety.recalls import recall_match_record
from safety.services import alert_raise
from sellers.services.escalation import claim_escalate_overdue
from sellers.services.recoveries import recovery_appeal, recovery_decide, withholding_record
from sellers.services.reminders import seller_reminders_send
from tests.api.test_webhooks import Receiver
from tests.factories import ProductFactory, SellerFactory
from tests.payouts.helpers import approve_as_staff
from tests.sellers.helpers import OVER, awaiting
from webhooks import services
from webhooks.models import ApiEvent, Delivery, EventType

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def _subscribe(receiver, *, types, **client):
    name = f"client-{client.get('kind')}-{ApiEvent.objects.count()}-{timezone.now().timestamp()}"
    api_client = api_client_create(name=name, contact_email="dev@client.test", **client)
    _endpoint, secret = services.endpoint_create(
        client=api_client, url=receiver.url, event_types=types
    )
    return api_client, secret


def _delivered(receiver, secret) -> list[dict]:
    """Send everything due; every body verified with the endpoint's secret (if given)."""
    while services.deliveries_send_due()["sent"]:
        pass
    if secret is None:
        return []
    return [receiver.verified(secret, i) for i in range(len(receiver.requests))]


def _signed_with(receiver, secret) -> list[dict]:
    """The deliveries that verify with this endpoint's secret (and only those)."""
    out = []
    for headers, body in receiver.requests:
        try:
            out.append(Webhook(secret).verify(body, headers))
        except WebhookVerificationError:
            continue
    return out


def test_seller_reminder_due_reaches_the_seller_once(receiver):
    # given: a claim awaiting its seller, whose client subscribed to reminders
    claim, _ = awaiting()
    client, secret = _subscribe(
        receiver,
        types=[EventType.SELLER_REMINDER_DUE],
        kind=ClientKind.SELLER,
        seller=claim.seller,
    )
    other, _ = _subscribe(
        receiver,
        types=[EventType.SELLER_REMINDER_DUE],
        kind=ClientKind.SELLER,
        seller=SellerFactory(),
    )
    # when: the sweeper passes the 24-hour offset twice
    now = claim.seller_respond_by - dt.timedelta(hours=20)
    assert seller_reminders_send(now=now) == 1
    assert seller_reminders_send(now=now + dt.timedelta(minutes=5)) == 0
    # then: one signed delivery naming the claim and its deadline, to its seller only
    (payload,) = _delivered(receiver, secret)
    assert payload["type"] == "claim.seller_reminder_due"
    assert payload["data"]["claim"] == claim.reference
    assert payload["data"]["hours_before"] == 24
    respond_by = dt.datetime.fromisoformat(payload["data"]["respond_by"])
    assert respond_by == claim.seller_respond_by
    assert not ApiEvent.objects.filter(client=other).exists()


def test_recovery_steps_reach_the_seller(receiver, supervisor):
    # given: a claim over the threshold the seller let pass, its client subscribed
    claim, _ = awaiting(amount_minor=OVER)
    client, secret = _subscribe(
        receiver,
        types=[
            EventType.RECOVERY_OPENED,
            EventType.RECOVERY_AMOUNT_FIXED,
            EventType.RECOVERY_WITHHELD,
            EventType.RECOVERY_APPEAL_DECIDED,
        ],
        kind=ClientKind.SELLER,
        seller=claim.seller,
    )
    # when: the marketplace steps in, approves less, withholds part, and the appeal is refused
    claim_escalate_overdue(now=claim.seller_respond_by + dt.timedelta(seconds=1))
    staff = Actor.staff(supervisor)
    claim_transition(claim=claim, to=ClaimStatus.UNDER_REVIEW, actor=staff)
    approve_as_staff(claim, supervisor, {claim.losses.get().pk: 200_000})
    recovery = claim.recoveries.get()
    withholding_record(
        recovery=recovery, amount_minor=50_000, currency="USD", disbursement_reference="D-1"
    )
    recovery_appeal(recovery=recovery, actor=Actor.seller(claim.seller), reason="Misused.")
    recovery_decide(recovery=recovery, actor=staff, uphold=False, note="Photos show the defect.")
    # then: each step, signed, in order, with the recovery as it stood
    payloads = _delivered(receiver, secret)
    assert [p["type"] for p in payloads] == [
        "recovery.opened",
        "recovery.amount_fixed",
        "recovery.withheld",
        "recovery.appeal_decided",
    ]
    opened, fixed, withheld, decided = (p["data"] for p in payloads)
    assert opened["claim"] == claim.reference and opened["amount_minor"] == OVER
    assert opened["seller_id"] == claim.seller.marketplace_id
    assert (fixed["amount_minor"], fixed["previous_amount_minor"]) == (200_000, OVER)
    assert fixed["appeal_due"] is not None
    assert withheld["withheld_now_minor"] == 50_000
    assert withheld["disbursement_reference"] == "D-1"
    assert withheld["outstanding_minor"] == 150_000
    assert decided["outcome"] == "rejected" and decided["status"] == "open"
    assert decided["decision_note"] == "Photos show the defect."


def _product_clients(receiver, product):
    types = [EventType.SAFETY_ALERT_RAISED, EventType.PRODUCT_SUSPEND]
    orders = _subscribe(receiver, types=types, kind=ClientKind.ORDER_SYSTEM)
    seller = _subscribe(receiver, types=types, kind=ClientKind.SELLER, seller=product.seller)
    stranger = _subscribe(receiver, types=types, kind=ClientKind.SELLER, seller=SellerFactory())
    insurer = _subscribe(
        receiver, types=types, kind=ClientKind.INSURER, insurer_email="claims@insurer.test"
    )
    return orders, seller, stranger, insurer


def test_a_serious_alert_tells_the_marketplace_to_suspend_the_listing(receiver):
    # given: the order system, the product's seller, another seller and an insurer subscribed
    product = ProductFactory(marketplace_id="P-CO-1", gtin="00012345678905")
    orders, seller, stranger, insurer = _product_clients(receiver, product)
    # when: a reportable incident raises an alert
    alert, new = alert_raise(
        product_id=product.pk,
        regulator=Regulator.objects.get(code="cpsc"),
        trigger="incident",
        reasons=["death"],
        claim_ids=[],
        aware_at=timezone.now(),
    )
    # then: the order system and the seller hear of the alert and of the listing to suspend
    assert new
    types = {
        client.name: sorted(ApiEvent.objects.filter(client=client).values_list("type", flat=True))
        for client, _ in (orders, seller, stranger, insurer)
    }
    both = ["product.suspend_listings", "safety.alert_raised"]
    assert types == {
        orders[0].name: both,
        seller[0].name: both,
        stranger[0].name: [],
        insurer[0].name: [],
    }
    _delivered(receiver, None)
    by_type = {p["type"]: p["data"] for p in _signed_with(receiver, orders[1])}
    assert len(receiver.requests) == 4  # two for the order system, two for the seller
    assert by_type["safety.alert_raised"]["product_id"] == "P-CO-1"
    assert by_type["safety.alert_raised"]["regulator"] == "cpsc"
    assert by_type["safety.alert_raised"]["reasons"] == ["death"]
    suspend = by_type["product.suspend_listings"]
    assert (suspend["product_id"], suspend["seller_id"]) == (
        "P-CO-1",
        product.seller.marketplace_id,
    )
    assert [a["alert"] for a in suspend["alerts"]] == [alert.pk] and suspend["recalls"] == []
    # and raising it again adds nothing
    alert_raise(
        product_id=product.pk,
        regulator=alert.regulator,
        trigger="incident",
        reasons=["death"],
        claim_ids=[],
        aware_at=timezone.now(),
    )
    assert ApiEvent.objects.filter(client=orders[0]).count() == 2


def test_a_cluster_is_not_a_suspension_until_a_recall_matches(receiver):
    # given: a product under a cluster alert (still being investigated)
    product = ProductFactory(model_number="HT-1500")
    orders, seller, _stranger, _insurer = _product_clients(receiver, product)
    cpsc = Regulator.objects.get(code="cpsc")
    alert_raise(
        product_id=product.pk,
        regulator=cpsc,
        trigger="cluster",
        reasons=["cluster"],
        claim_ids=[],
        aware_at=timezone.now(),
    )
    assert list(ApiEvent.objects.filter(client=orders[0]).values_list("type", flat=True)) == [
        "safety.alert_raised"
    ]
    # when: a recall matches it
    recall = Recall.objects.create(
        source=RecallSource.CSV,
        regulator=cpsc,
        number="R-77",
        title="Heaters recalled",
        url="https://example.test/r-77",
    )
    recall_match_record(
        recall=recall,
        product=product,
        reason=(MatchedOn.MODEL, "HT-1500"),
        user=None,
        now=timezone.now(),
    )
    # then: the listing is to be suspended, on the recall
    event = ApiEvent.objects.get(client=orders[0], type="product.suspend_listings")
    assert event.data["recalls"] == [
        {"number": "R-77", "title": "Heaters recalled", "url": "https://example.test/r-77"}
    ]
    assert ApiEvent.objects.filter(client=seller[0], type="product.suspend_listings").exists()


def test_a_cluster_joined_by_a_reportable_incident_is_a_suspension(receiver):
    # given: a product under a cluster alert, not (yet) a reason to suspend its listing
    from safety.selectors import products_to_suspend

    product = ProductFactory(model_number="HT-2000")
    orders, _seller, _stranger, _insurer = _product_clients(receiver, product)
    cpsc = Regulator.objects.get(code="cpsc")
    alert, _ = alert_raise(
        product_id=product.pk,
        regulator=cpsc,
        trigger="cluster",
        reasons=["cluster"],
        claim_ids=[],
        aware_at=timezone.now(),
    )
    assert list(products_to_suspend()) == []
    # when: a reportable incident on the same product joins the live alert
    joined, new = alert_raise(
        product_id=product.pk,
        regulator=cpsc,
        trigger="incident",
        reasons=["hospital"],
        claim_ids=[],
        aware_at=timezone.now(),
    )
    # then: the alert is serious now, the listing is to be suspended, and the history says so
    alert.refresh_from_db()
    assert (joined.pk, new, alert.trigger) == (alert.pk, False, "incident")
    assert list(products_to_suspend()) == [product]
    suspend = ApiEvent.objects.get(client=orders[0], type="product.suspend_listings")
    assert [a["alert"] for a in suspend.data["alerts"]] == [alert.pk]
    assert alert.events.filter(data__trigger="incident", data__was="cluster").count() == 1
    # and the same incident again changes nothing more
    alert_raise(
        product_id=product.pk,
        regulator=cpsc,
        trigger="incident",
        reasons=["hospital"],
        claim_ids=[],
        aware_at=timezone.now(),
    )
    assert ApiEvent.objects.filter(client=orders[0], type="product.suspend_listings").count() == 1


def test_safety_events_roll_back_with_the_alert(receiver):
    product = ProductFactory()
    orders, *_ = _product_clients(receiver, product)
    with pytest.raises(RuntimeError), transaction.atomic():
        alert_raise(
            product_id=product.pk,
            regulator=Regulator.objects.get(code="cpsc"),
            trigger="incident",
            reasons=["death"],
            claim_ids=[],
            aware_at=timezone.now(),
        )
        assert ApiEvent.objects.filter(client=orders[0]).count() == 2
        raise RuntimeError("the sweep failed after raising")
    assert not SafetyAlert.objects.exists()
    assert not ApiEvent.objects.exists() and not Delivery.objects.exists()
