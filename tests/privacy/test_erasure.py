"""Erasure by pseudonymisation (GDPR art. 17, UK GDPR, PIPEDA 4.5.3): no personal value of the
customer is left in any text column of any table, while the claims, their events, the payouts
and the ledger stay whole, balanced and reconciled. Legal holds stop it; the retention job
runs it when the region's period ends."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from claims.actors import Actor
from claims.models import ClaimEvent, ClaimStatus, EventKind
from claims.services import claim_transition
from payouts.ledger import ledger_unbalanced
from payouts.models import Payout
from payouts.reconcile_paths import money_path_differences
from privacy.models import LegalHold, PrivacyRequest, RequestKind, RetentionPolicy
from privacy.services import (
    PrivacyRefused,
    legal_hold_place,
    legal_hold_release,
    privacy_erase,
    retention_sweep,
)
from tests.privacy.test_export import ACCOUNT, _customer_with_history

pytestmark = pytest.mark.django_db(transaction=True)
S = ClaimStatus
NAME = "Jamie Quintero-Rivera"
PHONE = "+14155550123"
STREET = "1742 Evergreen Terrace"


def _customer():
    customer = _customer_with_history(NAME)
    customer.phone = PHONE
    customer.address_line1 = STREET
    customer.save()
    paid = customer.claims.get(status=S.PAID)
    # the customer's own words in the claim and its events, naming them
    claim_transition(claim=paid, to=S.CLOSED, actor=Actor.system("test"), reason=f"Paid to {NAME}.")
    open_claim = customer.claims.exclude(pk=paid.pk).get()
    return customer, paid, open_claim


def _close(claim):
    from claims.services import claim_withdraw

    claim_withdraw(claim=claim, actor=Actor.customer(claim.customer), reason=f"I am {NAME}.")
    claim.refresh_from_db()
    claim_transition(claim=claim, to=S.CLOSED, actor=Actor.system("test"))


def _text_columns():
    """Every text, character and JSON column of every table in the database."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            for column in connection.introspection.get_table_description(cursor, table):
                kind = connection.introspection.get_field_type(column.type_code, column)
                if kind in ("CharField", "TextField", "JSONField", "EmailField"):
                    yield table, column.name


def _where_found(values: list[str]) -> list[str]:
    found = []
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            for value in values:
                cursor.execute(  # identifiers from the database's own catalogue, quoted
                    f"SELECT 1 FROM {qn(table)} WHERE CAST({qn(column)} AS TEXT) LIKE %s LIMIT 1",  # noqa: S608
                    [f"%{value}%"],
                )
                if cursor.fetchone():
                    found.append(f"{table}.{column}: {value}")
    return found


