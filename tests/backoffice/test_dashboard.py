"""The supervisor dashboard: the figures, SVG charts with tables, a pinned query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backoffice.dashboard import dashboard_figures
from claims.actors import Actor
from claims.models import Claim, ClaimStatus, Funding
from tests.factories import claim_in

pytestmark = pytest.mark.django_db
URL = reverse("backoffice:dashboard")


def _paid(amount: int, funding: str):
    """A claim paid through the real payout flow (sandbox provider)."""
    from claims.services import claim_approve
    from payouts.adapters.sandbox import SandboxAdapter
    from payouts.services import payouts_send_due
    from tests.payouts.helpers import deliver_payout_messages, with_payee

    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=amount)
    with_payee(claim.customer)
    claim_approve(
        claim=claim,
        actor=Actor.system(),
        approved={item.pk: item.claimed_minor for item in claim.losses.all()},
        funding=funding,
    )
    deliver_payout_messages()
    payouts_send_due(adapter=SandboxAdapter())
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    return claim


def test_figures_count_statuses_money_holds_and_workload(agent):
    # given
    _paid(10_000, Funding.CONCESSION)
    _paid(5_000, Funding.STEP_IN)
    held = claim_in(ClaimStatus.FRAUD_HOLD)
    late = claim_in(ClaimStatus.AWAITING_SELLER)
    Claim.objects.filter(pk=late.pk).update(
        assignee=agent, seller_respond_by=timezone.now() - dt.timedelta(hours=1)
    )
    Claim.objects.filter(pk=held.pk).update(risk_level="high")
    # when
    figures = dashboard_figures()
    # then
    totals = {label: total for label, total, _r in figures["by_status"]}
    assert totals["Paid"] == 2 and totals["Fraud hold"] == 1
    assert figures["money"] == [
        {
            "currency": "USD",
            "claims": 2,
            "paid": figures["money"][0]["paid"],
            "step_in": figures["money"][0]["step_in"],
            "recovered": figures["money"][0]["recovered"],
        }
    ]
    assert "150.00" in figures["money"][0]["paid"] and "50.00" in figures["money"][0]["step_in"]
    assert figures["fraud_hold"] == 1 and ("High", 1) in figures["holds"]
    seller_clock = figures["sla"][0]
    assert seller_clock[1:] == (1, 1, 0.0)
    load = {u.username: (u.open_claims, u.breached) for u in figures["workload"]}
    assert load["agent"] == (1, 1)
    assert figures["median_days"] is not None
    assert sum(row["n"] for row in figures["intake"]) == 4


def test_dashboard_renders_svg_charts_and_tables(client, supervisor):
    claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(supervisor)
    page = client.get(URL).content.decode()
    assert page.count('<figure class="chart"') == 3 and "<table" in page
    assert "Claims by status and region" in page and "Workload per agent" in page


@pytest.mark.parametrize(
    ("language", "name"), [("en", "United States"), ("de", "Vereinigte Staaten")]
)
def test_dashboard_names_each_region_column(client, supervisor, language, name):
    """Issue: the status × region table's columns said only "CA", "DE", "US": codes; each now
    names its region (in the reader's language) while staying as narrow as its code."""
    from django.conf import settings

    claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(URL).content.decode()
    assert f'<th scope="col"><abbr title="{name}">US</abbr></th>' in page


def test_dashboard_query_count_does_not_grow_with_claims(client, supervisor, agent):
    client.force_login(supervisor)
    claim_in(ClaimStatus.UNDER_REVIEW)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for status in (ClaimStatus.PAID, ClaimStatus.FRAUD_HOLD, ClaimStatus.DENIED):
        for _ in range(3):
            claim = claim_in(status)
            Claim.objects.filter(pk=claim.pk).update(assignee=agent)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)


def test_dashboard_query_count_is_pinned(client, supervisor, django_assert_num_queries):
    client.force_login(supervisor)
    claim_in(ClaimStatus.UNDER_REVIEW)
    client.get(URL)
    # the user with its profile (the session comes from the cache), its permissions;
    # status x region, intake, SLA and hold counts, payouts and withholdings per currency,
    # workload, median, open alerts; the header's unread notifications
    with django_assert_num_queries(11):
        client.get(URL)


def test_workload_counts_each_claim_once_for_staff_in_two_roles(db):
    from django.contrib.auth.models import Group

    from claims import roles
    from tests.conftest import _staff

    both = _staff("both", roles.AGENT)
    both.groups.add(Group.objects.get(name=roles.ANALYST))
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    Claim.objects.filter(pk=claim.pk).update(assignee=both)
    load = {u.username: u.open_claims for u in dashboard_figures()["workload"]}
    assert load == {"both": 1}


def test_recovered_is_what_was_withheld_from_sellers(supervisor):
    from sellers.services.recoveries import withholding_record
    from tests.sellers.test_recoveries import _escalated_and_approved

    # given: a step-in claim whose seller had 500.00 withheld from a disbursement
    _claim, recovery = _escalated_and_approved(supervisor, approved_minor=200_000)
    withholding_record(
        recovery=recovery, amount_minor=50_000, currency="USD", disbursement_reference="D-7"
    )
    # when
    money = {row["currency"]: row for row in dashboard_figures()["money"]}
    # then
    assert "500.00" in money["USD"]["recovered"]
