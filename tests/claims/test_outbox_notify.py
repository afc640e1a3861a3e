"""Customer e-mails are delivered a chunk at a time (a payout batch's paid claims arrive
together): one read, one setup and one relay session for the chunk, each e-mail as it would be
alone, and a refused e-mail kept apart from the others."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import outbox
from claims.models import Claim, ClaimStatus, Outbox
from tests.factories import claim_in
from tests.support.smtp import SmtpRelay

pytestmark = pytest.mark.django_db

TOPIC = "claims.notify_customer"


def _pending() -> list[int]:
    return list(
        Outbox.objects.filter(topic=TOPIC, done_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _emails() -> list[tuple]:
    return [(m.to, m.subject, m.body, m.alternatives) for m in mail.outbox]


def _mixed_claims() -> list[Claim]:
    """Claims whose customers were told different things, in two languages."""
    claims = [
        claim_in(status)
        for status in (
            ClaimStatus.NEEDS_INFO,
            ClaimStatus.APPEALED,
            ClaimStatus.PAID,
            ClaimStatus.WITHDRAWN,
        )
    ]
    Claim.objects.filter(pk__in=[claims[1].pk, claims[2].pk]).update(language="fr")
    return claims


def test_a_chunk_sends_each_customer_the_email_they_would_get_alone(mailoutbox):
    # given: customer e-mails of claims in different states and languages
    claims = _mixed_claims()
    ids = _pending()
    assert len(ids) >= 10
    # when: each message is delivered alone, then all again as one chunk
    for message_id in ids:
        assert outbox.deliver(message_id=message_id) == "done"
    alone = _emails()
    mail.outbox.clear()
    Outbox.objects.filter(pk__in=ids).update(done_at=None, attempts=0, locked_until=None)
    assert outbox.deliver_many(message_ids=ids) == len(ids)
    # then: the same e-mails, each with its own claim's page and language
    assert _emails() == alone
    for claim in claims:
        url = settings.SITE_URL + reverse("portal:claim-detail", args=[claim.reference])
        mine = [m for m in mail.outbox if m.to == [claim.customer.email]]
        assert mine and all(url in m.body for m in mine)
    french = [m.subject for m in mail.outbox if m.to == [claims[2].customer.email]]
    assert any("Paiement" in subject for subject in french), french


def test_a_chunk_reads_its_claims_in_one_query_whatever_its_size(mailoutbox):
    # given: two chunks of customer e-mails, one twice the size of the other
    _mixed_claims()
    ids = _pending()
    small, large = ids[:3], ids[3:9]

    def queries(chunk: list[int]) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert outbox.deliver_many(message_ids=chunk) == len(chunk)
        return len(captured)

    # then: the same statements for either (no query per claim, customer or region)
    assert queries(small) == queries(large)
    assert len(mail.outbox) == 9


@pytest.fixture
def relay(settings):
    """The e-mail relay is the outside world: a real SMTP server on a port of its own."""
    with SmtpRelay() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = "relay-user"
        settings.EMAIL_HOST_PASSWORD = "relay-pass"
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield server


def test_a_chunk_of_customer_emails_goes_through_one_relay_session(relay):
    # given: three customers to tell that their claim needs information
    claims = [claim_in(ClaimStatus.NEEDS_INFO) for _ in range(3)]
    ids = [
        m.pk
        for m in Outbox.objects.filter(topic=TOPIC).order_by("pk")
        if m.payload["claim_id"] in {c.pk for c in claims}
    ]
    # when: delivered as one chunk
    assert outbox.deliver_many(message_ids=ids) == len(ids)
    # then: every e-mail went out, through one sign-in to the relay
    assert len(relay.received.messages) == len(ids)
    assert relay.received.logins == [("relay-user", "relay-pass")]


def test_an_email_the_relay_refuses_waits_alone_and_the_rest_of_the_chunk_goes_out(relay):
    # given: three customers; the relay refuses the second one's address
    claims = [claim_in(ClaimStatus.SUBMITTED) for _ in range(3)]
    relay.refuse(claims[1].customer.email)
    ids = _pending()
    assert len(ids) == 3
    # when: delivered as one chunk
    assert outbox.deliver_many(message_ids=ids) == 2
    # then: the others were sent (the session after the refusal is a new one), and only the
    # refused message waits, with the relay's answer
    assert [m["to"] for m in relay.received.messages] == [
        [claims[0].customer.email],
        [claims[2].customer.email],
    ]
    assert len(relay.received.logins) == 2
    waiting = Outbox.objects.get(topic=TOPIC, done_at__isnull=True)
    assert waiting.pk == ids[1] and "550" in waiting.last_error
