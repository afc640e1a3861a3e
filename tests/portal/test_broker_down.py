"""With the broker down a customer's submission still succeeds at once; when it is back, the
receipt e-mail and every other follow-up happen exactly once (the database is the outbox)."""

import datetime as dt
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimStatus, Outbox
from claims.outbox import outbox_redispatch
from tests.portal.conftest import jpeg_bytes, sign_in
from tests.portal.helpers import DECLARATIONS, fill_until_evidence, step_url
from tests.support.workers import (
    RedisServer,
    Worker,
    celery_broker,
    demo_mail_env,
    demo_mails,
    wait_for,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.close()


def test_submission_with_broker_down_succeeds_and_the_receipt_is_sent_once_later(
    client, redis_server, tmp_path
):
    from tests.factories import OrderLineFactory

    # given: a customer at the last step, and the broker down
    line = OrderLineFactory()
    sign_in(client, line.order.customer)
    fill_until_evidence(client, line)
    client.post(
        step_url(line, "evidence"),
        {"kind": "damage_photo", "files": [SimpleUploadedFile("p.jpg", jpeg_bytes())]},
    )
    redis_server.stop()
    mail_dir = tmp_path / "mail"
    with celery_broker(redis_server.url):
        # when: they submit
        started = time.monotonic()
        response = client.post(step_url(line, "review"), DECLARATIONS)
        elapsed = time.monotonic() - started
        # then: the confirmation, without a long wait; the work is recorded, not done
        claim = Claim.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:claim-submitted", args=[claim.reference])
        assert elapsed < 5, f"the submission waited {elapsed:.1f}s on a broker that is down"
        outstanding = Outbox.objects.filter(payload__claim_id=claim.pk, done_at__isnull=True)
        assert set(outstanding.values_list("topic", flat=True)) == {
            "claims.screen",
            "claims.notify_customer",
            "fraud.evidence",  # the photo is fingerprinted for the fraud rules
        }
        # when: the broker is back, a worker runs, and the sweeper re-dispatches (twice)
        redis_server.start()
        worker = Worker(broker_url=redis_server.url, extra_env=demo_mail_env(mail_dir)).start()
        try:
            later = timezone.now() + dt.timedelta(minutes=1)
            # the claim's three, and "safety.weigh" for the incident's safety answers
            assert outbox_redispatch(now=later) == 4
            outbox_redispatch(now=later)  # a duplicate on the broker is harmless
            wait_for(
                lambda: not Outbox.objects.filter(done_at__isnull=True).exists(),
                timeout=60,
                what="the worker to finish the outbox",
            )
            time.sleep(1)  # let a duplicate delivery, if any, run too
        finally:
            worker.stop()
        output = worker.output()
        worker.cleanup()
    # then: the receipt was sent exactly once, and the claim was screened exactly once
    receipts = [
        r for r in demo_mails(mail_dir, claim.reference) if r["to"] == [line.order.customer.email]
    ]
    assert len(receipts) == 1, output[-3000:]
    assert receipts[0]["to"] == [line.order.customer.email]
    assert f"/claim/c/{claim.reference}/" in receipts[0]["body"]
    claim.refresh_from_db()
    # Screening scored it and sent it on (to the seller, or to an analyst if it looked risky).
    assert claim.status in (ClaimStatus.AWAITING_SELLER, ClaimStatus.FRAUD_HOLD)
    assert claim.events.filter(to_status=ClaimStatus.SCREENING).count() == 1
    assert all(m.attempts == 1 for m in Outbox.objects.filter(payload__claim_id=claim.pk))
