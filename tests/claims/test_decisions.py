import datetime as dt

import pytest
from django.utils import timezone

from claims.actors import Actor
from claims.exceptions import IneligibleClaim, InvalidTransition
from claims.models import Claim, ClaimStatus, DenialReason, Funding, LossKind, Region
from claims.services import (
    LossInput,
    claim_appeal,
    claim_approve,
    claim_deny,
    claim_request_info,
    claim_withdraw,
)
from tests.factories import OrderLineFactory, claim_in, claim_new

pytestmark = pytest.mark.django_db


def _two_item_claim():
    claim = claim_in(
        ClaimStatus.UNDER_REVIEW,
        losses=[
            LossInput(kind=LossKind.PURCHASE_PRICE, amount_minor=4_999),
            LossInput(kind=LossKind.MEDICAL, amount_minor=60_000),
        ],
    )
    return claim, list(claim.losses.order_by("id"))


def test_approve_records_amount_per_item_and_total(agent):
    claim, (price, medical) = _two_item_claim()
    claim_approve(
        claim=claim,
        actor=Actor.staff(agent),
        funding=Funding.CONCESSION,
        approved={price.pk: 4_999, medical.pk: 50_000},
        note="Bill covers 500.00",
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.approved_total_minor == 54_999
    assert [i.approved_minor for i in claim.losses.order_by("id")] == [4_999, 50_000]
    event = claim.events.last()
    assert event.data["items"] == {str(price.pk): 4_999, str(medical.pk): 50_000}
    assert event.data["threshold_minor"] == 100_000


def test_approve_refuses_more_than_claimed_and_changes_nothing(agent):
    claim, (price, medical) = _two_item_claim()
    with pytest.raises(InvalidTransition, match="between 0 and"):
        claim_approve(
            claim=claim,
            actor=Actor.staff(agent),
            funding=Funding.CONCESSION,
            approved={price.pk: 5_000, medical.pk: 1},
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert claim.approved_total_minor is None
    assert all(i.approved_minor is None for i in claim.losses.all())


def test_approve_refuses_items_of_another_claim(agent):
    claim, _ = _two_item_claim()
    other, (other_item, _x) = _two_item_claim()
    with pytest.raises(InvalidTransition, match="Unknown loss item"):
        claim_approve(
            claim=claim,
            actor=Actor.staff(agent),
            funding=Funding.CONCESSION,
            approved={other_item.pk: 1},
        )


def test_approve_needs_funding(agent):
    claim, (price, _m) = _two_item_claim()
    with pytest.raises(InvalidTransition, match="funds"):
        claim_approve(claim=claim, actor=Actor.staff(agent), funding="", approved={price.pk: 1})


def test_analyst_cannot_approve(analyst):
    claim, (price, _m) = _two_item_claim()
    with pytest.raises(InvalidTransition):
        claim_approve(
            claim=claim,
            actor=Actor.staff(analyst),
            funding=Funding.CONCESSION,
            approved={price.pk: 1},
        )
    assert claim.losses.get(pk=price.pk).approved_minor is None


def test_deny_needs_a_code_and_an_explanation(agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    with pytest.raises(InvalidTransition):
        claim_deny(claim=claim, actor=Actor.staff(agent), reason_code="", explanation="x")
    with pytest.raises(InvalidTransition):
        claim_deny(
            claim=claim,
            actor=Actor.staff(agent),
            reason_code=DenialReason.NO_PROOF,
            explanation="  ",
        )
    claim_deny(
        claim=claim,
        actor=Actor.staff(agent),
        reason_code=DenialReason.NO_PROOF,
        explanation="We did not receive a receipt.",
    )
    claim.refresh_from_db()
    assert (claim.status, claim.denial_reason) == (ClaimStatus.DENIED, DenialReason.NO_PROOF)
    assert claim.events.last().reason == "We did not receive a receipt."


def test_request_info_needs_a_message(agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    with pytest.raises(InvalidTransition):
        claim_request_info(claim=claim, actor=Actor.staff(agent), message="")
    claim_request_info(claim=claim, actor=Actor.staff(agent), message="Send the receipt.")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NEEDS_INFO


def test_appeal_within_window_and_refused_after_it():
    claim = claim_in(ClaimStatus.DENIED)
    denied_at = claim.events.last().created_at
    customer = Actor.customer(claim.customer)
    late = denied_at + dt.timedelta(days=claim.region.appeal_window_days, minutes=1)
    with pytest.raises(InvalidTransition, match="appeal window"):
        claim_appeal(claim=claim, actor=customer, reason="Please look again.", now=late)
    claim_appeal(
        claim=claim,
        actor=customer,
        reason="Please look again.",
        now=denied_at + dt.timedelta(days=2),
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPEALED


def test_withdraw_then_a_new_claim_on_the_same_line_is_allowed():
    claim = claim_in(ClaimStatus.SCREENING)
    claim_withdraw(claim=claim, actor=Actor.customer(claim.customer))
    again = claim_new(order_line=claim.order_line)
    assert again.pk != claim.pk


# --- filing: eligibility ---------------------------------------------------------------------


def _reasons(**kwargs) -> list[str]:
    with pytest.raises(IneligibleClaim) as excinfo:
        claim_new(**kwargs)
    return excinfo.value.reasons


def test_claim_create_gives_a_reference_per_region_and_year():
    first, second = claim_new(), claim_new()
    year = timezone.now().year
    assert first.reference == f"PL-US-{year}-000001"
    assert second.reference == f"PL-US-{year}-000002"
    assert first.decision_due == first.submitted_at + dt.timedelta(days=90)


def test_claim_create_refuses_a_second_open_claim_on_the_same_line():
    claim = claim_new()
    assert "There is already an open claim for this item." in _reasons(order_line=claim.order_line)
    assert Claim.objects.count() == 1


def test_claim_create_refuses_incident_outside_the_window():
    line = OrderLineFactory(delivered_on=timezone.now().date() - dt.timedelta(days=200))
    reasons = _reasons(order_line=line, incident_date=timezone.now().date() - dt.timedelta(days=91))
    assert reasons == ["Claims must be filed within 90 days of the incident."]


def test_claim_create_refuses_incident_before_delivery_and_undelivered_items():
    line = OrderLineFactory()
    assert "The incident date is before the item was delivered." in _reasons(
        order_line=line, incident_date=line.delivered_on - dt.timedelta(days=1)
    )
    undelivered = OrderLineFactory(delivered_on=None)
    assert any(
        "not been delivered" in r
        for r in _reasons(order_line=undelivered, incident_date=timezone.now().date())
    )


def test_claim_create_refuses_future_incident():
    line = OrderLineFactory()
    assert "The incident date is in the future." in _reasons(
        order_line=line, incident_date=timezone.now().date() + dt.timedelta(days=1)
    )


def test_claim_create_refuses_bad_amounts():
    assert "Every amount must be more than zero." in _reasons(
        losses=[LossInput(kind=LossKind.PROPERTY, amount_minor=0)]
    )
    assert any(
        "maximum" in r
        for r in _reasons(losses=[LossInput(kind=LossKind.MEDICAL, amount_minor=100_000_001)])
    )
    assert "Add at least one loss with an amount." in _reasons(losses=[])
    assert not Claim.objects.exists()


def test_claim_create_refuses_inactive_region():
    gb = Region.objects.get(code="GB")
    line = OrderLineFactory(order__region=gb, currency="GBP")
    assert any("not open yet" in r for r in _reasons(order_line=line))
