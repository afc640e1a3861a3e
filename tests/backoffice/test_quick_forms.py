"""The workspace's quick forms (note, message, tag, assignment) and the queue's bulk actions,
refused through their pages: the page again (400) with what was typed, the problem beside its
field and the form's one summary, nothing written. Before, each redirected with a flash message
and what was typed was lost."""

import re

import pytest
from django.urls import reverse

from backoffice.models import ClaimTag
from claims.models import Claim, ClaimEvent, ClaimStatus, EventKind, Outbox
from tests.backoffice.test_error_summary import NOTHING_RECORDED, the_summary
from tests.factories import claim_in

pytestmark = pytest.mark.django_db


def _url(claim, name):
    return reverse(f"backoffice:{name}", args=[claim.pk])


def _error_beside(html: str, message: str, field_id: str) -> None:
    """``message`` is the field's own error list, tied to the field (aria-describedby)."""
    errors = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', html, re.S)
    assert errors and message in errors.group(1), (message, field_id)
    field = re.search(rf'<(?:input|textarea|select)[^>]*id="{field_id}"[^>]*>', html).group(0)
    assert f"{field_id}_error" in field and 'aria-invalid="true"' in field, field


def _value_kept(html: str, field_id: str, typed: str) -> None:
    field = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html).group(0)
    assert f'value="{typed}"' in field, field


def _nothing_written(claim) -> None:
    before = claim.assignee_id
    claim.refresh_from_db()
    assert claim.assignee_id == before
    assert not ClaimEvent.objects.filter(
        claim=claim, kind__in=[EventKind.NOTE, EventKind.MESSAGE, EventKind.ASSIGNMENT]
    ).exists()
    assert not ClaimTag.objects.filter(claim=claim).exists()
    assert not Outbox.objects.filter(topic="backoffice.message_send").exists()


# --- the workspace ------------------------------------------------------------------------------


