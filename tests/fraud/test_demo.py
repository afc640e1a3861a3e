import pytest

from claims.demo import demo_seed
from claims.models import Claim, ClaimStatus, Outbox
from fraud.demo import RING_STORY
from fraud.models import Assessment, WatchlistEntry

pytestmark = pytest.mark.django_db


def test_demo_fraud_ring_is_found_by_the_rules():
    # when
    demo_seed()
    # then the ring's first claim was confirmed, the others wait for an analyst
    ring = list(Claim.objects.filter(description=RING_STORY).order_by("pk"))
    assert [c.status for c in ring] == [ClaimStatus.DENIED] + [ClaimStatus.FRAUD_HOLD] * 3
    last = Assessment.objects.filter(claim=ring[-1]).first()
    fired = {h.rule.code: h.explanation for h in last.hits.select_related("rule")}
    assert {
        "velocity_address",
        "shared_identity",
        "duplicate_photo",
        "photo_before_purchase",
        "seller_collusion",
        "amount_under_threshold",
    } <= set(fired)
    assert fired["velocity_address"].startswith("4 claims from this address in 60 days")
    assert ring[0].reference in fired["duplicate_photo"]
    assert last.score == 100 and last.level == "high"
    assert set(WatchlistEntry.objects.values_list("kind", flat=True)) == {"address", "phone"}
    # every demo claim past submission has a score; nothing is left for the workers
    assert not (
        Claim.objects.exclude(status=ClaimStatus.SUBMITTED).filter(risk_score__isnull=True).exists()
    )
    assert not Outbox.objects.filter(done_at__isnull=True).exists()
