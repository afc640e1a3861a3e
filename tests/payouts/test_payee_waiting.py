"""An approved claim without payment details waits where the customer and staff can see it,
the customer is reminded (each reminder once, in bounded batches), and after payment the
customer's page says where and when."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimStatus, Outbox
from claims.outbox import deliver
from payouts.models import PayeeReminder
from payouts.services import payee_reminders_send, payouts_send_due
from tests.payouts.helpers import approved_claim, deliver_payout_messages, with_payee
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


def _waiting(days_ago: float):
    claim = approved_claim(account=None)
    deliver_payout_messages()
    Claim.objects.filter(pk=claim.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    claim.refresh_from_db()
    return claim


def test_staff_claim_page_says_payment_details_are_needed(client, agent):
    claim = _waiting(0)
    client.force_login(agent)
    html = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert 'id="payee-needed"' in html and "Payment details needed" in html
    with_payee(claim.customer)
    html = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert 'id="payee-needed"' not in html and "••••5678" in html


def test_customer_claim_page_says_so_while_the_payout_waits(client):
    claim = _waiting(0)
    payouts_send_due()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYOUT_PENDING
    sign_in(client, claim.customer)
    html = client.get(reverse("portal:claim-detail", args=[claim.reference])).content.decode()
    assert 'id="payee-needed"' in html
    assert "Your payment is on its way." not in html


def test_reminders_go_once_each_at_their_offsets(settings):
    settings.PAYEE_REMINDER_DAYS = [1, 3]
    # given: a claim approved 2 days ago without details, one approved an hour ago
    old, new = _waiting(2), _waiting(0.04)
    # when: the sweeper runs twice
    assert payee_reminders_send() == 1
    assert payee_reminders_send() == 0
    # then: one reminder for the old claim, its e-mail queued once
    assert list(PayeeReminder.objects.values_list("claim_id", "number")) == [(old.pk, 1)]
    message = Outbox.objects.get(topic="payouts.payee_reminder")
    deliver(message_id=message.pk)
    sent = mail.outbox[-1]
    assert sent.to == [old.customer.email] and old.reference in sent.subject
    assert reverse("portal:claim-payee", args=[old.reference]) in sent.body
    # when: four days later, only the latest due reminder goes
    later = timezone.now() + dt.timedelta(days=4)
    assert payee_reminders_send(now=later) == 2  # old: number 2; new: number 2 (skips 1)
    assert set(PayeeReminder.objects.values_list("claim_id", "number")) == {
        (old.pk, 1),
        (old.pk, 2),
        (new.pk, 2),
    }
    assert payee_reminders_send(now=later + dt.timedelta(days=30)) == 0


def test_reminders_are_bounded_and_stop_once_details_are_given(settings):
    settings.PAYEE_REMINDER_DAYS = [1]
    claims = [_waiting(2) for _i in range(3)]
    assert payee_reminders_send(limit=2) == 2
    with_payee(claims[2].customer)
    assert payee_reminders_send(limit=2) == 0
    # a reminder recorded before the details arrived is not sent after them
    reminded = PayeeReminder.objects.first().claim
    with_payee(reminded.customer)
    outbox = Outbox.objects.filter(
        topic="payouts.payee_reminder", payload__claim_id=reminded.pk
    ).get()
    deliver(message_id=outbox.pk)
    assert not [m for m in mail.outbox if reminded.reference in m.subject]


def test_paid_claim_page_shows_where_and_when(client):
    claim = approved_claim(account="12345678")
    deliver_payout_messages()
    payouts_send_due()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    sign_in(client, claim.customer)
    html = client.get(reverse("portal:claim-detail", args=[claim.reference])).content.decode()
    assert 'id="paid-where"' in html
    assert f"We sent {claim.approved_total_display} to your account ending 5678" in html
    assert "12345678" not in html
    # still true after the customer changes their details for later claims
    client.post(
        reverse("portal:claim-payee", args=[claim.reference]),
        {
            "scheme": "us_aba",
            "holder_name": "J",
            "routing_number": "021000021",
            "account_number": "99998888",
        },
    )
    html = client.get(reverse("portal:claim-detail", args=[claim.reference])).content.decode()
    assert "to your account ending 5678" in html and "account ending 8888" in html


def test_payment_email_says_which_account_masked():
    claim = approved_claim(account="12345678")
    deliver_payout_messages()
    payouts_send_due()
    paid_event = claim.events.get(to_status=ClaimStatus.PAID)
    message = Outbox.objects.get(topic="claims.notify_customer", payload__event_id=paid_event.pk)
    deliver(message_id=message.pk)
    sent = [m for m in mail.outbox if "Payment sent" in m.subject]
    assert len(sent) == 1
    assert "to your account ending 5678" in sent[0].body and "12345678" not in sent[0].body
