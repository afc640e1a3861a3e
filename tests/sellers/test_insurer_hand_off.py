"""A hand-off to the insurer, recorded through the seller's page, always reaches the insurer
through the outbox: even when the same answer's photo put the claim on fraud hold."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from claims.actors import Actor
from claims.models import Claim, ClaimStatus
from fraud.models import FraudLabel
from fraud.services import fraud_clear, fraud_hold
from sellers.models import SellerResponse
from tests.sellers.helpers import OVER, awaiting, link_path, run_outbox

pytestmark = pytest.mark.django_db

INSURER = "claims@harbor.example"


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (30, 60, 200)).save(out, "PNG")
    return SimpleUploadedFile("damage.png", out.getvalue(), content_type="image/png")


def _hand_off(client, path: str):
    return client.post(
        path,
        {
            "decision": "insurer",
            "insurer_name": "Harbor Mutual",
            "insurer_email": INSURER,
            "files": [_photo()],
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )


def _to_insurer():
    return [m for m in mail.outbox if m.to == [INSURER]]


def test_it_tells_the_insurer_of_a_hand_off_even_when_the_photo_put_the_claim_on_hold(
    client, analyst
):
    # given: a claim awaiting its seller; the seller hands it to the insurer with a photo
    claim, path = awaiting(amount_minor=OVER)
    response = _hand_off(client, path)
    assert response.status_code == 302
    assert SellerResponse.objects.get().insurer_email == INSURER
    # when: the photo's re-scoring puts the claim on hold before the insurer's message is run
    fraud_hold(claim=claim, actor=Actor.system("fraud scoring"), note="Photo seen elsewhere.")
    assert run_outbox("sellers.notify_insurer") == 1
    # then: the insurer is told of the hand-off, without a link to answer a held claim nor a
    # deadline that cannot hold
    told = _to_insurer()
    assert len(told) == 1
    assert claim.reference in told[0].subject
    assert "/insurer/" not in told[0].body
    assert not claim.access_links.filter(purpose="insurer_response").exists()


def test_it_gives_the_insurer_its_link_and_the_paused_deadline_when_the_hold_is_released(
    client, analyst
):
    # given: a handed-off claim held for two days by the fraud team
    claim, path = awaiting(amount_minor=OVER)
    _hand_off(client, path)
    fraud_hold(claim=claim, actor=Actor.system("fraud scoring"), note="Photo seen elsewhere.")
    run_outbox("sellers.notify_insurer")
    claim.refresh_from_db()
    before = claim.seller_respond_by
    Claim.objects.filter(pk=claim.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=2)
    )
    claim.refresh_from_db()
    # when: the analyst clears it and the workers run
    fraud_clear(
        claim=claim, actor=Actor.staff(analyst), label=FraudLabel.FALSE_POSITIVE, note="Fine."
    )
    run_outbox("sellers.notify_seller")
    run_outbox("sellers.notify_insurer")
    # then: the deadline moved by the time on hold, and the insurer has its own link now
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER
    assert claim.seller_respond_by - before >= dt.timedelta(days=2)
    assert claim.seller_respond_by - before < dt.timedelta(days=2, minutes=5)
    told = _to_insurer()
    assert len(told) == 2
    assert "/insurer/" in link_path(told[-1].body)


def test_it_tells_the_insurer_when_a_seller_who_had_answered_hands_the_claim_over(client):
    # given: the seller accepted first (the claim moved to "seller responded")
    claim, path = awaiting(amount_minor=OVER)
    client.post(path, {"decision": "accept"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SELLER_RESPONDED
    # when: they change their answer to a hand-off
    _hand_off(client, path)
    run_outbox("sellers.notify_insurer")
    # then: the insurer is told, with its link
    told = _to_insurer()
    assert len(told) == 1 and "/insurer/" in link_path(told[0].body)
