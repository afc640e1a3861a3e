"""The claim workspace: one page, a fixed number of queries, only legal actions, each confirmed."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.forms import AssignForm, MessageForm, NoteForm, TagForm
from backoffice.services import claim_tag_add
from claims import lifecycle
from claims.actors import Actor
from claims.models import Claim, ClaimEvent, ClaimStatus, EventKind, Outbox
from claims.services import claim_note_add
from claims_site.widgets import FORM_RENDERER
from fraud.models import FraudReview
from tests.factories import claim_in

pytestmark = pytest.mark.django_db


def _url(claim, name="claim", *args):
    return reverse(f"backoffice:{name}", args=[claim.pk, *args])


def test_workspace_query_count_does_not_grow_with_events(client, agent, analyst):
    # given
    client.force_login(agent)
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    # one review and one tag (a claim with none reads neither: pinned below)
    FraudReview.objects.create(claim=claim, analyst=analyst, decision="hold", note="x")
    claim_tag_add(claim=claim, user=agent, name="first")
    client.get(_url(claim))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(_url(claim))
    # when: many more events, reviews and tags
    for i in range(15):
        claim_note_add(claim=claim, actor=Actor.staff(agent), text=f"note {i}")
        FraudReview.objects.create(claim=claim, analyst=analyst, decision="hold", note="x")
    claim_tag_add(claim=claim, user=agent, name="a")
    claim_tag_add(claim=claim, user=agent, name="b")
    with CaptureQueriesContext(connection) as many:
        response = client.get(_url(claim))
    # then
    assert response.status_code == 200
    assert len(many) == len(few)


def test_workspace_query_count_is_pinned(client, agent, django_assert_num_queries):
    client.force_login(agent)
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.get(_url(claim))
    # the user with its profile (the session comes from the cache), its permissions, the
    # claim with its joins, then one query per prefetch: losses, evidence, events,
    # certificates; the customer's payee details and any change of them awaiting a second
    # staff member; the header's unread notifications. Whether the seller must be insured comes
    # with the claim (an annotation over the imported gross), and so does the seller's own
    # payment of an accepted claim, and whether it has any fraud reviews, tags, payouts, SLA
    # breaches or unread notifications of the viewer's: this claim has none, so none is read
    # and nothing is marked read. Offering "Add evidence…" reads nothing more (the permissions
    # are already loaded, the status is the claim's).
    with django_assert_num_queries(10):
        response = client.get(_url(claim))
    assert reverse("backoffice:claim-evidence-add", args=[claim.pk]) in response.content.decode()


def test_workspace_reads_what_a_claim_seldom_has_only_when_it_has_some(
    client, agent, analyst, django_assert_num_queries
):
    from backoffice.models import Notification, NotificationKind, SlaBreach

    client.force_login(agent)
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    FraudReview.objects.create(claim=claim, analyst=analyst, decision="hold", note="looked")
    claim_tag_add(claim=claim, user=agent, name="recall")
    SlaBreach.objects.create(claim=claim, clock="decision", due_at=timezone.now())
    Notification.objects.create(
        recipient=agent, kind=NotificationKind.ASSIGNED, claim=claim, text="yours"
    )
    client.get(_url(claim))
    Notification.objects.create(
        recipient=agent, kind=NotificationKind.ASSIGNED, claim=claim, text="again"
    )
    # the 10 above, and the reviews, the tags, the breaches, and the notification marked read
    with django_assert_num_queries(14):
        response = client.get(_url(claim))
    body = response.content.decode()
    assert "looked" in body and "recall" in body
    assert not Notification.objects.filter(recipient=agent, read_at=None).exists()


def test_workspace_shows_the_claim_and_only_legal_moves(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    page = client.get(_url(claim)).content.decode()
    assert claim.reference in page and claim.customer.name in page
    assert claim.order_line.product.title in page and claim.seller.legal_name in page
    offered = {a.to for a in lifecycle.actions_for(ClaimStatus.UNDER_REVIEW, agent.has_perm)}
    assert offered == {
        ClaimStatus.APPROVED,
        ClaimStatus.DENIED,
        ClaimStatus.NEEDS_INFO,
        ClaimStatus.FRAUD_HOLD,
    }
    for to in ClaimStatus.values:
        link = _url(claim, "claim-move", to)
        assert (link in page) is (to in offered), to
    # named as the tasks they are, not as states
    assert "Approve an amount…" in page and "Move to" not in page


def test_workspace_says_which_language_the_customer_writes_in(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    assert "Writes to us in" not in client.get(_url(claim)).content.decode()
    Claim.objects.filter(pk=claim.pk).update(language="es")
    assert "Writes to us in Spanish" in client.get(_url(claim)).content.decode()


def test_move_page_says_what_it_will_do_and_get_changes_nothing(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    page = client.get(_url(claim, "claim-move", "needs_info")).content.decode()
    assert "moves from “Under review” to “Needs information”" in page
    assert "The customer is told by e-mail." in page
    assert "clocks pause" in page
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


def test_illegal_move_is_refused_with_a_message(client, agent):
    claim = claim_in(ClaimStatus.SUBMITTED)
    client.force_login(agent)
    response = client.post(
        _url(claim, "claim-move", "approved"), {"expected_status": "submitted"}, follow=True
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert "cannot move it to Approved now" in response.content.decode()


def test_move_from_a_stale_page_is_refused(client, agent):
    # given: the agent looked at the claim in under review; it was escalated meanwhile
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    from claims.services import claim_transition

    claim_transition(
        claim=claim, to=ClaimStatus.ESCALATED, actor=Actor.system(), via=lifecycle.Via.ESCALATION
    )
    events = ClaimEvent.objects.count()
    # when: the stale form asks for a move that is also legal from escalated
    response = client.post(
        _url(claim, "claim-move", "needs_info"),
        {"expected_status": "under_review", "reason": "receipt please"},
        follow=True,
    )
    # then
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ESCALATED
    assert ClaimEvent.objects.count() == events
    assert "changed while you were working on it" in response.content.decode()


def test_request_info_needs_a_message(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    response = client.post(
        _url(claim, "claim-move", "needs_info"), {"expected_status": "under_review", "reason": ""}
    )
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


def _approve(client, claim, amount: str, **extra):
    item = claim.losses.get()
    data = {"expected_status": "under_review", f"loss_{item.pk}": amount}
    return client.post(_url(claim, "claim-move", "approved"), {**data, **extra})


def test_approve_records_amounts_per_item(client, agent):
    # given
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=30_000)
    item = claim.losses.get()
    client.force_login(agent)
    # when
    response = _approve(
        client,
        claim,
        "250.00",
        reason="Receipts check out",
        **{f"why_{item.pk}": "The receipt shows $250.00."},
    )
    # then
    assert response.status_code == 302
    claim.refresh_from_db()
    item.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.approved_total_minor == 25_000
    assert item.approved_minor == 25_000
    assert item.reduction_reason == "The receipt shows $250.00."
    assert ClaimEvent.objects.filter(claim=claim, to_status="approved", actor=agent).count() == 1


def test_approve_below_the_claimed_amount_without_a_reason_keeps_the_input(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=30_000)
    item = claim.losses.get()
    client.force_login(agent)
    response = client.post(
        _url(claim, "claim-move", "approved"),
        {"expected_status": "under_review", f"loss_{item.pk}": "250.00", "reason": "ok"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say why less than claimed" in page and 'value="250.00"' in page
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


@pytest.mark.parametrize("amount", ["300.01", "abc", "1.234", "-5"])
def test_approve_with_a_bad_amount_changes_nothing(client, agent, amount):
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=30_000)
    item = claim.losses.get()
    client.force_login(agent)
    response = client.post(
        _url(claim, "claim-move", "approved"),
        {"expected_status": "under_review", "funding": "concession", f"loss_{item.pk}": amount},
        follow=True,
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW and claim.approved_total_minor is None
    assert response.status_code in (200, 400)


def test_deny_needs_a_reason_code_and_an_explanation(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    url = _url(claim, "claim-move", "denied")
    bad = client.post(url, {"expected_status": "under_review", "reason_code": "", "reason": "x"})
    assert bad.status_code == 400
    client.post(
        url, {"expected_status": "under_review", "reason_code": "no_proof", "reason": "No bill."}
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DENIED and claim.denial_reason == "no_proof"


def test_message_is_an_event_and_an_outbox_email(client, agent, django_capture_on_commit_callbacks):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    client.post(_url(claim, "claim-message"), {"to": "seller", "text": "Your insurer, please."})
    event = ClaimEvent.objects.get(claim=claim, kind=EventKind.MESSAGE)
    assert event.data == {"to": "seller"} and event.reason == "Your insurer, please."
    assert Outbox.objects.filter(
        topic="backoffice.message_send", payload__event_id=event.pk
    ).exists()


def test_message_handler_emails_the_seller(agent, mailoutbox):
    from backoffice.handlers import message_send
    from backoffice.services import claim_message_send

    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    event = claim_message_send(claim=claim, user=agent, to="seller", text="Respond by Friday.")
    message_send(claim_id=claim.pk, event_id=event.pk)
    assert mailoutbox[-1].to == [claim.seller.email]
    assert "Respond by Friday." in mailoutbox[-1].body


def test_empty_note_is_refused(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    client.post(_url(claim, "claim-note"), {"text": "   "})
    assert not ClaimEvent.objects.filter(claim=claim, kind=EventKind.NOTE).exists()


def test_supervisor_reassigns_with_a_reason(client, supervisor, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(supervisor)
    client.post(_url(claim, "claim-assign"), {"assignee": "agent", "reason": ""})
    claim.refresh_from_db()
    assert claim.assignee is None
    client.post(_url(claim, "claim-assign"), {"assignee": "nobody-here", "reason": "x"})
    claim.refresh_from_db()
    assert claim.assignee is None
    client.post(_url(claim, "claim-assign"), {"assignee": "agent", "reason": "Knows the seller"})
    claim.refresh_from_db()
    assert claim.assignee == agent
    event = ClaimEvent.objects.get(claim=claim, kind=EventKind.ASSIGNMENT)
    assert event.reason == "Knows the seller" and event.data["to_user_id"] == agent.pk


def test_workspace_says_who_holds_the_claim(client, agent, supervisor):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    Claim.objects.filter(pk=claim.pk).update(assignee=supervisor)
    client.force_login(agent)
    page = client.get(_url(claim)).content.decode()
    assert "Held by supervisor" in page
    assert "Another agent holds this claim" in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1e999999", "is not an amount"),
        ("1.000,00", "If you meant $1,000.00, type 1,000.00."),
        ("99999999999999999", "is too large"),
    ],
)
def test_approve_refuses_overflowing_or_foreign_amounts_with_a_message(
    client, agent, amount, message
):
    # given: issue 19 found a 500 for "1e999999" and "1.000,00" read as $1.00
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=30_000)
    client.force_login(agent)
    # when
    response = _approve(client, claim, amount, reason="Kept note")
    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Kept note" in html
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW and claim.approved_total_minor is None


def test_workspace_refuses_a_tag_too_long_instead_of_cutting_it(client, agent):
    # given: the workspace's tag field, which a browser must not cut at 40 characters (an
    # input's maxlength drops what is typed beyond it, and the tag was stored cut, "Tag added.")
    from backoffice.models import ClaimTag

    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    page = client.get(_url(claim)).content.decode()
    field = re.search(r'<input[^>]*name="name"[^>]*>', page).group(0)
    assert "maxlength" not in field
    # when: all 300 characters reach the server
    response = client.post(_url(claim, "claim-tag"), {"name": "x" * 300}, follow=True)
    # then: refused as an empty tag is, nothing stored
    assert "A tag needs a name of at most 40 characters." in response.content.decode()
    assert "Tag added." not in response.content.decode()
    assert not ClaimTag.objects.exists()
    assert not ClaimEvent.objects.filter(claim=claim, kind=EventKind.NOTE).exists()
    response = client.post(_url(claim, "claim-tag"), {"name": "  "}, follow=True)
    assert "A tag needs a name of at most 40 characters." in response.content.decode()
    # a tag of 40 characters (spaces inside counted once) is taken
    client.post(_url(claim, "claim-tag"), {"name": "Recall   " + "w" * 33}, follow=True)
    assert list(ClaimTag.objects.values_list("tag__name", flat=True)) == ["recall " + "w" * 33]


@pytest.mark.parametrize(
    ("form_class", "data"),
    [
        (NoteForm, {"text": ""}),
        (MessageForm, {"to": "nobody", "text": ""}),
        (AssignForm, {"assignee": "", "reason": ""}),
        (TagForm, {"name": ""}),
    ],
)
def test_the_workspace_forms_render_as_the_template_language_would(form_class, data):
    """The workspace's forms render through Django's Jinja2 form renderer (faster); empty and
    refused, their markup is the one Django's own form templates write."""
    from django.forms.renderers import DjangoTemplates

    def markup(form) -> str:
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", form.as_div())).strip()

    for bound in ({}, {"data": data}):
        ours, django_s = form_class(**bound), form_class(renderer=DjangoTemplates(), **bound)
        assert isinstance(ours.renderer, type(FORM_RENDERER))
        assert markup(ours) == markup(django_s)


