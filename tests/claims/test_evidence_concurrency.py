"""Two people sending the same file to one claim at the same moment: one copy is kept.

The duplicate rule (``claims.duplicates``) reads the claim's files; without a lock, a second
request that reads them before the first commits sees nothing and attaches its copy too. Each
attach locks the claim's row first, so the second waits for the first and then sees its file.
Real PostgreSQL connections (one per thread), as two web workers would have."""

import threading

import pytest
from django.db import connection, transaction

from claims.actors import Actor
from claims.exceptions import EvidenceRejected
from claims.models import ClaimStatus, Evidence, EvidenceKind
from claims.services import evidence_add
from tests.factories import certificate_pdf, claim_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_file_sent_twice_at_once_is_kept_once():
    assert connection.vendor == "postgresql"
    # given: a claim, and the first request's attach done but not yet committed
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    pdf = certificate_pdf("Police report 42")
    attached, release = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def send(name: str, hold: bool) -> None:
        try:
            with transaction.atomic():
                evidence_add(
                    claim=claim,
                    data=pdf,
                    filename=f"{name}.pdf",
                    kind=EvidenceKind.OTHER,
                    actor=Actor.customer(claim.customer),
                )
                if hold:
                    attached.set()
                    release.wait(10)
            outcomes[name] = "attached"
        except EvidenceRejected as exc:
            outcomes[name] = exc
        finally:
            connection.close()

    first = threading.Thread(target=send, args=("first", True))
    first.start()
    assert attached.wait(10)
    # when: the second request comes while the first has not committed
    second = threading.Thread(target=send, args=("second", False))
    second.start()
    second.join(1.0)
    waited = second.is_alive()
    release.set()
    first.join(10)
    second.join(10)
    # then: the second waited for the first, then was told the file is already there
    assert waited, "the second attach did not wait for the first"
    assert outcomes["first"] == "attached"
    assert isinstance(outcomes["second"], EvidenceRejected)
    assert Evidence.objects.filter(claim=claim).count() == 1
