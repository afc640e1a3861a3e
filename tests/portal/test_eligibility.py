"""Every eligibility rule, in the service and at the wizard step where the customer can act."""

import datetime as dt

import pytest
from django.urls import reverse

from claims.exceptions import IneligibleClaim
from claims.models import Claim, Region
from claims.services import LossInput
from portal.services import claim_submit
from portal.steps import step_reasons
from tests.factories import OrderLineFactory, claim_new
from tests.portal.conftest import sign_in
from tests.portal.helpers import incident_data, losses_data, step_url, today

pytestmark = pytest.mark.django_db


def _submit(line, **overrides):
    kwargs = {
        "customer": line.order.customer,
        "order_line": line,
        "incident_date": line.delivered_on + dt.timedelta(days=1) if line.delivered_on else today(),
        "incident_kind": "property_damage",
        "description": "The heater caught fire and scorched the floor.",
        "people_injured": 0,
        "losses": [LossInput(kind="property", amount_minor=25_000)],
        "files": [],
    }
    kwargs.update(overrides)
    return claim_submit(**kwargs)


# --- the item step: region, delivery, an open claim -----------------------------------------


def _inactive_region_line():
    region = Region.objects.get(code="CA")
    return OrderLineFactory(order__region=region, order__currency=region.currency, currency="CAD")


@pytest.mark.parametrize(
    ("make_line", "message"),
    [
        (_inactive_region_line, "are not open yet"),
        (lambda: OrderLineFactory(delivered_on=None), "has not been delivered yet"),
        (lambda: claim_new().order_line, "already an open claim"),
    ],
    ids=["region-inactive", "not-delivered", "open-claim"],
)
def test_item_step_rule_is_shown_on_the_item_and_blocks_the_next_step(client, make_line, message):
    # given
    line = make_line()
    sign_in(client, line.order.customer)
    claims_before = Claim.objects.count()
    # when: the customer looks at their items
    page = client.get(reverse("portal:new-claim")).content.decode()
    # then: the item says why, and has no button to start
    assert message in page
    assert f'id="claim-line-{line.pk}"' not in page
    # when: they go to the next step anyway
    response = client.get(step_url(line, "incident"), follow=True)
    # then: back at the item step with the reason, nothing written
    assert response.redirect_chain[-1][0] == reverse("portal:new-claim")
    assert message in response.content.decode()
    assert Claim.objects.count() == claims_before
    # and the service refuses it too
    with pytest.raises(IneligibleClaim, match=message):
        _submit(line)


# --- the incident step: before delivery, in the future, outside the window ------------------


@pytest.mark.parametrize(
    ("days_from_delivery", "message"),
    [
        (-1, "before the item was delivered"),
        (None, "in the future"),
    ],
    ids=["before-delivery", "future"],
)
def test_incident_step_rule_is_shown_at_the_date(client, days_from_delivery, message):
    # given
    line = OrderLineFactory()
    sign_in(client, line.order.customer)
    when = (
        today() + dt.timedelta(days=2)
        if days_from_delivery is None
        else line.delivered_on + dt.timedelta(days=days_from_delivery)
    )
    # when
    response = client.post(
        step_url(line, "incident"), incident_data(line, incident_date=when.isoformat())
    )
    # then: the same step again, the message at the date, the other answers kept
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "scorched the floor of the living room" in html
    assert not client.session.get("portal.drafts", {}).get(str(line.pk), {}).get("incident")
    with pytest.raises(IneligibleClaim, match=message):
        _submit(line, incident_date=when)


def test_incident_step_rule_filing_window_is_shown_at_the_date(client):
    # given: an item delivered long ago, an incident 91 days ago
    line = OrderLineFactory(delivered_on=today() - dt.timedelta(days=200))
    sign_in(client, line.order.customer)
    when = today() - dt.timedelta(days=91)
    # when
    response = client.post(
        step_url(line, "incident"), incident_data(line, incident_date=when.isoformat())
    )
    # then
    assert response.status_code == 200
    assert "within 90 days of the incident" in response.content.decode()
    with pytest.raises(IneligibleClaim, match="within 90 days"):
        _submit(line, incident_date=when)
    assert step_reasons(step="item", line=line) == []


# --- the losses step: amounts positive and within the maximum ------------------------------


def _at_losses(client):
    line = OrderLineFactory()
    sign_in(client, line.order.customer)
    assert client.post(step_url(line, "incident"), incident_data(line)).status_code == 302
    return line


@pytest.mark.parametrize(
    ("data", "message", "service_losses"),
    [
        ({"amount_property": "0"}, "more than zero", [LossInput("property", 0)]),
        (
            {"amount_property": "1000000.01"},
            "more than the program",
            [LossInput("property", 100_000_001)],
        ),
        (
            {"amount_property": "600000", "amount_medical": "400000.01"},
            "more than the program",
            [LossInput("property", 60_000_000), LossInput("medical", 40_000_001)],
        ),
        ({"amount_property": ""}, "at least one loss", []),
    ],
    ids=["zero", "over-maximum", "total-over-maximum", "none"],
)
def test_losses_step_rule_is_shown_at_the_amounts(client, data, message, service_losses):
    # given
    line = _at_losses(client)
    # when
    response = client.post(step_url(line, "losses"), losses_data(**data))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="Floor boards"' in html  # what was typed is kept
    with pytest.raises(IneligibleClaim):
        _submit(line, losses=service_losses)
    assert not Claim.objects.exists()


def test_all_rules_pass_and_the_service_files_the_claim():
    line = OrderLineFactory()
    claim = _submit(line)
    assert claim.claimed_total_minor == 25_000
    assert claim.customer == line.order.customer
