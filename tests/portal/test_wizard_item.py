"""The item the wizard shows is kept in the draft: pages between two submitted steps render from
the session alone, every submitted step reads the live line, and nothing is decided from the
copy."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from claims.models import Claim
from portal.drafts import DRAFTS_KEY
from portal.session import SESSION_KEY, customer_sign_in
from tests.factories import CustomerFactory
from tests.portal.helpers import DECLARATIONS, fill_until_evidence, losses_data, step_url

pytestmark = pytest.mark.django_db


def test_pages_between_submitted_steps_render_from_the_draft(customer_client, line):
    # given: the first two steps submitted
    fill_until_evidence(customer_client, line)
    # when: the customer moves between the later pages
    with CaptureQueriesContext(connection) as queries:
        pages = [customer_client.get(step_url(line, step)) for step in ("losses", "review")]
        pages.append(customer_client.get(step_url(line, "evidence")))
    # then: each shows the item, and none of them read the database
    for page in pages:
        assert page.status_code == 200
    review = pages[1].content.decode()
    assert line.product.title in review and line.seller.legal_name in review
    assert line.order.number in review
    assert [q["sql"] for q in queries] == []


def test_the_first_step_always_reads_the_line(customer_client, line):
    fill_until_evidence(customer_client, line)
    with CaptureQueriesContext(connection) as queries:
        assert customer_client.get(step_url(line, "incident")).status_code == 200
    assert any("marketplace_orderline" in q["sql"] for q in queries)


def test_every_submitted_step_refreshes_the_item_from_the_line(customer_client, line):
    # given: a draft, then the product renamed in the catalogue
    fill_until_evidence(customer_client, line)
    line.product.title = "Space heater, model B"
    line.product.save()
    # until the customer submits a step, the pages show the item as it was when they last did
    assert "model B" not in customer_client.get(step_url(line, "review")).content.decode()
    # when: a step is submitted
    assert customer_client.post(step_url(line, "losses"), losses_data()).status_code == 302
    # then: the draft's item is the live line's
    assert "model B" in customer_client.get(step_url(line, "review")).content.decode()


def test_the_submission_checks_the_live_line_not_the_draft(customer_client, line):
    # given: a complete draft, then the region closed to new claims
    fill_until_evidence(customer_client, line)
    region = line.order.region
    region.active = False
    region.save()
    # the review page still renders from the draft...
    assert customer_client.get(step_url(line, "review")).status_code == 200
    # when: submitted
    response = customer_client.post(step_url(line, "review"), DECLARATIONS)
    # then: refused with the rule's message, nothing filed, the draft kept
    assert response.status_code == 400
    assert "are not open yet" in response.content.decode()
    assert not Claim.objects.exists()
    assert customer_client.session[DRAFTS_KEY][str(line.pk)]["losses"]


def test_a_draft_without_an_item_reads_the_line(customer_client, line):
    # A draft saved before items were kept in it (a deploy mid-wizard).
    fill_until_evidence(customer_client, line)
    session = customer_client.session
    drafts = session[DRAFTS_KEY]
    del drafts[str(line.pk)]["item"]
    session[DRAFTS_KEY] = drafts
    session.save()

    with CaptureQueriesContext(connection) as queries:
        review = customer_client.get(step_url(line, "review"))

    assert review.status_code == 200 and line.product.title in review.content.decode()
    assert any("marketplace_orderline" in q["sql"] for q in queries)


def test_another_customer_signing_in_on_the_browser_gets_none_of_the_drafts(customer_client, line):
    # given: customer A's draft, then customer B signs in on the same browser
    fill_until_evidence(customer_client, line)
    session = customer_client.session
    request = RequestFactory().get("/")
    request.session = session
    customer_sign_in(request, CustomerFactory())
    session.save()
    customer_client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    # when / then: A's line is not B's, whatever the page
    for step in ("incident", "losses", "evidence", "review"):
        assert customer_client.get(step_url(line, step)).status_code == 404


def test_a_kept_item_is_only_ever_shown_to_its_own_customer(customer_client, line):
    # given: customer A's draft left in a session that now says customer B (signing in clears
    # the drafts; this is the second line of defence)
    fill_until_evidence(customer_client, line)
    session = customer_client.session
    session[SESSION_KEY] = CustomerFactory().pk
    session.save()
    # when / then: the kept item is not used; the line is read for B, and it is not B's
    for step in ("losses", "evidence", "review"):
        assert customer_client.get(step_url(line, step)).status_code == 404


@pytest.mark.parametrize(
    "item",
    [{"line_id": -1}, {"customer_id": None}, "not a dict", {"delivered_on": "31/12/2026"}],
)
def test_a_kept_item_this_code_cannot_read_falls_back_to_the_line(customer_client, line, item):
    fill_until_evidence(customer_client, line)
    session = customer_client.session
    drafts = session[DRAFTS_KEY]
    kept = drafts[str(line.pk)]["item"]
    drafts[str(line.pk)]["item"] = {**kept, **item} if isinstance(item, dict) else item
    session[DRAFTS_KEY] = drafts
    session.save()

    review = customer_client.get(step_url(line, "review"))

    assert review.status_code == 200 and line.product.title in review.content.decode()