def test_erasure_leaves_no_personal_value_anywhere_and_the_books_whole(client, supervisor):
    # given: a customer with a paid claim (payout, ledger, photo, payment details) and a
    # withdrawn one, whose name, e-mail, phone and street are in many tables
    customer, paid, open_claim = _customer()
    _close(open_claim)
    values = [NAME, customer.email, PHONE, STREET, ACCOUNT]
    description = paid.description
    assert _where_found([NAME, customer.email])
    ledger_before = list(Payout.objects.values_list("amount_minor", "status"))
    events_before = ClaimEvent.objects.filter(claim__customer=customer).count()
    photo = paid.evidence.get()
    stored = photo.file.name
    assert photo.file.storage.exists(stored)
    # when: a supervisor erases it on the customer's request, from the staff page
    client.force_login(supervisor)
    response = client.post(
        reverse("privacy:staff-erase"),
        {"customer": customer.email, "reason": "Customer's e-mail of 3 December", "confirm": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # then: no personal value is left in any text column of any table
    assert _where_found(values + [description]) == []
    # the claims, their events (and one more each), payouts and the ledger are whole
    assert ClaimEvent.objects.filter(claim__customer=customer).count() == events_before + 2
    assert list(Payout.objects.values_list("amount_minor", "status")) == ledger_before
    assert ledger_unbalanced() == []
    assert money_path_differences() == []
    # the photo is gone from storage; the record says what was done, by whom and why
    assert not photo.file.storage.exists(stored)
    request = PrivacyRequest.objects.get(kind=RequestKind.ERASURE)
    assert (request.requested_by, request.reason) == (supervisor, "Customer's e-mail of 3 December")
    assert request.summary["rows"]["claims.claim"] == 2
    customer.refresh_from_db()
    assert customer.name == f"Erased customer {customer.pk}"
    # and the customer's pages no longer show them: a second erasure is refused with the reason
    with pytest.raises(PrivacyRefused, match="already been erased"):
        privacy_erase(customer=customer, actor=Actor.staff(supervisor), reason="Again.")


def test_claim_events_stay_append_only_outside_an_erasure():
    customer, paid, _open = _customer()
    event = ClaimEvent.objects.filter(claim=paid).first()
    from django.db import IntegrityError, InternalError, transaction

    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        ClaimEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        ClaimEvent.objects.filter(pk=event.pk).delete()


def test_erasure_is_refused_while_a_claim_is_open_or_held(supervisor):
    customer, paid, open_claim = _customer()
    with pytest.raises(PrivacyRefused, match=f"{open_claim.reference} is still open"):
        privacy_erase(customer=customer, actor=Actor.staff(supervisor), reason="Asked.")
    _close(open_claim)
    hold = legal_hold_place(claim=paid, user=supervisor, reason="Smith v. Marketplace, 2026")
    with pytest.raises(PrivacyRefused, match="under a legal hold: Smith v. Marketplace"):
        privacy_erase(customer=customer, actor=Actor.staff(supervisor), reason="Asked.")
    customer.refresh_from_db()
    assert customer.name == NAME
    assert not PrivacyRequest.objects.filter(kind=RequestKind.ERASURE).exists()
    # the hold and its release are on the claim's timeline
    legal_hold_release(hold=hold, user=supervisor, reason="Case settled.")
    notes = ClaimEvent.objects.filter(claim=paid, kind=EventKind.NOTE, data__has_key="privacy")
    assert sorted(notes.values_list("data__privacy", flat=True)) == ["hold", "hold_released"]
    privacy_erase(customer=customer, actor=Actor.staff(supervisor), reason="Asked.")


def test_a_denial_inside_its_appeal_window_is_not_settled(supervisor):
    from payouts.services.decisions import decision_deny
    from tests.factories import claim_in

    claim = claim_in(S.UNDER_REVIEW)
    decision_deny(
        claim=claim, actor=Actor.staff(supervisor), reason_code="not_covered", explanation="No."
    )
    with pytest.raises(PrivacyRefused, match="still open"):
        privacy_erase(customer=claim.customer, actor=Actor.staff(supervisor), reason="Asked.")


def test_retention_job_erases_when_the_period_ends_and_not_under_a_hold(supervisor):
    customer, paid, open_claim = _customer()
    _close(open_claim)
    RetentionPolicy.objects.create(region=paid.region, keep_days=365, basis="Test policy.")
    # not yet: the period runs from the last settlement
    assert retention_sweep() == 0
    later = timezone.now() + dt.timedelta(days=366)
    hold = legal_hold_place(claim=paid, user=supervisor, reason="Regulator's inquiry 17")
    assert retention_sweep(now=later) == 0
    legal_hold_release(hold=hold, user=supervisor, reason="Inquiry closed.")
    assert retention_sweep(now=later) == 1
    request = PrivacyRequest.objects.get(kind=RequestKind.ERASURE)
    assert request.requested_by_party == "system"
    assert _where_found([NAME, PHONE]) == []
    assert retention_sweep(now=later) == 0  # once


@pytest.mark.parametrize(
    "role, status", [("agent", 403), ("analyst", 403), ("outsider", 403), ("supervisor", 302)]
)
def test_erase_and_hold_permissions(client, request, role, status):
    customer, paid, open_claim = _customer()
    _close(open_claim)
    client.force_login(request.getfixturevalue(role))
    hold = client.post(reverse("privacy:staff-hold"), {"claim": paid.reference, "reason": "Case."})
    assert hold.status_code == status
    assert LegalHold.objects.count() == (1 if status == 302 else 0)
    erase = client.post(
        reverse("privacy:staff-erase"),
        {"customer": customer.email, "reason": "Asked.", "confirm": "on"},
    )
    # with the hold in place the supervisor's erasure is refused with the reason (400)
    assert erase.status_code == (400 if status == 302 else 403)
    assert not PrivacyRequest.objects.filter(kind=RequestKind.ERASURE).exists()


def test_erase_form_needs_the_confirmation_and_keeps_what_was_typed(client, supervisor):
    customer, _paid, open_claim = _customer()
    _close(open_claim)
    client.force_login(supervisor)
    response = client.post(
        reverse("privacy:staff-erase"), {"customer": customer.email, "reason": "Her e-mail."}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required" in page and "Her e-mail." in page
    customer.refresh_from_db()
    assert customer.name == NAME


def test_each_staff_form_shows_its_own_refusal_in_one_error_summary(client, supervisor):
    # given: a customer with a claim still open (erasure is refused); the hold form sent
    # with no reason (the service refuses it); the export form without a customer
    customer, _paid, open_claim = _customer()
    client.force_login(supervisor)
    cases = [
        (
            "privacy:staff-erase",
            {"customer": customer.email, "reason": "Asked.", "confirm": "on"},
            f"Claim {open_claim.reference} is still open",
        ),
        ("privacy:staff-hold", {"claim": open_claim.reference, "reason": " "}, None),
        ("privacy:staff-export", {"customer": "", "reason": "Ticket 1"}, None),
    ]
    for url, data, refusal in cases:
        # when
        response = client.post(reverse(url), data)
        page = response.content.decode()
        # then: 400, one summary (the posted form's), with the service's reason when it refused
        assert response.status_code == 400, url
        assert page.count('class="error-summary"') == 1, url
        summary = page.split('class="error-summary"')[1].split("</div>")[0]
        if refusal:
            assert refusal in summary
        else:
            assert summary.strip()
    customer.refresh_from_db()
    assert customer.name == NAME
    assert not LegalHold.objects.exists()
