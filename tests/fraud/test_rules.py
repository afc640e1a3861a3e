"""Each rule fires when it should, with its sentence, and stays silent when it should not."""

import datetime as dt

import pytest
from django.utils import timezone

from claims.actors import Actor
from fraud.models import AttributeKind, RuleHit
from fraud.scoring import fraud_attributes_record, fraud_score_claim
from fraud.services import watchlist_add
from tests.factories import CustomerFactory, OrderLineFactory, SellerFactory, claim_new
from tests.fraud.support import customer_photo, photo_bytes

pytestmark = pytest.mark.django_db

PHONE = "+14158675309"


def hits(claim) -> dict[str, str]:
    assessment = fraud_score_claim(claim=claim)
    return {h.rule.code: h.explanation for h in assessment.hits.select_related("rule")}


def claim_for(customer, **kwargs):
    line_kwargs = {"order__customer": customer}
    if "seller" in kwargs:
        seller = kwargs.pop("seller")
        line_kwargs.update(product__seller=seller)
    return claim_new(order_line=OrderLineFactory(**line_kwargs), **kwargs)


def ring(n: int, *, seller=None, **customer_fields):
    """n customers sharing the given attributes, one claim each (attributes recorded)."""
    claims = []
    for _ in range(n):
        customer = CustomerFactory(**customer_fields)
        claim = claim_for(customer, **({"seller": seller} if seller else {}))
        fraud_attributes_record(claim=claim)
        claims.append(claim)
    return claims


# --- velocity ---------------------------------------------------------------------------


def test_velocity_customer_fires_on_the_third_claim_in_the_window_naming_the_others():
    customer = CustomerFactory()
    first, second = claim_for(customer), claim_for(customer)
    third = claim_for(customer)
    text = hits(third)["velocity_customer"]
    assert text.startswith("3 claims from this customer in 60 days: ")
    assert first.reference in text and second.reference in text


def test_velocity_customer_is_silent_with_two_claims():
    customer = CustomerFactory()
    claim_for(customer)
    assert "velocity_customer" not in hits(claim_for(customer))


def test_velocity_address_fires_for_three_claims_from_one_address():
    claims = ring(3, address_line1="12 Elm Street", postal_code="62701")
    text = hits(claims[-1])["velocity_address"]
    assert text.startswith("3 claims from this address in 60 days: ")
    assert claims[0].reference in text and claims[1].reference in text


def test_velocity_address_is_silent_for_claims_outside_the_window():
    old = ring(2, address_line1="12 Elm Street")
    from claims.models import Claim
    from fraud.models import ClaimAttribute

    long_ago = timezone.now() - dt.timedelta(days=90)
    Claim.objects.filter(pk__in=[c.pk for c in old]).update(submitted_at=long_ago)
    ClaimAttribute.objects.filter(claim__in=old).update(claim_submitted_at=long_ago)
    (latest,) = ring(1, address_line1="12 Elm Street")
    assert "velocity_address" not in hits(latest)


def test_velocity_payout_fires_for_three_claims_to_one_account():
    claims = [claim_new() for _ in range(3)]
    for claim in claims:
        fraud_attributes_record(claim=claim, payout_fingerprint="ACCT-fp-77")
    text = hits(claims[-1])["velocity_payout"]
    assert text.startswith("3 claims to this payout account in 60 days: ")


def test_velocity_payout_is_silent_for_different_accounts():
    claims = [claim_new() for _ in range(3)]
    for i, claim in enumerate(claims):
        fraud_attributes_record(claim=claim, payout_fingerprint=f"acct-{i}")
    assert "velocity_payout" not in hits(claims[-1])


# --- amount, dates, account age ----------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "fires"),
    [(95_000, True), (100_000, True), (89_000, False), (100_001, False), (25_000, False)],
)
def test_amount_under_threshold_fires_only_in_the_band_under_the_threshold(amount, fires):
    claim = claim_new(amount_minor=amount)
    found = hits(claim)
    assert ("amount_under_threshold" in found) is fires
    if fires:
        assert "within 10% under the" in found["amount_under_threshold"]
        assert (
            "$1,000.00" in found["amount_under_threshold"]
            or "1,000.00" in found["amount_under_threshold"]
        )


def test_early_incident_fires_when_the_incident_is_before_delivery():
    claim = claim_new()
    # the order system later corrects the delivery date to after the incident
    line = claim.order_line
    line.delivered_on = claim.incident_date + dt.timedelta(days=3)
    line.save()
    assert "before the delivery on" in hits(claim)["early_incident"]


def test_early_incident_fires_for_an_incident_two_days_after_purchase():
    today = timezone.now().date()
    line = OrderLineFactory(
        order__placed_at=timezone.now() - dt.timedelta(days=2),
        delivered_on=today - dt.timedelta(days=1),
    )
    claim = claim_new(order_line=line, incident_date=today)
    assert hits(claim)["early_incident"].startswith("Incident 2 days after the purchase on")


def test_early_incident_is_silent_weeks_after_purchase():
    assert "early_incident" not in hits(claim_new())  # placed 20 days ago, incident 6 days later


def test_new_account_fires_for_an_account_opened_days_before_the_claim():
    customer = CustomerFactory(account_created_on=timezone.now().date() - dt.timedelta(days=5))
    text = hits(claim_for(customer))["new_account"]
    assert text.startswith("Customer account opened 5 days before the claim")


