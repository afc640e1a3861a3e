"""The claim page's tracker and history (issue 14, point 1): the stage in words, the history
in the customer's words only, the losses table, files on a settled claim, and a paid claim
freeing its item for a new claim."""

import re

import pytest
from django.urls import reverse

from claims import lifecycle
from claims.actors import Actor
from claims.events import claim_event_add
from claims.lifecycle import ClaimStatus, Stage, claim_stage
from claims.models import Claim, ClaimEvent, EventKind, Evidence
from tests.factories import OrderLineFactory, claim_in, claim_new
from tests.portal.conftest import jpeg_bytes, sign_in
from tests.portal.helpers import DECLARATIONS, fill_until_evidence, step_url

pytestmark = pytest.mark.django_db
S = ClaimStatus


def _page(client, claim) -> str:
    sign_in(client, claim.customer)
    response = client.get(reverse("portal:claim-detail", args=[claim.reference]))
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, element_id
    return match.group(2)


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def _steps(html: str) -> list[tuple[str, bool]]:
    """The tracker's stages as ("label: state", whether aria-current); the numbers and ticks
    are hidden from assistive technology (aria-hidden), so left out."""
    tracker = _section(html, "tracker")
    steps = []
    for attrs, body in re.findall(r"<li([^>]*)>(.*?)</li>", tracker, re.S):
        body = re.sub(r'<span[^>]*aria-hidden="true"[^>]*>.*?</span>', "", body, flags=re.S)
        steps.append((_text(body).replace(" :", ":"), "aria-current" in attrs))
    return steps


def test_every_status_has_a_stage_or_keeps_the_one_before():
    # given / then: no status is left out of the customer's stages
    for status in S.values:
        assert (status in lifecycle.STAGE_BY_STATUS) != (status in lifecycle.STAGELESS_STATUSES)
    # a claim paused for the customer, or withdrawn, stays where it was
    assert claim_stage(["submitted", "screening", "awaiting_seller", "needs_info"]) == Stage.SELLER
    assert claim_stage(["submitted", "withdrawn", "closed"]) == Stage.RECEIVED
    assert claim_stage(["submitted", "screening", "fraud_hold"]) == Stage.CHECKED


@pytest.mark.parametrize(
    ("status", "current"),
    [
        (S.SUBMITTED, "Received: Now"),
        (S.FRAUD_HOLD, "Checked: Now"),
        (S.AWAITING_SELLER, "With the seller: Now"),
        (S.NEEDS_INFO, "Checked: Waiting for you"),
        (S.UNDER_REVIEW, "Decision: Now"),
        (S.DENIED, "Decision: Not approved"),
        (S.PAYOUT_PENDING, "Payment: Now"),
        (S.PAID, "Payment: Paid"),
        (S.WITHDRAWN, "Received: Withdrawn"),
        (S.CLOSED, "Received: Withdrawn"),  # withdrawn, then closed
    ],
)
def test_tracker_says_which_stage_the_claim_is_in_with_words(client, status, current):
    # given
    claim = claim_in(status)
    # when
    steps = _steps(_page(client, claim))
    # then: five stages in order, exactly one current, said in words
    assert [text.split(":")[0] for text, _ in steps] == [
        "Received",
        "Checked",
        "With the seller",
        "Decision",
        "Payment",
    ]
    assert [text for text, is_current in steps if is_current] == [current]


def test_tracker_of_a_paid_then_closed_claim_says_paid(client, agent):
    # given
    from claims.services import claim_transition

    claim = claim_transition(
        claim=claim_in(S.PAID), to=S.CLOSED, actor=Actor.staff(agent), via=lifecycle.Via.STAFF
    )
    # when
    steps = _steps(_page(client, claim))
    # then
    assert [text for text, is_current in steps if is_current] == ["Payment: Paid"]
    assert [text for text, _ in steps[:4]] == [
        "Received: Done",
        "Checked: Done",
        "With the seller: Not needed",
        "Decision: Done",
    ]


def test_tracker_says_a_stage_the_claim_skipped_was_not_needed(client):
    # given: checked, then straight to a claims specialist (no seller)
    steps = _steps(_page(client, claim_in(S.UNDER_REVIEW)))
    # then
    assert steps[1][0] == "Checked: Done"
    assert steps[2][0] == "With the seller: Not needed"
    assert steps[4][0] == "Payment: To come"


def test_tracker_keeps_the_seller_to_come_for_a_claim_over_the_threshold(client):
    # given: over the USD 1,000 threshold, checked, then to a claims specialist before the
    # seller was told (the policy: above the threshold the seller answers first)
    steps = _steps(_page(client, claim_in(S.UNDER_REVIEW, amount_minor=160_950)))
    # then: the seller's stage is still to come, not "Not needed"
    assert steps[1][0] == "Checked: Done"
    assert steps[2][0] == "With the seller: To come"
    assert [text for text, is_current in steps if is_current] == ["Decision: Now"]


