"""Who may open which evidence (issue 14): the permission matrix by kind and party, through each
party's own file view, and the lists each page shows.

One rule decides it (``claims.evidence.evidence_visible``); here every party asks for every
file through the page it really uses: the customer's portal, the seller's link and inbox, the
insurer's link (before and after the hand-off), the adjuster's link and the staff view.
"""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from claims.actors import Actor
from claims.evidence import evidence_share_with_customer
from claims.links import link_issue
from claims.models import (
    ClaimEvent,
    EventKind,
    Evidence,
    EvidenceKind,
    LinkPurpose,
    MedicalAccess,
)
from claims.services import evidence_add
from portal.session import SESSION_KEY as CUSTOMER_SESSION
from sellers.services.responses import seller_response_submit
from sellers.session import SESSION_KEY as SELLER_SESSION
from tests.sellers.helpers import LINK, OVER, awaiting

pytestmark = pytest.mark.django_db


def _png(shade: int = 40) -> bytes:
    """A small photo; each ``shade`` is another file (the same bytes are one file on a claim)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, shade, 40)).save(buffer, "PNG")
    return buffer.getvalue()


# file -> (uploader, kind)
FILES = {
    "product_photo": ("customer", EvidenceKind.PRODUCT_PHOTO),
    "damage_photo": ("customer", EvidenceKind.DAMAGE_PHOTO),
    "receipt": ("customer", EvidenceKind.RECEIPT),
    "medical_bill": ("customer", EvidenceKind.MEDICAL_BILL),
    "customer_report": ("customer", EvidenceKind.REPORT),
    "customer_other": ("customer", EvidenceKind.OTHER),
    "seller_dispute": ("seller", EvidenceKind.OTHER),
    "seller_shared": ("seller", EvidenceKind.OTHER),  # staff share it with the customer
    "staff_report": ("staff", EvidenceKind.REPORT),
}
PARTIES = [
    "customer",
    "seller_link",
    "seller_inbox",
    "insurer_before",
    "insurer_after",
    "adjuster",
    "agent",
    "medical_agent",
    "agent_other_region",
    "analyst",
    "supervisor",
    "outsider",
    "other_customer",
    "other_seller",
]
STAFF = {"agent", "medical_agent", "agent_other_region", "analyst", "supervisor"}
ALL = set(FILES)
DEFENCE = {"product_photo", "damage_photo", "receipt", "seller_dispute", "seller_shared"}
# party -> the files it may open; every other file answers 404 (403 for staff without a role)
MAY_OPEN = {
    "customer": {
        "product_photo",
        "damage_photo",
        "receipt",
        "medical_bill",
        "customer_report",
        "customer_other",
        "seller_shared",
    },
    "seller_link": DEFENCE,
    "seller_inbox": DEFENCE,
    "insurer_before": set(),
    "insurer_after": ALL - {"staff_report"},
    "adjuster": ALL,
    # Medical documents are health data (GDPR art. 9): staff open them only with
    # claims.view_medical_evidence (supervisors; agents with the "Medical records" role).
    "agent": ALL - {"medical_bill"},
    "medical_agent": ALL,
    "agent_other_region": set(),  # need-to-know: assigned to Canada only, the claim is in the US
    "analyst": ALL - {"medical_bill"},
    "supervisor": ALL,
    "outsider": set(),
    "other_customer": set(),
    "other_seller": set(),
}


@pytest.fixture
def world(cast):
    from fraud.models import Referral
    from tests.factories import SellerFactory, claim_in

    claim, path = awaiting(amount_minor=OVER)
    seller_token = LINK.search(path).group("token")
    actors = {
        "customer": Actor.customer(claim.customer),
        "seller": Actor.seller(claim.seller),
        "staff": Actor.staff(cast["agent"]),
    }
    files = {}
    for shade, (name, (uploader, kind)) in enumerate(FILES.items()):
        files[name] = evidence_add(
            claim=claim,
            data=_png(shade),
            filename=f"{name}.png",
            kind=kind,
            actor=actors[uploader],
        )
    evidence_share_with_customer(evidence=files["seller_shared"], actor=actors["staff"])
    _link, insurer_token = link_issue(
        purpose=LinkPurpose.INSURER_RESPONSE,
        email="claims@insurer.test",
        expires_in=dt.timedelta(days=30),
        claim=claim,
        seller=claim.seller,
    )
    # An adjuster referred to the claim (the referral's link, as fraud_refer issues it).
    link, adjuster_token = link_issue(
        purpose=LinkPurpose.ADJUSTER_REVIEW,
        email="expert@adjusters.test",
        expires_in=dt.timedelta(days=30),
        claim=claim,
    )
    Referral.objects.create(
        claim=claim,
        adjuster_email="expert@adjusters.test",
        link=link,
        referred_by=cast["supervisor"],
        due_at=timezone.now() + dt.timedelta(days=14),
    )
    other_claim = claim_in("under_review")
    other_seller = SellerFactory()
    from claims import roles
    from tests.conftest import _staff

    medical_agent = _staff("medical-agent", roles.AGENT)
    medical_agent.groups.add(Group.objects.get(name=roles.MEDICAL))
    cast = {
        **cast,
        "medical_agent": medical_agent,
        "agent_other_region": _staff("agent-ca", roles.AGENT, regions=["CA"]),
    }
    return {
        "claim": claim,
        "files": files,
        "seller_token": seller_token,
        "insurer_token": insurer_token,
        "adjuster_token": adjuster_token,
        "other_customer": other_claim.customer,
        "other_seller": other_seller,
        "cast": cast,
    }


def _client_and_url(world, party: str, evidence: Evidence) -> tuple[Client, str]:
    client = Client()
    claim = world["claim"]
    ref, pk = claim.reference, evidence.pk
    if party in ("customer", "other_customer"):
        session = client.session
        customer = claim.customer if party == "customer" else world["other_customer"]
        session[CUSTOMER_SESSION] = customer.pk
        session.save()
        return client, reverse("portal:evidence-download", args=[ref, pk])
    if party == "seller_link":
        return client, reverse("sellers:evidence", args=[ref, world["seller_token"], pk])
    if party in ("seller_inbox", "other_seller"):
        session = client.session
        seller = claim.seller if party == "seller_inbox" else world["other_seller"]
        session[SELLER_SESSION] = seller.pk
        session.save()
        return client, reverse("sellers:inbox-evidence", args=[ref, pk])
    if party.startswith("insurer"):
        return client, reverse("sellers:insurer-evidence", args=[ref, world["insurer_token"], pk])
    if party == "adjuster":
        return client, reverse("fraud:adjuster-evidence", args=[world["adjuster_token"], pk])
    client.force_login(world["cast"][party])
    return client, reverse("claims:evidence-download", args=[pk])


def _hand_to_insurer(world) -> None:
    from claims.models import AccessLink

    link = AccessLink.objects.filter(
        purpose=LinkPurpose.SELLER_RESPONSE, claim=world["claim"]
    ).latest("pk")
    seller_response_submit(
        link=link,
        decision="insurer",
        insurer_name="Harbor Mutual",
        insurer_email="claims@insurer.test",
    )


@pytest.mark.parametrize("party", PARTIES)
def test_evidence_matrix_by_kind_and_party(world, party):
    # given: one file of every kind from the customer, the seller's and the staff's files, one
    # seller file staff shared with the customer; for "insurer_after" the seller handed over
    if party == "insurer_after":
        _hand_to_insurer(world)
    opened, refused = set(), set()
    for name, evidence in world["files"].items():
        client, url = _client_and_url(world, party, evidence)
        # when
        response = client.get(url)
        # then: the file itself, or nothing (never a hint that it exists)
        if response.status_code == 200:
            assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
            assert response["Content-Type"] == "image/png"  # inline, not only a name
            opened.add(name)
        else:
            refusal = 403 if party == "outsider" else 404
            assert response.status_code == refusal, (name, response.status_code)
            refused.add(name)
    assert opened == MAY_OPEN[party]
    assert refused == ALL - MAY_OPEN[party]
    # every opening of the medical bill by staff is logged once; a refusal logs nothing
    logged = MedicalAccess.objects.filter(evidence=world["files"]["medical_bill"])
    staff_opened = party in STAFF and "medical_bill" in opened
    assert logged.count() == (1 if staff_opened else 0)
    if staff_opened:
        assert logged.get().user == world["cast"][party]


def test_seller_page_lists_and_shows_only_what_the_seller_may_open(world, client):
    # when: the seller opens the claim's link page
    claim = world["claim"]
    page = client.get(reverse("sellers:respond", args=[claim.reference, world["seller_token"]]))
    body = page.content.decode()
    # then: the customer's photos and receipt are shown inline; no medical bill, not even named
    for name in ("product_photo", "damage_photo", "receipt"):
        url = reverse(
            "sellers:evidence",
            args=[claim.reference, world["seller_token"], world["files"][name].pk],
        )
        assert f'<img src="{url}"' in body
    assert "medical_bill" not in body and "Medical bill" not in body
    assert "staff_report" not in body and "customer_report" not in body


def test_customer_page_lists_own_and_shared_files_not_the_sellers(world, client):
    claim = world["claim"]
    session = client.session
    session[CUSTOMER_SESSION] = claim.customer.pk
    session.save()
    body = client.get(reverse("portal:claim-detail", args=[claim.reference])).content.decode()
    assert "medical_bill.png" in body and "seller_shared.png" in body
    assert "seller_dispute.png" not in body and "staff_report.png" not in body


def test_seller_email_does_not_name_a_medical_bill():
    from django.core import mail

    from claims.models import ClaimStatus
    from tests.factories import claim_in
    from tests.sellers.helpers import run_outbox

    # given: a claim entering "awaiting seller" with a medical bill and a product photo
    claim = claim_in(ClaimStatus.AWAITING_SELLER, amount_minor=OVER)
    evidence_add(
        claim=claim,
        data=_png(),
        filename="hospital-bill.png",
        kind=EvidenceKind.MEDICAL_BILL,
        actor=Actor.customer(claim.customer),
    )
    evidence_add(
        claim=claim,
        data=_png(41),
        filename="heater.png",
        kind=EvidenceKind.PRODUCT_PHOTO,
        actor=Actor.customer(claim.customer),
    )
    # when: the worker e-mails the seller
    run_outbox("sellers.notify_seller")
    body = mail.outbox[-1].body
    assert "heater.png" in body and "hospital-bill.png" not in body
    assert "/sellers/inbox/claims/" in body


@pytest.mark.parametrize(
    ("role", "status"), [("agent", 302), ("supervisor", 302), ("analyst", 403), ("outsider", 403)]
)
def test_staff_share_a_file_with_the_customer_is_recorded(world, role, status):
    # given: the seller's dispute file, which the customer may not open
    evidence = world["files"]["seller_dispute"]
    client = Client()
    client.force_login(world["cast"][role])
    url = reverse("backoffice:claim-evidence-share", args=[world["claim"].pk, evidence.pk])
    events = ClaimEvent.objects.filter(claim=world["claim"], kind=EventKind.EVIDENCE).count()
    # when
    response = client.post(url)
    # then: shared and recorded only by a role that may change the claim
    assert response.status_code == status
    evidence.refresh_from_db()
    shared = status == 302
    assert (evidence.shared_with_customer_at is not None) is shared
    after = ClaimEvent.objects.filter(claim=world["claim"], kind=EventKind.EVIDENCE)
    assert after.count() == events + (1 if shared else 0)
    if shared:
        event = after.latest("pk")
        assert event.data == {"evidence_id": evidence.pk, "shared_with": "customer"}
        assert event.actor == world["cast"][role]
        # sharing again changes nothing
        client.post(url)
        assert ClaimEvent.objects.filter(claim=world["claim"], kind=EventKind.EVIDENCE).count() == (
            events + 1
        )
    assert client.get(url).status_code == 405
