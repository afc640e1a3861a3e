"""Reminders before the response deadline and before a certificate expires: each sent once."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from claims.models import Outbox
from sellers.services.reminders import certificate_reminders_send, seller_reminders_send
from tests.factories import CertificateFactory, SellerFactory
from tests.sellers.helpers import awaiting, run_outbox

pytestmark = pytest.mark.django_db


def test_seller_reminders_once_per_offset():
    # given: a claim with the default offsets 48h and 24h
    claim, _ = awaiting()
    deadline = claim.seller_respond_by
    mail.outbox.clear()
    # when: the sweeper runs often, across both offsets
    assert seller_reminders_send(now=deadline - dt.timedelta(hours=72)) == 0
    assert seller_reminders_send(now=deadline - dt.timedelta(hours=47)) == 1
    assert seller_reminders_send(now=deadline - dt.timedelta(hours=30)) == 0
    assert seller_reminders_send(now=deadline - dt.timedelta(hours=23)) == 1
    assert seller_reminders_send(now=deadline - dt.timedelta(hours=1)) == 0
    assert seller_reminders_send(now=deadline + dt.timedelta(hours=1)) == 0
    # then: two reminders, each e-mailed with a link
    assert run_outbox("sellers.remind_seller") == 2
    assert len(mail.outbox) == 2
    assert "Less than 48 hours" in mail.outbox[0].body and "/respond/" in mail.outbox[0].body


def test_seller_reminders_short_window_sends_only_the_nearest():
    claim, _ = awaiting()
    assert seller_reminders_send(now=claim.seller_respond_by - dt.timedelta(hours=2)) == 1
    assert seller_reminders_send(now=claim.seller_respond_by - dt.timedelta(hours=1)) == 0
    assert Outbox.objects.get(topic="sellers.remind_seller").payload["offset_hours"] == 24


def test_seller_reminders_follow_region_policy():
    claim, _ = awaiting()
    claim.region.seller_reminder_hours = ""
    claim.region.save()
    assert seller_reminders_send(now=claim.seller_respond_by - dt.timedelta(hours=1)) == 0


def test_certificate_expiry_reminder_30_days_ahead_once():
    today = timezone.now().date()
    seller = SellerFactory()
    CertificateFactory(
        seller=seller,
        verified=True,
        effective_date=today - dt.timedelta(days=300),
        expiry_date=today + dt.timedelta(days=40),
    )
    now = timezone.now()
    assert certificate_reminders_send(now=now) == 0
    assert certificate_reminders_send(now=now + dt.timedelta(days=10)) == 1
    assert certificate_reminders_send(now=now + dt.timedelta(days=11)) == 0
    run_outbox("sellers.remind_certificate")
    assert mail.outbox[-1].to == [seller.email] and "expires on" in mail.outbox[-1].subject


def test_a_claim_handed_to_the_insurer_reminds_the_insurer_too_with_a_working_link(client):
    from claims.links import link_resolve
    from claims.models import ClaimEvent, EventKind, LinkPurpose
    from sellers.models import ResponseDecision
    from sellers.services.responses import seller_response_submit
    from tests.sellers.helpers import LINK, link_path

    # given: the seller handed the claim to its insurer; the deadline keeps running
    claim, path = awaiting()
    seller_response_submit(
        link=link_resolve(
            token=LINK.search(path).group("token"), purpose=LinkPurpose.SELLER_RESPONSE
        ),
        decision=ResponseDecision.INSURER,
        insurer_name="Harbor Mutual",
        insurer_email="claims@harbor.test",
    )
    run_outbox("sellers.notify_insurer")
    mail.outbox.clear()
    # when: the 24-hour reminder goes out
    assert seller_reminders_send(now=claim.seller_respond_by - dt.timedelta(hours=2)) == 1
    run_outbox("sellers.remind_seller")
    # then: the seller and the insurer are both reminded, each with their own link
    to_seller, to_insurer = sorted(mail.outbox, key=lambda m: m.to != [claim.seller.email])
    assert to_insurer.to == ["claims@harbor.test"]
    assert "Hello Harbor Mutual" in to_insurer.body and "Less than 24 hours" in to_insurer.body
    insurer_path = link_path(to_insurer.body)
    assert "/insurer/" in insurer_path and client.get(insurer_path).status_code == 200
    assert ClaimEvent.objects.filter(
        claim=claim, kind=EventKind.MESSAGE, actor_label="insurer reminder"
    ).exists()


def test_a_claim_not_with_an_insurer_reminds_only_the_seller():
    claim, _ = awaiting()
    mail.outbox.clear()
    seller_reminders_send(now=claim.seller_respond_by - dt.timedelta(hours=2))
    run_outbox("sellers.remind_seller")
    assert [m.to for m in mail.outbox] == [[claim.seller.email]]