def _refused(client, user, action: str, data: dict, claim=None):
    """``action``'s form sent by ``user`` for a claim under review: refused, the workspace
    comes back (400) with the form's one summary. Returns the claim and the page."""
    claim = claim or claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(user)
    response = client.post(_url(claim, action), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert NOTHING_RECORDED in the_summary(html)
    return claim, html


@pytest.mark.parametrize(
    ("typed", "message"),
    [("   ", "A note cannot be empty."), ("n" * 4001, "at most 4000 characters")],
    ids=["empty", "too-long"],
)
def test_a_refused_note_keeps_what_was_typed_and_says_why_beside_it(client, agent, typed, message):
    # when
    claim, html = _refused(client, agent, "claim-note", {"text": typed})
    # then: the workspace again, the note's summary, the problem beside the note
    assert html.index('class="error-summary"') < html.index('id="note_text"')
    _error_beside(html, message, "note_text")
    assert f">\n{typed}</textarea>" in html
    _nothing_written(claim)


def test_a_refused_message_keeps_the_recipient_and_the_text(client, agent):
    typed = "Please send the receipt. " * 200  # 5,000 characters: too long
    claim, html = _refused(client, agent, "claim-message", {"to": "seller", "text": typed})
    _error_beside(html, "at most 4000 characters", "message_text")
    assert '<option value="seller" selected>' in html
    assert typed + "</textarea>" in html
    _nothing_written(claim)


def test_a_message_with_no_recipient_or_text_says_both(client, agent):
    claim, html = _refused(client, agent, "claim-message", {"to": "", "text": "  "})
    _error_beside(html, "Choose who the message is for.", "message_to")
    _error_beside(html, "A message cannot be empty.", "message_text")
    _nothing_written(claim)


def test_a_message_refused_by_the_holder_rule_is_said_in_the_summary(client, agent, supervisor):
    # given: a claim another agent holds
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    Claim.objects.filter(pk=claim.pk).update(assignee=supervisor)
    # when
    data = {"to": "customer", "text": "Hello"}
    _claim, html = _refused(client, agent, "claim-message", data, claim=claim)
    # then: the service's refusal under the sentence, the text kept
    assert "ask a supervisor to reassign it" in the_summary(html)
    assert ">\nHello</textarea>" in html
    assert not ClaimEvent.objects.filter(claim=claim, kind=EventKind.MESSAGE).exists()


@pytest.mark.parametrize("typed", ["x" * 41, "   "], ids=["too-long", "empty"])
def test_a_refused_tag_keeps_what_was_typed_beside_the_tag(client, agent, typed):
    claim, html = _refused(client, agent, "claim-tag", {"name": typed})
    _error_beside(html, "A tag needs a name of at most 40 characters.", "tag_name")
    _value_kept(html, "tag_name", typed)
    _nothing_written(claim)


@pytest.mark.parametrize(
    ("assignee", "reason", "field", "message"),
    [
        ("nobody-here", "Knows it", "assign_assignee", "No active staff member is called"),
        ("agent", "", "assign_reason", "Give a reason for the assignment."),
        ("customer-user", "Knows it", "assign_assignee", "cannot work on claims"),
    ],
)
def test_a_refused_assignment_keeps_the_name_and_the_reason(
    client, supervisor, agent, customer_user, assignee, reason, field, message
):
    # when
    data = {"assignee": customer_user.username if assignee == "customer-user" else assignee}
    claim, html = _refused(client, supervisor, "claim-assign", {**data, "reason": reason})
    # then
    _error_beside(html, message, field)
    _value_kept(html, "assign_assignee", data["assignee"])
    if reason:
        _value_kept(html, "assign_reason", reason)
    _nothing_written(claim)


def test_the_workspace_forms_let_the_browser_send_too_long_a_text_whole(client, supervisor):
    # A maxlength makes a browser cut what is pasted beyond it, and the cut text was recorded:
    # the length is checked when the form is sent, and refused with the text kept (above).
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(supervisor)
    html = client.get(_url(claim, "claim")).content.decode()
    for field_id in ("note_text", "message_text", "tag_name", "assign_reason"):
        field = re.search(rf'<(?:input|textarea)[^>]*id="{field_id}"[^>]*>', html).group(0)
        assert "maxlength" not in field, field


def test_the_workspace_forms_have_ids_of_their_own(client, supervisor):
    # Two forms each have a "text" field: their ids (and so their labels and errors) differ.
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(supervisor)
    html = client.get(_url(claim, "claim")).content.decode()
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for field_id in ("note_text", "message_to", "message_text", "tag_name", "assign_assignee"):
        assert f'<label for="{field_id}"' in html


def test_a_refused_note_re_renders_at_a_pinned_cost(client, agent, django_assert_num_queries):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    client.get(_url(claim, "claim"))
    # the user and its permissions, the claim as the action reads it, then the workspace's own
    # 10 less those two (test_workspace_query_count_is_pinned): nothing is written
    with django_assert_num_queries(11):
        response = client.post(_url(claim, "claim-note"), {"text": ""})
    assert response.status_code == 400


def test_a_note_still_redirects_with_a_message(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    response = client.post(_url(claim, "claim-note"), {"text": "Called the customer."})
    assert response.status_code == 302 and response["Location"] == _url(claim, "claim")
    assert ClaimEvent.objects.get(claim=claim, kind=EventKind.NOTE).reason == "Called the customer."


# --- the queue's bulk actions -------------------------------------------------------------------

BULK = reverse("backoffice:queue-bulk")


def test_a_bulk_action_with_no_claim_ticked_keeps_what_was_typed(client, agent):
    # given: the queue filtered to claims under review
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    # when: a message typed, no claim ticked
    data = {
        "action": "request_info",
        "message": "Your receipt, please.",
        "next": "?status=under_review",
    }
    response = client.post(BULK, data)
    # then: the queue again with its filters and rows, the summary, the message kept
    assert response.status_code == 400
    html = response.content.decode()
    summary = the_summary(html)
    assert NOTHING_RECORDED in summary and "Tick the claims" in summary
    assert '<option value="request_info" selected>' in html
    assert 'value="Your receipt, please."' in html
    assert claim.reference in html
    assert '<input type="hidden" name="next" value="?status=under_review">' in html
    # links of the page still lead to the queue, not to the bulk action's address
    assert 'href="?' not in html
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


def test_a_bulk_tag_too_long_is_said_beside_the_tag_with_the_claims_still_ticked(
    client, supervisor
):
    claim, other = claim_in(ClaimStatus.UNDER_REVIEW), claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(supervisor)
    data = {"action": "tag", "tag": "x" * 41, "claims": [claim.pk], "next": "?"}
    response = client.post(BULK, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert NOTHING_RECORDED in the_summary(html)
    _error_beside(html, "A tag needs a name of at most 40 characters.", "bulk-tag")
    assert f'value="{"x" * 41}"' in html
    assert re.search(rf'<input type="checkbox" name="claims" value="{claim.pk}"[^>]* checked', html)
    assert not re.search(rf'name="claims" value="{other.pk}"[^>]* checked', html)
    assert not ClaimTag.objects.exists()


def test_a_bulk_assignment_to_nobody_known_is_said_beside_the_assignee(client, supervisor):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(supervisor)
    data = {"action": "assign", "assignee": "nobody-here", "claims": [claim.pk], "next": "?"}
    response = client.post(BULK, data)
    assert response.status_code == 400
    html = response.content.decode()
    _error_beside(html, "No active staff member is called “nobody-here”.", "bulk-assignee")
    claim.refresh_from_db()
    assert claim.assignee is None


def test_a_refused_bulk_action_re_renders_at_a_pinned_cost(
    client, agent, django_assert_num_queries
):
    claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    client.get(reverse("backoffice:queue"))
    # the queue's 5 (the user, its permissions, the region choices, the page, the saved views)
    with django_assert_num_queries(5):
        response = client.post(BULK, {"action": "tag", "tag": "", "next": "?"})
    assert response.status_code == 400


# --- the language menu on a refused form's page -------------------------------------------------


def _language_next(html: str) -> str:
    form = re.search(r'<form class="language".*?</form>', html, re.S).group(0)
    return re.search(r'name="next" type="hidden" value="([^"]*)"', form).group(1)


def test_changing_language_on_a_refused_forms_page_returns_to_the_workspace(client, agent):
    # Found trying the pages: a refused note comes back at /staff/claims/<id>/note/, an address
    # only for POST; the language menu sent the viewer back there, and a GET answered 405.
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    workspace = _url(claim, "claim")
    response = client.post(
        _url(claim, "claim-note"), {"text": " "}, HTTP_REFERER=f"http://testserver{workspace}"
    )
    assert response.status_code == 400
    # when: the viewer changes language from that page
    changed = client.post(
        reverse("set_language"),
        {"language": "de", "next": _language_next(response.content.decode())},
    )
    # then: back on the workspace, which answers
    assert changed.status_code == 302 and changed["Location"] == workspace
    assert client.get(changed["Location"]).status_code == 200


def test_changing_language_on_a_refused_bulk_action_returns_to_the_queue_it_came_from(
    client, agent
):
    claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    queue = reverse("backoffice:queue") + "?status=under_review"
    response = client.post(
        reverse("backoffice:queue-bulk"),
        {"action": "tag"},
        HTTP_REFERER=f"http://testserver{queue}",
    )
    assert response.status_code == 400
    assert _language_next(response.content.decode()) == queue


def test_a_refused_post_from_another_site_does_not_lend_the_language_menu_its_address(
    client, agent
):
    # A referer from elsewhere is never the way back; with none of this site's, the menu keeps
    # the address the form was sent to (browsers send this site's own pages as the referer).
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    response = client.post(
        _url(claim, "claim-note"), {"text": " "}, HTTP_REFERER="https://evil.example/x"
    )
    assert _language_next(response.content.decode()) == _url(claim, "claim-note")