def test_tracker_says_a_claim_over_the_threshold_that_ended_early_never_reached_the_seller(
    client,
):
    # given: over the threshold, denied in screening
    steps = _steps(_page(client, claim_in(S.DENIED, amount_minor=160_950)))
    # then
    assert steps[2][0] == "With the seller: Not reached"


def test_a_fraud_hold_reads_as_checking_everywhere_the_customer_looks(client):
    # given: a claim the fraud rules held after the customer added a photo
    from portal.services import Upload, claim_evidence_upload

    claim = claim_in(S.SCREENING)
    claim_evidence_upload(
        claim=claim,
        customer=claim.customer,
        uploads=[Upload(data=jpeg_bytes(), filename="scorch.jpg", kind="damage_photo")],
    )
    from fraud.services import fraud_hold

    fraud_hold(claim=claim, actor=Actor.system("fraud rules"), note="Shared device.")
    claim.refresh_from_db()
    assert claim.status == S.FRAUD_HOLD
    # when
    html = _page(client, claim)
    home = client.get(reverse("portal:home")).content.decode()
    # then: no internal state, in the words or in the markup
    for page in (html, home):
        assert "Fraud" not in page and "fraud" not in page
        assert "Being checked" in page
    assert "We are checking your claim." in _text(_section(html, "what-happened"))
    history = _text(_section(html, "history"))
    # screening then the hold read the same: said once, the photo in between
    assert history.count("We are checking your claim.") == 1
    assert "You added a file: scorch.jpg" in history
    assert "Shared device" not in history


def test_history_shows_no_event_addressed_to_the_seller_and_what_we_wrote_to_the_customer(
    client, agent
):
    # given: the seller notified (a message event to the seller), a new seller link, a staff
    # message to the seller and one to the customer, a seller's file and a customer's file
    claim = claim_in(S.AWAITING_SELLER)
    system = Actor.system("seller notification")
    claim_event_add(
        claim=claim,
        actor=system,
        kind=EventKind.MESSAGE,
        reason="Seller notified with a response link.",
        data={"to": claim.seller.email, "link_id": 1},
    )
    claim_event_add(
        claim=claim,
        actor=Actor.staff(agent),
        kind=EventKind.MESSAGE,
        reason="New seller link issued.",
        data={"link_id": 2},
    )
    claim_event_add(
        claim=claim,
        actor=Actor.staff(agent),
        kind=EventKind.MESSAGE,
        reason="Please send the invoice for the heater.",
        data={"to": "seller"},
    )
    claim_event_add(
        claim=claim,
        actor=Actor.staff(agent),
        kind=EventKind.MESSAGE,
        reason="We have asked the seller for their records.",
        data={"to": "customer"},
    )
    claim_event_add(
        claim=claim,
        actor=Actor.seller(claim.seller),
        kind=EventKind.EVIDENCE,
        reason="seller-internal-test-report.pdf",
    )
    claim_event_add(
        claim=claim,
        actor=Actor.staff(agent),
        kind=EventKind.NOTE,
        reason="Looks like a repeat claimant.",
    )
    # when
    history = _text(_section(_page(client, claim), "history"))
    # then: only what is the customer's, in their words
    assert "Message" not in history
    assert "Seller notified" not in history and "seller link" not in history
    assert "invoice" not in history and "seller-internal" not in history
    assert "repeat claimant" not in history
    assert "We wrote to you. We have asked the seller for their records." in history
    assert "We asked the seller to respond." in history
    assert "Awaiting seller" not in history and "Screening" not in history
    assert len(ClaimEvent.objects.filter(claim=claim)) > 6  # the events are all still there


def test_history_says_the_customer_answered_and_what_was_asked(client, agent):
    # given: information requested, then answered
    from claims.services import claim_request_info
    from portal.services import claim_answer_info

    claim = claim_request_info(
        claim=claim_in(S.UNDER_REVIEW),
        actor=Actor.staff(agent),
        message="Please send the receipt.",
    )
    claim_answer_info(
        claim=claim, customer=claim.customer, message="Attached from my bank.", uploads=[]
    )
    # when
    history = _text(_section(_page(client, Claim.objects.get(pk=claim.pk)), "history"))
    # then
    assert "We asked you for more information. Please send the receipt." in history
    assert "You answered our question. Attached from my bank." in history
    assert "Needs information" not in history


