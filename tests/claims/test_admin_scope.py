"""Issue 16 point 6, the admin: a staff member of the UK only, with the admin's view
permissions, sees the UK's rows of every admin holding a region's rows and not the US's (their
pages answer 404, autocompletes leave them out); a superuser sees both."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from fraud.models import Assessment, FraudReview, Referral, WatchlistEntry
from payouts.models import (
    ApprovalRequest,
    LedgerEntry,
    LedgerTransaction,
    PayeeChange,
    PayeeDetails,
    PayeeEvent,
    Payout,
    ProviderRecord,
    QASample,
)
from privacy.models import LegalHold, PrivacyRequest
from safety.models import IncidentFacts, Regulator, SafetyAlert
from sellers.models import Recovery
from tests.conftest import _staff
from tests.factories import CertificateFactory, claim_new, line_in_region, verifier

pytestmark = pytest.mark.django_db


def _payout(claim):
    return Payout.objects.create(
        claim=claim,
        idempotency_key=f"test-payout-{claim.pk}",
        amount_minor=100,
        currency=claim.currency,
        funding="concession",
    )


def _transaction(currency, key, **links):
    """A balanced ledger transaction (the database refuses any other)."""
    txn = LedgerTransaction.objects.create(
        kind="accrual", currency=currency, idempotency_key=key, amount_minor=100, **links
    )
    for account, side in (
        ("concession_expense", "debit_minor"),
        ("customer_payable", "credit_minor"),
    ):
        LedgerEntry.objects.create(
            transaction=txn, account=account, currency=currency, **{side: 100}
        )
    return txn


def _alert(claim):
    alert = SafetyAlert.objects.create(
        product=claim.order_line.product,
        regulator=Regulator.objects.get(code="cpsc"),
        trigger="incident",
        aware_at=timezone.now(),
        report_due=timezone.now() + dt.timedelta(hours=24),
    )
    alert.claims.add(claim)
    return alert


def _evidence(claim):
    from claims.actors import Actor
    from claims.services import evidence_add
    from tests.claims.test_evidence import png_bytes

    return evidence_add(
        claim=claim,
        data=png_bytes(),
        filename="a.png",
        kind="other",
        actor=Actor.customer(claim.customer),
    )


# admin model -> a row of it belonging to ``claim`` (its claim, customer, seller or product)
ROWS = {
    "claims.Claim": lambda c: c,
    "claims.ClaimEvent": lambda c: c.events.first(),
    "claims.Evidence": _evidence,
    "claims.LossItem": lambda c: c.losses.first(),
    ApprovalRequest: lambda c: ApprovalRequest.objects.create(
        claim=c,
        items=[],
        total_minor=100,
        currency=c.currency,
        funding="concession",
        policy={},
        requested_by=verifier(),
    ),
    QASample: lambda c: QASample.objects.create(claim=c, sample_percent=5),
    PayeeDetails: lambda c: PayeeDetails.objects.create(
        customer=c.customer, kind="card_token", holder_name="Jo Doe", card_token="tok_test"
    ),
    PayeeChange: lambda c: PayeeChange.objects.create(
        customer=c.customer,
        kind="bank_account",
        holder_name="Jo Doe",
        last4="6777",
        reason="Customer called",
        requested_by=verifier(),
    ),
    PayeeEvent: lambda c: PayeeEvent.objects.create(
        customer=c.customer, actor_label="test", after="····6777"
    ),
    Payout: _payout,
    ProviderRecord: lambda c: ProviderRecord.objects.create(
        adapter="sandbox",
        idempotency_key=_payout(c).idempotency_key,
        reference=f"ref-{c.pk}",
        amount_minor=100,
        currency=c.currency,
        payee="Jo Doe",
    ),
    LedgerTransaction: lambda c: _transaction(c.currency, f"test-ledger-{c.pk}", claim=c),
    "sellers.Seller": lambda c: c.order_line.seller,
    "sellers.InsuranceCertificate": lambda c: CertificateFactory(
        seller=c.order_line.seller, currency=c.currency
    ),
    Recovery: lambda c: Recovery.objects.create(
        claim=c,
        seller=c.order_line.seller,
        reason="step_in",
        currency=c.currency,
        amount_minor=100,
    ),
    "marketplace.Customer": lambda c: c.customer,
    "marketplace.Order": lambda c: c.order_line.order,
    "marketplace.OrderLine": lambda c: c.order_line,
    "marketplace.Product": lambda c: c.order_line.product,
    FraudReview: lambda c: FraudReview.objects.create(claim=c, decision="hold", note="ok"),
    Assessment: lambda c: Assessment.objects.create(
        claim=c, score=1, level="low", review_threshold=50, trigger="manual"
    ),
    Referral: lambda c: Referral.objects.create(
        claim=c,
        adjuster_email="adjuster@insurer.test",
        referred_by=verifier(),
        due_at=timezone.now(),
    ),
    WatchlistEntry: lambda c: WatchlistEntry.objects.create(
        kind="email", value=f"watch-{c.pk}@example.test", reason="test", source_claim=c
    ),
    PrivacyRequest: lambda c: PrivacyRequest.objects.create(
        kind="export",
        customer=c.customer,
        requested_by_party="staff",
        requested_by=verifier(),
        reason="The customer asked.",
    ),
    LegalHold: lambda c: LegalHold.objects.create(claim=c, reason="Lawsuit", placed_by=verifier()),
    IncidentFacts: lambda c: IncidentFacts.objects.update_or_create(
        claim=c, defaults={"hazard": "burn"}
    )[0],
    SafetyAlert: _alert,
}


def _meta(model):
    from django.apps import apps

    return (apps.get_model(model) if isinstance(model, str) else model)._meta


def _name(model) -> str:
    meta = _meta(model)
    return f"{meta.app_label}_{meta.model_name}"


def _viewer(*models):
    """A staff member of the UK only who may view the claims and ``models`` in the admin."""
    user = _staff("viewer-gb", None, regions=["GB"])
    perms = [Permission.objects.get(codename="view_claim", content_type__app_label="claims")]
    for model in models:
        meta = _meta(model)
        perms.append(
            Permission.objects.get(
                codename=f"view_{meta.model_name}",
                content_type=ContentType.objects.get_for_model(meta.model),
            )
        )
    user.user_permissions.add(*perms)
    return user


def _has_history(model) -> bool:
    from django.contrib import admin
    from simple_history.admin import SimpleHistoryAdmin

    return isinstance(admin.site.get_model_admin(_meta(model).model), SimpleHistoryAdmin)


def _change(model, row) -> str:
    return reverse(f"admin:{_name(model)}_change", args=[row.pk])


@pytest.fixture
def claims():
    """A US claim and a UK one: each its own customer, seller, product and order."""
    return claim_new(), claim_new(order_line=line_in_region("GB"))


@pytest.mark.parametrize("model", list(ROWS), ids=_name)
def test_region_limited_staff_see_only_their_regions_rows_in_the_admin(
    client, admin_client, claims, model
):
    # given: a row of the US and one of the UK
    us_row, uk_row = (ROWS[model](claim) for claim in claims)
    changelist = reverse(f"admin:{_name(model)}_changelist")
    client.force_login(_viewer(model))
    # when
    page = client.get(changelist)
    # then: the UK row is listed and opens; the US row is neither listed nor there
    assert page.status_code == 200
    assert _change(model, uk_row) in page.content.decode()
    assert _change(model, us_row) not in page.content.decode()
    assert client.get(_change(model, uk_row)).status_code == 200
    assert client.get(_change(model, us_row)).status_code == 404
    # nor its history (django-simple-history looks a missing row up in the history table)
    if _has_history(model):
        history = f"admin:{_name(model)}_history"
        assert client.get(reverse(history, args=[uk_row.pk])).status_code == 200
        assert client.get(reverse(history, args=[us_row.pk])).status_code == 404
        version = us_row.history.latest().history_id
        simple = f"admin:{_name(model)}_simple_history"
        assert client.get(reverse(simple, args=[us_row.pk, version])).status_code == 404
    # and a superuser sees both
    everything = admin_client.get(changelist).content.decode()
    assert _change(model, uk_row) in everything
    assert _change(model, us_row) in everything
    assert admin_client.get(_change(model, us_row)).status_code == 200


def test_admin_autocomplete_offers_only_the_readers_regions(client, claims):
    # given: the order admin's customer box searches the customer admin
    us, uk = claims
    client.force_login(_viewer("marketplace.Order", "marketplace.Customer"))
    # when
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "marketplace", "model_name": "order", "field_name": "customer", "term": ""},
    )
    # then
    assert response.status_code == 200
    found = {row["id"] for row in response.json()["results"]}
    assert str(uk.customer_id) in found
    assert str(us.customer_id) not in found


def test_ledger_transactions_of_no_region_stay_listed(client, claims):
    # given: a transaction naming no claim, payout or seller (the company's own)
    own = _transaction("USD", "test-own")
    client.force_login(_viewer(LedgerTransaction))
    # when
    page = client.get(reverse("admin:payouts_ledgertransaction_changelist"))
    # then
    assert _change(LedgerTransaction, own) in page.content.decode()