def test_a_claim_awaiting_a_second_approver_says_so_and_offers_no_second_approval(
    client, agent, django_assert_num_queries
):
    """The approval waits in Decisions; the claim's page said so only deep in its timeline and
    still offered *Approve an amount…*, whose form the service then refused ("already awaits a
    second approver")."""
    from tests.backoffice import areas

    # given: a step-in approved by another supervisor, waiting for a second approver
    approval = areas.approval_waiting()
    claim = approval.claim
    client.force_login(agent)
    client.get(_url(claim))
    # when
    with django_assert_num_queries(10):
        html = client.get(_url(claim)).content.decode()
    # then: the page says so where the actions are, and links to the approval
    actions = re.search(r'<h2 id="h-actions">.*?</section>', html, re.S).group(0)
    assert "awaits a second approver" in actions
    assert reverse("backoffice:decision-approval", args=[approval.pk]) in actions
    assert _url(claim, "claim-move", ClaimStatus.APPROVED) not in html
    # and the approve form is not offered by its address either
    response = client.get(_url(claim, "claim-move", ClaimStatus.APPROVED))
    assert response.status_code == 302
    # and denying says what becomes of the waiting approval (decision_deny supersedes it)
    deny = client.get(_url(claim, "claim-move", ClaimStatus.DENIED)).content.decode()
    assert "The approval awaiting a second approver is withdrawn." in deny


