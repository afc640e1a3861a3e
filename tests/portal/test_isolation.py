"""Customer A cannot see, download or act on anything of customer B, on any URL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.actors import Actor
from claims.models import Claim, ClaimEvent, ClaimStatus, Evidence
from claims.services import evidence_add
from tests.factories import OrderLineFactory, claim_in
from tests.portal.conftest import jpeg_bytes, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_claim():
    claim = claim_in(ClaimStatus.DENIED)
    evidence_add(
        claim=claim,
        data=jpeg_bytes(),
        filename="b-private.jpg",
        kind="other",
        actor=Actor.customer(claim.customer),
    )
    return claim


def _b_urls(claim: Claim, evidence: Evidence) -> list[tuple[str, str, dict]]:
    ref = claim.reference
    photo = SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg")
    return [
        ("get", reverse("portal:claim-detail", args=[ref]), {}),
        ("get", reverse("portal:claim-submitted", args=[ref]), {}),
        ("get", reverse("portal:evidence-download", args=[ref, evidence.pk]), {}),
        ("post", reverse("portal:claim-evidence", args=[ref]), {"kind": "other", "files": [photo]}),
        ("post", reverse("portal:claim-answer", args=[ref]), {"message": "x", "kind": "other"}),
        ("get", reverse("portal:claim-withdraw", args=[ref]), {}),
        ("post", reverse("portal:claim-withdraw", args=[ref]), {"confirm": "on"}),
        ("post", reverse("portal:claim-appeal", args=[ref]), {"reason": "Because."}),
        ("get", reverse("portal:wizard", args=[claim.order_line_id, "incident"]), {}),
        (
            "post",
            reverse("portal:wizard", args=[claim.order_line_id, "incident"]),
            {"incident_date": "2026-01-01"},
        ),
        ("get", reverse("portal:wizard", args=[claim.order_line_id, "review"]), {}),
    ]


def test_customer_a_gets_404_on_every_url_of_customer_b(client, b_claim):
    # given: customer A signed in, customer B's denied claim with a file
    a_line = OrderLineFactory()
    sign_in(client, a_line.order.customer)
    evidence = Evidence.objects.get(claim=b_claim)
    events_before = ClaimEvent.objects.count()
    for method, url, data in _b_urls(b_claim, evidence):
        # when
        response = getattr(client, method)(url, data)
        # then: as if it did not exist
        assert response.status_code == 404, (method, url, response.status_code)
    b_claim.refresh_from_db()
    assert b_claim.status == ClaimStatus.DENIED
    assert ClaimEvent.objects.count() == events_before
    assert Evidence.objects.filter(claim=b_claim).count() == 1


def test_customer_a_sees_nothing_of_b_in_lists(client, b_claim):
    a_line = OrderLineFactory()
    sign_in(client, a_line.order.customer)
    for url in (reverse("portal:home"), reverse("portal:new-claim")):
        html = client.get(url).content.decode()
        assert b_claim.reference not in html
        assert b_claim.order_line.order.number not in html
        assert a_line.order.number in html


def test_signed_out_visitor_is_sent_to_sign_in_from_every_url(client, b_claim):
    evidence = Evidence.objects.get(claim=b_claim)
    for method, url, data in _b_urls(b_claim, evidence):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("portal:sign-in"))


def test_staff_session_is_not_a_customer_session(client, agent, b_claim):
    client.force_login(agent)
    response = client.get(reverse("portal:claim-detail", args=[b_claim.reference]))
    assert response.status_code == 302
