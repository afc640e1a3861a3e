"""E-mails for every customer-facing event: text and HTML, sent by the worker after commit,
with a working link to the claim page."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from claims.actors import Actor
from claims.lifecycle import Via, owners
from claims.models import ClaimStatus, Outbox
from claims.outbox import deliver
from claims.services import (
    claim_appeal,
    claim_approve,
    claim_deny,
    claim_request_info,
    claim_transition,
)
from tests.factories import ROUTES, claim_in, claim_new

pytestmark = pytest.mark.django_db


def _run_outbox() -> None:
    for message_id in Outbox.objects.filter(done_at__isnull=True).values_list("pk", flat=True):
        deliver(message_id=message_id)


def _event(claim, agent, status):
    staff = Actor.staff(agent)
    if status == "submitted":
        return claim
    if status == ClaimStatus.NEEDS_INFO:
        return claim_request_info(claim=claim, actor=staff, message="Send the bill.")
    if status == ClaimStatus.APPROVED:
        item = claim.losses.get()
        return claim_approve(
            claim=claim, actor=staff, approved={item.pk: item.claimed_minor}, funding="concession"
        )
    if status == ClaimStatus.DENIED:
        return claim_deny(claim=claim, actor=staff, reason_code="no_proof", explanation="No bill.")
    if status == ClaimStatus.APPEALED:
        claim = claim_deny(claim=claim, actor=staff, reason_code="no_proof", explanation="No.")
        _run_outbox()
        mail.outbox.clear()
        return claim_appeal(claim=claim, actor=Actor.customer(claim.customer), reason="Look again")
    if status == ClaimStatus.PAID:
        item = claim.losses.get()
        claim = claim_approve(
            claim=claim, actor=staff, approved={item.pk: item.claimed_minor}, funding="concession"
        )
        claim = claim_transition(
            claim=claim, to=ClaimStatus.PAYOUT_PENDING, actor=Actor.system(), via=Via.PAYOUT
        )
        _run_outbox()
        mail.outbox.clear()
        return claim_transition(
            claim=claim, to=ClaimStatus.PAID, actor=Actor.system(), via=Via.PAYOUT
        )
    raise AssertionError(status)


@pytest.mark.parametrize(
    ("status", "subject", "words"),
    [
        ("submitted", "We received your claim", "We received your claim"),
        (ClaimStatus.NEEDS_INFO, "", "Send the bill."),
        (ClaimStatus.APPROVED, "", "$250.00"),
        (ClaimStatus.DENIED, "", "No bill."),
        (ClaimStatus.APPEALED, "", "We received your appeal"),
        (ClaimStatus.PAID, "", "We sent $250.00"),
    ],
    ids=["received", "information-requested", "approved", "denied", "appeal-received", "paid"],
)
def test_customer_email_is_sent_after_commit_with_text_html_and_a_working_link(
    agent, status, subject, words, django_capture_on_commit_callbacks
):
    # given
    start = ClaimStatus.UNDER_REVIEW if status != "submitted" else None
    claim = claim_in(start) if start else claim_new()
    _run_outbox()
    if status != "submitted":
        mail.outbox.clear()
    # when: the event happens; nothing is sent inside the transaction
    claim = _event(claim, agent, status)
    if status != "submitted":
        assert mail.outbox == []
    _run_outbox()
    # then: one e-mail to the customer, in text and HTML, about this claim
    sent = [m for m in mail.outbox if claim.reference in m.subject + m.body]
    assert len(sent) == 1, [m.subject for m in mail.outbox]
    message = sent[0]
    assert message.to == [claim.customer.email]
    assert subject in message.subject
    assert words in message.body
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html" and words.split()[0] in html
    # and its link opens the claim page once the customer is signed in
    url = re.search(r"http://127\.0\.0\.1:8000(/claim/c/[^\s\"]+/)", message.body).group(1)
    assert url == reverse("portal:claim-detail", args=[claim.reference])
    assert f'href="http://127.0.0.1:8000{url}"' in html
    client = Client()
    from tests.portal.conftest import sign_in

    signed_out = client.get(url)
    assert signed_out.status_code == 302 and "next=" in signed_out["Location"]
    sign_in(client, claim.customer)
    assert client.get(url).status_code == 200


def test_signin_email_is_in_the_language_the_customer_used(client):
    from tests.factories import OrderLineFactory

    # given
    line = OrderLineFactory()
    # when: asking for a link on the Spanish page
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    client.post(
        reverse("portal:sign-in"),
        {"order_number": line.order.number, "email": line.order.customer.email},
    )
    _run_outbox()
    # then
    message = mail.outbox[0]
    assert "enlace" in message.subject.lower()
    assert "Hola" in message.body


def _file_on_the_page_in(client, line, language: str):
    from claims.models import Claim
    from claims.money import amount_input
    from tests.portal.helpers import DECLARATIONS, incident_data, losses_data, step_url

    client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert client.post(step_url(line, "incident"), incident_data(line)).status_code == 302
    # the amount typed the way the customer's language writes it ("250,00" in Spanish)
    amount = amount_input(250_00, line.currency, locale=language)
    response = client.post(step_url(line, "losses"), losses_data(amount_property=amount))
    assert response.status_code == 302
    assert client.post(step_url(line, "review"), DECLARATIONS).status_code == 302
    return Claim.objects.get(order_line=line)


@pytest.mark.parametrize(
    ("language", "received", "approved"),
    [
        ("es", "Hemos recibido su reclamación", "está aprobada"),
        ("en", "We received your claim", "is approved"),
    ],
)
def test_claim_emails_are_in_the_language_the_customer_filed_in(
    customer_client, line, agent, language, received, approved
):
    # given: a claim filed on the page in ``language`` (the region's language is English)
    claim = _file_on_the_page_in(customer_client, line, language)
    assert claim.language == language and claim.region.language == "en"
    _run_outbox()
    assert received in mail.outbox[-1].subject
    # when: staff approve it later, from the back office, in English
    for status in ROUTES[ClaimStatus.UNDER_REVIEW]:
        claim = claim_transition(
            claim=claim, to=status, actor=Actor.system(), via=min(owners(claim.status, status))
        )
    _run_outbox()
    mail.outbox.clear()
    _event(claim, agent, ClaimStatus.APPROVED)
    _run_outbox()
    # then
    assert approved in mail.outbox[-1].subject


def test_a_staff_message_reaches_the_customer_in_their_language_and_the_seller_in_the_regions(
    agent,
):
    from backoffice.handlers import message_send
    from backoffice.services import claim_message_send

    claim = claim_new(language="es")
    for to, subject in (("customer", "Un mensaje sobre"), ("seller", "A message about")):
        mail.outbox.clear()
        event = claim_message_send(claim=claim, user=agent, to=to, text="Hola / Hello")
        message_send(claim_id=claim.pk, event_id=event.pk)
        assert mail.outbox[-1].subject.startswith(subject)


@pytest.mark.parametrize("language", ["", "xx", "it"])
def test_a_claim_in_a_language_the_site_does_not_offer_writes_in_the_regions(language):
    claim = claim_new(language=language)
    assert claim.language == ""
    assert claim.customer_language == claim.region.language == "en"


def test_plain_text_part_is_not_html_escaped_and_the_html_part_is(agent):
    # given: issue 19 found "Tom &amp; Jerry&#x27;s" in the plain-text part
    from backoffice.handlers import message_send
    from backoffice.services import claim_message_send

    claim = claim_new()
    text = 'Tom & Jerry\'s <receipt> "scan"'
    event = claim_message_send(claim=claim, user=agent, to="customer", text=text)
    mail.outbox.clear()
    # when
    message_send(claim_id=claim.pk, event_id=event.pk)
    # then
    sent = mail.outbox[-1]
    assert text in sent.body and "&amp;" not in sent.body and "&#x27;" not in sent.body
    html = sent.alternatives[0][0]
    assert "Tom &amp; Jerry&#x27;s &lt;receipt&gt;" in html
