"""Issue 16 point 4: in the EU a reseller names the producer and the producer's insurer; the claim
goes to that insurer through the same hand-off as the seller's own insurer."""

import datetime as dt

import pytest
from django.core import mail

from claims.links import link_resolve
from claims.models import ClaimStatus, EventKind, LinkPurpose
from sellers.models import ProducerDeclaration, ResponseDecision, SellerResponse
from sellers.services.escalation import claim_escalate_overdue
from sellers.services.responses import seller_response_submit
from tests.factories import ProductFactory, claim_in, line_in_region
from tests.sellers.helpers import LINK, OVER, link_path, run_outbox

pytestmark = pytest.mark.django_db


def _declared(line, *, product=None, insurer="Rhein Haftpflicht AG"):
    return ProducerDeclaration.objects.create(
        seller=line.seller,
        product=product,
        producer_name="Heizwerk GmbH",
        producer_country="DE",
        insurer_name=insurer,
        insurer_email=f"claims@{insurer.split()[0].lower()}.test",
    )


def _awaiting(line):
    claim = claim_in(ClaimStatus.AWAITING_SELLER, order_line=line, amount_minor=OVER)
    run_outbox("sellers.notify_seller")
    claim.refresh_from_db()
    return claim


def _link(path, purpose):
    return link_resolve(token=LINK.search(path).group("token"), purpose=purpose)


def test_a_resellers_claim_goes_to_the_producers_insurer_with_its_own_link():
    # given: a German reseller who named the producer and its insurer
    line = line_in_region("DE")
    _declared(line)
    # when: the claim reaches the seller
    claim = _awaiting(line)
    to_seller = mail.outbox[-1]
    run_outbox("sellers.notify_insurer")
    # then: handed to the producer's insurer on the seller's behalf; both are told
    handed = SellerResponse.objects.get(claim=claim)
    assert (handed.decision, handed.insurer_email) == (
        ResponseDecision.INSURER,
        "claims@rhein.test",
    )
    assert "Heizwerk GmbH" in handed.reasons
    assert claim.events.filter(kind=EventKind.SELLER, actor_label="producer chain").exists()
    assert to_seller.to == [claim.seller.email] and "Rhein Haftpflicht AG" in to_seller.body
    to_insurer = mail.outbox[-1]
    assert to_insurer.to == ["claims@rhein.test"] and claim.reference in to_insurer.subject
    # the insurer answers through its own link, with the claim's deadline
    insurer_link = _link(link_path(to_insurer.body), LinkPurpose.INSURER_RESPONSE)
    assert insurer_link.expires_at > claim.seller_respond_by
    seller_response_submit(
        link=insurer_link, decision=ResponseDecision.DISPUTE, reasons="Misuse of the heater."
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SELLER_RESPONDED
    assert claim.events.get(to_status=ClaimStatus.SELLER_RESPONDED).actor_party == "insurer"


def test_an_unanswered_producer_chain_claim_escalates_at_the_same_deadline():
    # given: handed to the producer's insurer, who does not answer
    line = line_in_region("FR")
    _declared(line)
    claim = _awaiting(line)
    run_outbox("sellers.notify_insurer")
    # when: the sweeper runs before and after the deadline
    before = claim_escalate_overdue(now=claim.seller_respond_by - dt.timedelta(minutes=1))
    after = claim_escalate_overdue(now=claim.seller_respond_by + dt.timedelta(minutes=1))
    # then
    claim.refresh_from_db()
    assert (before.escalated, after.escalated) == (0, 1)
    assert claim.status == ClaimStatus.ESCALATED


def test_the_products_own_producer_comes_before_the_sellers_default():
    line = line_in_region("ES")
    _declared(line, insurer="General Seguros")
    _declared(line, product=line.product, insurer="Mapfre Industrial")
    claim = _awaiting(line)
    assert SellerResponse.objects.get(claim=claim).insurer_name == "Mapfre Industrial"
    # another product of the same seller falls back to the seller's default
    other = line_in_region("ES")
    other.product = ProductFactory(seller=line.seller)
    other.seller = line.seller
    other.save()
    claim = _awaiting(other)
    assert SellerResponse.objects.get(claim=claim).insurer_name == "General Seguros"


def test_outside_the_eu_a_declaration_changes_nothing():
    # given: a US seller with a producer declaration on file
    line = line_in_region("US")
    _declared(line)
    # when
    claim = _awaiting(line)
    # then: the seller is asked to answer, nobody else is told
    assert not SellerResponse.objects.filter(claim=claim).exists()
    assert run_outbox("sellers.notify_insurer") == 0
    assert "producer's insurer" not in mail.outbox[-1].body
