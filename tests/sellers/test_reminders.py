"""Reminders before the response deadline and before a certificate expires: each sent once."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from claims.models import Outbox
from sellers.models import CertificateStatus, InsuranceCertificate, InsurerRating
from sellers.services.reminders import certificate_reminders_send, seller_reminders_send
from tests.factories import SellerFactory
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
    InsuranceCertificate.objects.create(
        seller=seller,
        insurer_name="Harbor",
        policy_number="GL-1",
        currency="USD",
        per_occurrence_minor=100_000_000,
        aggregate_minor=100_000_000,
        insurer_rating=InsurerRating.A,
        marketplace_additional_insured=True,
        effective_date=today - dt.timedelta(days=300),
        expiry_date=today + dt.timedelta(days=40),
        status=CertificateStatus.VALID,
    )
    now = timezone.now()
    assert certificate_reminders_send(now=now) == 0
    assert certificate_reminders_send(now=now + dt.timedelta(days=10)) == 1
    assert certificate_reminders_send(now=now + dt.timedelta(days=11)) == 0
    run_outbox("sellers.remind_certificate")
    assert mail.outbox[-1].to == [seller.email] and "expires on" in mail.outbox[-1].subject