def test_losses_table_keeps_the_kind_out_of_the_amount_columns(client):
    # given: an approved claim (an amount approved per loss)
    from tests.payouts.helpers import approved_claim

    claim = approved_claim()
    # when
    table = _section(_page(client, claim), "losses")
    # then: every amount cell holds the amount alone
    cells = [_text(c) for c in re.findall(r'<td class="amount">(.*?)</td>', table, re.S)]
    assert cells == ["$250.00", "$250.00"]
    assert "Property damage" in _text(table)


def test_a_paid_claim_offers_no_add_files_and_refuses_them(client):
    # given
    claim = claim_in(S.PAID)
    # when
    html = _page(client, claim)
    response = client.post(
        reverse("portal:claim-evidence", args=[claim.reference]),
        {"kind": "other", "files": [_upload()]},
    )
    # then
    assert "Add files" not in html
    assert response.status_code == 400
    assert "files can no longer be added" in response.content.decode()
    assert not Evidence.objects.filter(claim=claim).exists()


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("late.jpg", jpeg_bytes(), content_type="image/jpeg")


def test_a_paid_claim_does_not_block_a_new_claim_on_the_same_item(client):
    # given: the customer's claim on this item was paid
    line = OrderLineFactory()
    paid = claim_in(S.PAID, order_line=line)
    sign_in(client, line.order.customer)
    # when: they look for an item to claim for, and file a new claim on it
    item_page = client.get(reverse("portal:new-claim")).content.decode()
    fill_until_evidence(client, line)
    response = client.post(step_url(line, "review"), DECLARATIONS)
    # then
    assert "already an open claim" not in item_page
    assert f'id="claim-line-{line.pk}"' in item_page
    assert response.status_code == 302, response.content.decode()[:2000]
    new = Claim.objects.exclude(pk=paid.pk).get(order_line=line)
    assert new.status == S.SUBMITTED
    paid.refresh_from_db()
    assert paid.status == S.PAID


@pytest.mark.parametrize("status", [S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.PAYOUT_PENDING])
def test_an_unsettled_claim_still_blocks_a_new_one(client, status):
    # given
    line = OrderLineFactory()
    claim_in(status, order_line=line)
    sign_in(client, line.order.customer)
    # when
    item_page = client.get(reverse("portal:new-claim")).content.decode()
    # then
    assert "There is already an open claim for this item." in item_page
    assert f'id="claim-line-{line.pk}"' not in item_page


def test_a_returned_payout_keeps_a_paid_claim_paid_once_a_new_claim_took_its_item(supervisor):
    # given: a claim paid by the marketplace, then a new claim on the same item
    from payouts.adapters.sandbox import SandboxAdapter
    from payouts.models import Payout, PayoutStatus
    from payouts.services import payout_return, payouts_send_due
    from tests.payouts.helpers import approved_claim, deliver_payout_messages

    claim = approved_claim()
    deliver_payout_messages()
    payouts_send_due(adapter=SandboxAdapter())
    claim.refresh_from_db()
    assert claim.status == S.PAID
    new = claim_new(order_line=claim.order_line)
    payout = Payout.objects.get(claim=claim)
    # when: the bank returns the first payment
    payout_return(payout=payout, actor=Actor.staff(supervisor), reason_code="AC04")
    # then: the return is recorded for staff; the paid claim does not re-open over the new one
    payout.refresh_from_db()
    claim.refresh_from_db()
    assert payout.status == PayoutStatus.RETURNED
    assert claim.status == S.PAID
    assert ClaimEvent.objects.filter(claim=claim, kind=EventKind.NOTE, data__return_code="AC04")
    new.refresh_from_db()
    assert new.status == S.SUBMITTED


@pytest.mark.parametrize(
    ("insurer", "who"), [(False, "The seller"), (True, "The seller's insurer")]
)
def test_a_claim_the_seller_pays_says_who_pays_and_not_that_we_arrange_it(
    client, supervisor, insurer, who
):
    """Found by QA on the demo's …000144: "Seller accepted your claim and pays you $1,349.99."
    under "We are arranging the payment and will e-mail you when it is sent.", while the seller
    pays the customer directly and the page asks whether the money arrived."""
    from tests.payouts.test_money_policy import _accepted, _approve_accepted

    # given: an approved claim the seller (or its insurer) accepted and pays
    claim = _approve_accepted(_accepted(insurer=insurer), supervisor)
    # when
    html = _page(client, claim)
    # then
    from html import unescape

    payment = unescape(_text(_section(html, "party-payment")))
    assert f"{who} accepted your claim and pays you $900.00." in payment
    next_step = unescape(_text(re.search(r'<p id="what-next">.*?</p>', html, re.S).group(0)))
    assert next_step.startswith(f"{who} pays you directly.")
    assert "We are arranging the payment" not in html