def test_new_account_is_silent_for_old_or_unknown_accounts():
    assert "new_account" not in hits(claim_for(CustomerFactory()))
    assert "new_account" not in hits(claim_for(CustomerFactory(account_created_on=None)))


# --- shared attributes, watchlist, collusion ---------------------------------------------


def test_shared_identity_fires_for_a_phone_in_another_format_on_another_customer():
    other = ring(1, phone="(415) 867-5309")[0]
    claim = claim_for(CustomerFactory(phone=PHONE))
    text = hits(claim)["shared_identity"]
    assert f"Phone “{PHONE}” with 1 other customer ({other.reference})" in text


def test_shared_identity_fires_for_gmail_spellings_of_one_mailbox():
    ring(1, email="Jo.Doe+claims@gmail.com")
    claim = claim_for(CustomerFactory(email="jodoe@gmail.com"))
    assert "E-mail “jodoe@gmail.com” with 1 other customer" in hits(claim)["shared_identity"]


def test_shared_identity_fires_for_a_shared_device():
    other = claim_new()
    fraud_attributes_record(claim=other, device="dev-abc")
    claim = claim_new()
    fraud_attributes_record(claim=claim, device="DEV-ABC ")
    assert "Device “dev-abc” with 1 other customer" in hits(claim)["shared_identity"]


def test_shared_identity_is_silent_for_the_same_customer_or_unique_values():
    customer = CustomerFactory(phone=PHONE)
    claim_for(customer)
    fraud_attributes_record(claim=customer.claims.get())
    assert "shared_identity" not in hits(claim_for(customer))


def test_watchlist_fires_for_a_watched_email_in_another_spelling(analyst):
    watchlist_add(
        kind=AttributeKind.EMAIL,
        value="Ring.Leader@gmail.com",
        reason="Ring PL-1",
        actor=Actor.staff(analyst),
    )
    claim = claim_for(CustomerFactory(email="ringleader+x@gmail.com"))
    assert (
        hits(claim)["watchlist"] == "On the watchlist: E-mail “ringleader@gmail.com” (Ring PL-1)."
    )


def test_watchlist_is_silent_once_the_entry_expired(analyst):
    entry = watchlist_add(
        kind=AttributeKind.EMAIL, value="x@example.com", reason="r", actor=Actor.staff(analyst)
    )
    type(entry).objects.filter(pk=entry.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    assert "watchlist" not in hits(claim_for(CustomerFactory(email="x@example.com")))


def test_seller_collusion_fires_for_three_linked_customers_against_one_seller():
    seller = SellerFactory()
    claims = ring(3, seller=seller, address_line1="9 Oak Avenue", postal_code="62701")
    text = hits(claims[-1])["seller_collusion"]
    assert text.startswith(f"3 linked customers claimed against seller {seller.legal_name}")


def test_seller_collusion_is_silent_when_linked_customers_claim_against_different_sellers():
    claims = ring(3, address_line1="9 Oak Avenue", postal_code="62701")  # a seller each
    assert "seller_collusion" not in hits(claims[-1])


# --- photos -------------------------------------------------------------------------------


def test_duplicate_photo_fires_for_the_same_photo_in_another_claim():
    first, second = claim_new(), claim_new()
    customer_photo(first, photo_bytes(seed=7))
    customer_photo(second, photo_bytes(seed=7))
    assert hits(second)["duplicate_photo"] == (
        f"The same photo appears in 1 other claim: {first.reference}"
    )


def test_duplicate_photo_fires_for_a_near_duplicate():
    first, second = claim_new(), claim_new()
    customer_photo(first, photo_bytes(seed=7))
    customer_photo(second, photo_bytes(seed=7, noise=2))  # two blocks brighter: 2 bits apart
    assert hits(second)["duplicate_photo"] == (
        f"A nearly identical photo (distance 2) appears in 1 other claim: {first.reference}"
    )


def test_duplicate_photo_is_silent_for_different_photos():
    first, second = claim_new(), claim_new()
    customer_photo(first, photo_bytes(seed=7))
    customer_photo(second, photo_bytes(seed=8))
    assert "duplicate_photo" not in hits(second)


def test_photo_before_purchase_reads_exif_captured_before_reencoding():
    claim = claim_new()  # order placed 20 days ago
    taken = timezone.now() - dt.timedelta(days=400)
    evidence = customer_photo(claim, photo_bytes(seed=3, taken_at=taken))
    # the stored file has no EXIF any more, but the date was kept on the fraud side
    assert evidence.fraud_photo.taken_at.date() == taken.date()
    assert "taken before the purchase on" in hits(claim)["photo_before_purchase"]


def test_photo_before_purchase_is_silent_for_later_or_undated_photos():
    claim = claim_new()
    customer_photo(claim, photo_bytes(seed=3, taken_at=timezone.now() - dt.timedelta(days=1)))
    customer_photo(claim, photo_bytes(seed=4))
    assert "photo_before_purchase" not in hits(claim)


def test_every_hit_records_its_rule_version_points_and_inputs():
    claim = claim_new(amount_minor=99_000)
    fraud_score_claim(claim=claim)
    hit = RuleHit.objects.get(rule__code="amount_under_threshold")
    assert (hit.rule_version, hit.points) == (1, 15)
    assert hit.inputs == {
        "claimed_minor": 99_000,
        "threshold_minor": 100_000,
        "band_percent": 10,
        "currency": "USD",
    }