def test_a_refused_move_says_why_once_and_keeps_what_was_typed(client, agent):
    """Issue: a move refused when acted on (here a stale page) showed its reason twice, once in
    the page's alert and again in the form's own list of errors."""
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    from claims.services import claim_transition

    claim_transition(
        claim=claim, to=ClaimStatus.ESCALATED, actor=Actor.system(), via=lifecycle.Via.ESCALATION
    )
    response = client.post(
        _url(claim, "claim-move", "needs_info"),
        {"expected_status": "under_review", "reason": "receipt please"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert body.count("changed while you were working on it") == 1
    assert "receipt please</textarea>" in body


def test_a_claim_held_by_another_agent_offers_no_move_and_refuses_its_form(client, agent):
    """Issue: on a claim held by another agent the workspace said "you cannot act on it" yet
    listed Approve, Deny…; the agent typed a denial and only then was refused."""
    from claims import roles
    from tests.conftest import _staff

    holder = _staff("holder", roles.AGENT)
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    Claim.objects.filter(pk=claim.pk).update(assignee=holder)
    client.force_login(agent)
    # when: the agent opens the workspace
    page = client.get(_url(claim)).content.decode()
    # then: no move is offered
    assert _url(claim, "claim-move", "denied") not in page
    # when: they open the Deny page from an old link or bookmark
    response = client.get(_url(claim, "claim-move", "denied"), follow=True)
    # then: they are told why before typing anything, back on the workspace
    assert response.redirect_chain[-1][0] == _url(claim)
    body = response.content.decode()
    assert f"Claim {claim.reference} is held by holder; ask a supervisor to reassign it." in body
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


@pytest.mark.parametrize(
    ("to", "label"),
    [("denied", "Denied"), ("needs_info", "Needs information"), ("fraud_hold", "Fraud hold")],
)
def test_back_to_an_action_already_done_says_so(client, agent, to, label):
    """Issue: after an action the browser's Back opened its page again, which answered in red
    "Claim … is Denied: you cannot move it to Denied now", as if something had gone wrong."""
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    data = {"expected_status": "under_review", "reason": "Because.", "reason_code": "other"}
    done = client.post(_url(claim, "claim-move", to), data)
    assert done.status_code == 302
    events = ClaimEvent.objects.filter(claim=claim).count()
    # when: Back
    response = client.get(_url(claim, "claim-move", to), follow=True)
    # then: the workspace, saying it is done, nothing written
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == _url(claim)
    assert f"Claim {claim.reference} is already {label}." in body
    assert "you cannot move it" not in body
    assert ClaimEvent.objects.filter(claim=claim).count() == events
