"""The seller is told about a claim and answers it through the link, until the deadline."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from claims.lifecycle import Via
from claims.links import link_resolve
from claims.models import ClaimEvent, ClaimStatus, EventKind, Evidence, LinkPurpose, Outbox
from sellers.exceptions import ResponseLocked, ResponseRejected
from sellers.models import ResponseDecision, SellerNotice, SellerResponse
from sellers.services.responses import seller_response_submit
from tests.factories import claim_in
from tests.sellers.helpers import LINK, awaiting, link_path, run_outbox

pytestmark = pytest.mark.django_db
NY = zoneinfo.ZoneInfo("America/New_York")


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def _link(path: str, purpose=LinkPurpose.SELLER_RESPONSE):
    return link_resolve(token=LINK.search(path).group("token"), purpose=purpose)


def test_notify_seller_emails_claim_facts_deadline_and_a_bound_link():
    # given: a claim leaves screening for the seller
    claim = claim_in(ClaimStatus.AWAITING_SELLER)
    assert Outbox.objects.filter(topic="sellers.notify_seller").count() == 1
    # when: a worker delivers the follow-up
    run_outbox("sellers.notify_seller")
    # then: one e-mail with what, when, how much, the deadline (region's zone) and a link
    claim.refresh_from_db()
    message = mail.outbox[-1]
    assert message.to == [claim.seller.email]
    deadline = claim.seller_respond_by.astimezone(NY)
    assert claim.reference in message.subject and "America/New_York" in message.body
    assert claim.claimed_total_display in message.body
    assert date_format(deadline, "DATETIME_FORMAT") in message.body
    link = _link(link_path(message.body))
    assert link.claim_id == claim.pk and link.seller_id == claim.seller_id
    assert link.expires_at > claim.seller_respond_by
    notice = SellerNotice.objects.get(claim=claim)
    assert notice.insurance_proof_due - notice.notified_at == dt.timedelta(days=7)
    assert claim.events.filter(kind=EventKind.MESSAGE).count() == 1


def test_notify_seller_skips_a_claim_that_moved_on():
    # given: the claim went on fraud hold before the worker got to the message
    from claims.actors import Actor
    from claims.services import claim_transition

    claim = claim_in(ClaimStatus.AWAITING_SELLER)
    claim_transition(
        claim=claim, to=ClaimStatus.FRAUD_HOLD, actor=Actor.system("test"), via=Via.FRAUD
    )
    # when
    run_outbox("sellers.notify_seller")
    # then: no e-mail, no link, no notice
    assert mail.outbox == []
    assert not claim.access_links.exists() and not SellerNotice.objects.exists()


def test_response_accept_moves_claim_to_seller_responded():
    # given
    claim, path = awaiting()
    # when
    response = seller_response_submit(link=_link(path), decision=ResponseDecision.ACCEPT)
    # then
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SELLER_RESPONDED and response.version == 1
    event = claim.events.get(to_status=ClaimStatus.SELLER_RESPONDED)
    assert event.actor_party == "seller"
    assert claim.events.filter(kind=EventKind.SELLER).count() == 1


def test_response_dispute_without_reasons_is_refused_and_changes_nothing():
    claim, path = awaiting()
    with pytest.raises(ResponseRejected, match="Say why"):
        seller_response_submit(link=_link(path), decision=ResponseDecision.DISPUTE, reasons=" ")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER
    assert not SellerResponse.objects.exists()


def test_response_versions_are_all_kept_and_files_can_be_dropped():
    # given: a dispute with a file
    claim, path = awaiting()
    link = _link(path)
    first = seller_response_submit(
        link=link,
        decision=ResponseDecision.DISPUTE,
        reasons="The heater was used outdoors.",
        files=[("manual.png", _png())],
    )
    # when: the seller changes their mind and drops the file
    second = seller_response_submit(link=link, decision=ResponseDecision.ACCEPT)
    # then: both versions are there, the file is still on the claim, only v1 lists it
    assert [r.version for r in SellerResponse.objects.order_by("version")] == [1, 2]
    assert len(first.evidence_ids) == 1 and second.evidence_ids == []
    assert Evidence.objects.get(pk=first.evidence_ids[0]).uploaded_by_party == "seller"
    with pytest.raises(ValueError):
        first.save()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SELLER_RESPONDED
    assert claim.events.filter(to_status=ClaimStatus.SELLER_RESPONDED).count() == 1


def test_response_after_the_deadline_is_locked_and_changes_nothing():
    claim, path = awaiting()
    later = claim.seller_respond_by + dt.timedelta(seconds=1)
    with pytest.raises(ResponseLocked):
        seller_response_submit(
            link=_link(path), decision=ResponseDecision.ACCEPT, files=[("a.png", _png())], now=later
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER
    assert not SellerResponse.objects.exists() and not Evidence.objects.exists()


def test_response_cannot_keep_files_it_never_had():
    _claim, path = awaiting()
    with pytest.raises(ResponseRejected):
        seller_response_submit(
            link=_link(path), decision=ResponseDecision.ACCEPT, keep_evidence_ids=[12345]
        )
    assert not SellerResponse.objects.exists()


def test_handing_to_the_insurer_gives_the_insurer_its_own_link_and_same_choices():
    # given: the seller hands the claim over
    claim, path = awaiting()
    seller_response_submit(
        link=_link(path),
        decision=ResponseDecision.INSURER,
        insurer_name="Harbor Mutual",
        insurer_email="claims@harbor.test",
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER  # the deadline keeps running
    # when: the insurer is e-mailed and answers through its own link
    run_outbox("sellers.notify_insurer")
    message = mail.outbox[-1]
    assert message.to == ["claims@harbor.test"]
    insurer_path = link_path(message.body)
    assert "/insurer/" in insurer_path
    insurer_link = _link(insurer_path, LinkPurpose.INSURER_RESPONSE)
    with pytest.raises(ResponseRejected):
        seller_response_submit(
            link=insurer_link,
            decision=ResponseDecision.INSURER,
            insurer_name="x",
            insurer_email="x@y.test",
        )
    seller_response_submit(
        link=insurer_link, decision=ResponseDecision.DISPUTE, reasons="Policy excludes misuse."
    )
    # then
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SELLER_RESPONDED
    assert claim.events.get(to_status=ClaimStatus.SELLER_RESPONDED).actor_party == "insurer"
    assert SellerResponse.objects.latest("version").party == "insurer"


def test_handing_to_the_insurer_needs_a_valid_email():
    _claim, path = awaiting()
    with pytest.raises(ResponseRejected, match="e-mail"):
        seller_response_submit(
            link=_link(path),
            decision=ResponseDecision.INSURER,
            insurer_name="Harbor",
            insurer_email="not-an-email",
        )
    assert not SellerResponse.objects.exists()
    assert not Outbox.objects.filter(topic="sellers.notify_insurer").exists()


def test_response_page_deadline_shown_in_the_viewer_time_zone(client):
    # given: a deadline stored in UTC
    claim, path = awaiting()
    # when: a viewer in Tokyo opens the page
    client.cookies["tz"] = "Asia/Tokyo"
    response = client.get(path)
    # then: the deadline is rendered in Tokyo time
    tokyo = claim.seller_respond_by.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Asia/Tokyo" in body and tokyo.isoformat()[:16] in body
    assert timezone.is_aware(claim.seller_respond_by)
    assert ClaimEvent.objects.filter(claim=claim).count() >= 3


def test_a_new_version_cannot_send_a_file_already_on_the_claim():
    # given: a dispute with the manual
    from claims.exceptions import EvidenceRejected

    claim, path = awaiting()
    link = _link(path)
    first = seller_response_submit(
        link=link,
        decision=ResponseDecision.DISPUTE,
        reasons="Used outdoors.",
        files=[("m.png", _png())],
    )
    (manual,) = Evidence.objects.filter(claim=claim)
    # when: a second version sends the same file again (it may keep it instead)
    with pytest.raises(EvidenceRejected) as refused:
        seller_response_submit(
            link=link,
            decision=ResponseDecision.DISPUTE,
            reasons="Used outdoors, see the manual.",
            files=[("manual-again.png", _png())],
        )
    # then: refused naming the file and what it is already; no new version, no new file
    (reason,) = refused.value.reasons
    assert reason.startswith("manual-again.png: This file is already on the claim, added as Other")
    assert list(Evidence.objects.filter(claim=claim)) == [manual]
    assert list(SellerResponse.objects.all()) == [first]


def test_a_seller_is_not_told_what_the_customer_sent_a_file_as():
    # given: the customer's medical bill, which the seller never sees
    from claims.actors import Actor
    from claims.exceptions import EvidenceRejected
    from claims.services import evidence_add

    claim, path = awaiting()
    evidence_add(
        claim=claim,
        data=_png(),
        filename="er-bill.png",
        kind="medical_bill",
        actor=Actor.customer(claim.customer),
    )
    # when: the seller sends the same bytes
    with pytest.raises(EvidenceRejected) as refused:
        seller_response_submit(
            link=_link(path),
            decision=ResponseDecision.DISPUTE,
            reasons="This bill is not for this product.",
            files=[("bill.png", _png())],
        )
    # then: refused, without the kind nor the date of the customer's file
    assert refused.value.reasons == ["bill.png: This file is already on the claim."]
    assert not SellerResponse.objects.exists()
