"""Seller standing: claims per 1,000 orders, response and on-time rates, money owed, insurance."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from claims.links import link_resolve
from sellers.selectors import seller_standing
from sellers.services.escalation import claim_escalate_overdue
from sellers.services.responses import seller_response_submit
from tests.factories import (
    CertificateFactory,
    OrderLineFactory,
    ProductFactory,
    SellerFactory,
    gross_imported,
)
from tests.sellers.helpers import LINK, OVER, awaiting

pytestmark = pytest.mark.django_db


def test_seller_standing_counts_claims_answers_recoveries_and_insurance():
    # given: one seller, 4 orders, 3 claims reaching them
    seller = SellerFactory()
    gross_imported(seller, 2_000_000)
    product = ProductFactory(seller=seller)
    lines = [OrderLineFactory(product=product) for _ in range(4)]
    on_time, on_time_path = awaiting(order_line=lines[0])
    late, late_path = awaiting(order_line=lines[1])
    silent, _ = awaiting(order_line=lines[2], amount_minor=OVER)
    # the first answers in time, twice (two versions count once)
    link = link_resolve(token=LINK.search(on_time_path).group("token"), purpose="seller_response")
    seller_response_submit(link=link, decision="dispute", reasons="Misuse.")
    seller_response_submit(link=link, decision="accept")
    # the second answers, but after its deadline had been missed (recorded by hand here)
    from sellers.models import SellerResponse

    SellerResponse.objects.create(
        claim=late,
        seller=seller,
        version=1,
        party="seller",
        decision="accept",
        created_at=late.seller_respond_by + dt.timedelta(hours=1),
    )
    # the third is escalated with a recovery
    claim_escalate_overdue(now=silent.seller_respond_by + dt.timedelta(seconds=1))
    today = timezone.now().date()
    CertificateFactory(
        seller=seller,
        verified=True,
        effective_date=today - dt.timedelta(days=10),
        expiry_date=today + dt.timedelta(days=90),
    )
    # when
    standing = seller_standing(seller=seller)
    # then
    assert (standing.claims, standing.orders) == (3, 4)
    assert standing.claims_per_1000_orders == 750
    assert (standing.notified, standing.responded, standing.on_time) == (3, 2, 1)
    # the escalated claim is not decided: its recovery is nothing owed yet
    assert standing.outstanding == {}
    assert "recoveries outstanding none" in standing.summary()
    # decided: the approved amount is owed
    from claims.events import Actor
    from claims.models import ClaimStatus, Funding
    from claims.services import claim_approve, claim_transition
    from sellers.services.recoveries import recovery_follow_decision

    staff = Actor.system("test decision")
    claim_transition(claim=silent, to=ClaimStatus.UNDER_REVIEW, actor=staff)
    claim_approve(
        claim=silent, actor=staff, approved={silent.losses.get().pk: OVER}, funding=Funding.STEP_IN
    )
    recovery_follow_decision(claim=silent, actor=staff)
    standing = seller_standing(seller=seller)
    assert standing.outstanding == {"USD": OVER}
    assert standing.certificate is not None and standing.insurance_required
    summary = standing.summary()
    assert "750.0 claims per 1,000 orders" in summary and "responded 67%" in summary
    assert "on time 33%" in summary and "$2,500.00" in summary
    # the expiry in the one date format of every page, not ISO
    assert f"insurance valid until {date_format(today + dt.timedelta(days=90))}" in summary


def test_seller_standing_of_a_new_seller():
    seller = SellerFactory()
    gross_imported(seller, 2_000_000)
    standing = seller_standing(seller=seller)
    assert standing.claims_per_1000_orders is None and standing.response_rate is None
    assert "missing (required)" in standing.summary()


@pytest.mark.parametrize(("language", "words"), [("en", "none"), ("fr", "aucun"), ("de", "keine")])
def test_nothing_outstanding_is_said_in_words_not_a_bare_zero(language, words):
    # given: a seller owing nothing
    from django.utils import translation

    standing = seller_standing(seller=SellerFactory())
    # when
    with translation.override(language):
        shown = standing.outstanding_display
    # then
    assert shown == words


def test_standing_figures_are_written_the_readers_way():
    # given: 3 claims on 4 orders, 2 of 3 answered
    from django.utils import translation

    from sellers.selectors import Standing

    standing = Standing(
        claims=3,
        orders=4,
        claims_per_1000_orders=750,
        notified=3,
        responded=2,
        on_time=1,
        outstanding={},
        insurance_required=False,
        certificate=None,
    )
    # when
    with translation.override("fr"):
        french = standing.summary()
    with translation.override("en"):
        english = standing.summary()
    # then: French decimal comma and its spaced percent sign; English as before
    assert "750,0" in french and "67\u00a0%" in french and "67%" not in french
    assert "750.0" in english and "67%" in english
