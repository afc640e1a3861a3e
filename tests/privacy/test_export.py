"""A customer's data export (GDPR art. 15/20, UK GDPR, PIPEDA): every table's rows about them
and their files, nothing about anyone else; recorded and audited; from the customer's page and
from the staff's on the customer's request."""

import io
import json
import zipfile

import pytest
from django.db.models import Q
from django.urls import reverse

from claims.actors import Actor
from claims.models import ClaimEvent, ClaimStatus, EventKind, EvidenceKind
from claims.services import (
    claim_note_add,
    claim_request_info,
    claim_resume_after_info,
    evidence_add,
)
from fraud.scoring import _summary, fraud_score_claim
from fraud.services import fraud_hold
from payouts.adapters.sandbox import SandboxAdapter
from payouts.bank_details import bank_details_parse
from payouts.services import payee_change_approve, payee_change_request
from payouts.services.pipeline import payouts_send_due
from portal.progress import customer_events
from portal.selectors import claim_timeline
from privacy.export import ROW_FILTERS, WITHHELD, customer_sources, exported_sources
from privacy.models import PrivacyRequest
from tests.claims.test_evidence import png_bytes
from tests.factories import CustomerFactory, OrderLineFactory, claim_in
from tests.fraud.support import outbox_run, photo_bytes
from tests.payouts.helpers import approved_claim, deliver_payout_messages, with_payee
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db
ACCOUNT = "99887766"


def _customer_with_history(name: str):
    """A paid claim with payment details and a photo, and a second claim still open."""
    paid = approved_claim(account=None)
    paid.customer.name = name
    paid.customer.save()
    with_payee(paid.customer, ACCOUNT)
    evidence_add(
        claim=paid,
        data=png_bytes(),
        filename="kettle.png",
        kind=EvidenceKind.DAMAGE_PHOTO,
        actor=Actor.customer(paid.customer),
    )
    deliver_payout_messages()
    payouts_send_due(adapter=SandboxAdapter())
    paid.refresh_from_db()
    assert paid.status == ClaimStatus.PAID
    claim_in(ClaimStatus.UNDER_REVIEW, order_line=OrderLineFactory(order__customer=paid.customer))
    return paid.customer


def _archive(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_export_holds_every_row_about_the_customer_and_nothing_about_anyone_else(client):
    # given: two customers with paid claims, payment details and photos
    mine = _customer_with_history("Jamie Rivera")
    other = _customer_with_history("Robin Other")
    # when: the first downloads their data from their page
    sign_in(client, mine)
    page = client.get(reverse("privacy:customer-export"))
    assert page.status_code == 200
    assert "Download my data" in page.content.decode()
    expected = {
        source.label: set(
            source.model._default_manager.filter(**{source.path: mine})
            .filter(ROW_FILTERS.get(source.label, Q()))
            .values_list("pk", flat=True)
        )
        for source in exported_sources()
    }
    archive = _archive(client.post(reverse("privacy:customer-export")))
    data = json.loads(archive.read("data.json"))
    tables = data["tables"]
    # then: each exported table holds exactly the customer's rows (as stored, by id)
    assert [row["id"] for row in tables["marketplace.customer"]] == [mine.pk]
    for source in exported_sources():
        exported = {row[source.model._meta.pk.attname] for row in tables[source.label]}
        if source.label == "claims.claimevent":
            # the events the claim page's history tells, for each of the customer's claims
            shown = {
                event.pk
                for claim in mine.claims.all()
                for event, _entry in customer_events(claim_timeline(claim=claim))
            }
            assert exported == shown and shown <= expected[source.label]
            continue
        assert exported == expected[source.label], source.label
    for label in ("claims.claim", "claims.lossitem", "claims.claimevent", "claims.evidence"):
        assert tables[label], label
    assert len(tables["claims.claim"]) == 2
    assert tables["payouts.payout"] and tables["payouts.payeedetails"]
    # nothing of the other customer's anywhere, nor a withheld table
    text = archive.read("data.json").decode()
    assert other.email not in text and "Robin Other" not in text
    assert not set(WITHHELD) & set(tables)
    # the account number only masked; the photo as stored
    assert ACCOUNT not in text and "••••7766" in text
    names = archive.namelist()
    photos = [n for n in names if n.startswith("files/claims.evidence/")]
    assert len(photos) == 1 and photos[0].endswith(".png")
    assert archive.read(photos[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "README.txt" in names


def _held_claim_asked_for_information(agent, analyst, supervisor):
    """A claim over the threshold held by fraud scoring on filing, its photo also in three
    other customers' claims; the analyst writes an internal note and asks the customer for
    information from the hold; the customer answers; two staff members change the customer's
    payment details."""

    def photo(claim):
        evidence_add(
            claim=claim,
            data=photo_bytes(seed=7),
            filename="IMG_1.jpg",
            kind=EvidenceKind.DAMAGE_PHOTO,
            actor=Actor.customer(claim.customer),
        )

    others = [
        claim_in(ClaimStatus.UNDER_REVIEW, order_line=OrderLineFactory(order__customer=c))
        for c in CustomerFactory.create_batch(3)
    ]
    claim = claim_in(ClaimStatus.SCREENING, amount_minor=160_950)
    for each in [*others, claim]:
        photo(each)
    outbox_run(topic_prefix="fraud.evidence")
    assessment = fraud_score_claim(claim=claim)
    fraud_hold(claim=claim, actor=Actor.system("fraud scoring"), note=_summary(assessment))
    claim_note_add(claim=claim, actor=Actor.staff(analyst), text="Photo ring, see the others.")
    claim_request_info(claim=claim, actor=Actor.staff(analyst), message="Please send the receipt.")
    claim_resume_after_info(
        claim=claim, actor=Actor.customer(claim.customer), reason="Receipt attached."
    )
    details = bank_details_parse(
        scheme="us_aba",
        data={
            "scheme": "us_aba",
            "holder_name": claim.customer.name,
            "routing_number": "021000021",
            "account_number": ACCOUNT,
        },
    )
    change = payee_change_request(
        customer=claim.customer, user=agent, details=details, reason="Corrected on the phone."
    )
    payee_change_approve(change=change, user=supervisor)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FRAUD_HOLD
    assert claim.risk_score and other_refs_in_reasons(claim, others)
    return claim, others


def other_refs_in_reasons(claim, others) -> bool:
    reasons = " ".join(claim.events.values_list("reason", flat=True))
    return all(other.reference in reasons for other in others)


def test_export_of_a_fraud_held_claim_shows_what_the_claim_page_shows_and_no_screening(
    client, agent, analyst, supervisor
):
    # given: a claim held by fraud scoring whose reasons name other customers' claims, worked
    # by an analyst (a question to the customer, an internal note, payment details corrected)
    claim, others = _held_claim_asked_for_information(agent, analyst, supervisor)
    # when: the customer downloads their data from their page
    sign_in(client, claim.customer)
    archive = _archive(client.post(reverse("privacy:customer-export")))
    text = archive.read("data.json").decode()
    tables = json.loads(text)["tables"]
    # then: the claim reads as the claim page reads it, without scores or who holds it
    (row,) = tables["claims.claim"]
    assert row["status"] == "Being checked"
    assert not {"risk_score", "risk_level", "assignee_id"} & set(row)
    for version in tables["claims.historicalclaim"]:
        assert not {"risk_score", "risk_level", "assignee_id", "history_user_id"} & set(version)
        assert version["status"] in ("Received", "Being checked")
    # nothing of the screening, other customers' claims or the staff's names anywhere
    lowered = text.lower()
    for leak in ("fraud", "risk", "analyst", "supervisor", "scoring", "photo ring", "same photo"):
        assert leak not in lowered, leak
    assert '"agent"' not in text
    for other in others:
        assert other.reference not in text
    # the history as the claim page tells it: the question asked, the answer, by whom
    events = tables["claims.claimevent"]
    assert {event["by"] for event in events} <= {"You", "Claims team"}
    said = [(event["text"], event["quote"]) for event in events]
    assert ("We asked you for more information.", "Please send the receipt.") in said
    assert ("You answered our question.", "Receipt attached.") in said
    assert "Claims team" in {e["actor_label"] for e in tables["payouts.payeeevent"]}


def test_every_table_that_reaches_customers_is_exported_or_withheld_on_purpose():
    found = {source.label for source in customer_sources()}
    # each withheld table still exists and still reaches customers (no stale reasons)
    assert set(WITHHELD) <= found
    # the tables people think of first are found by their foreign keys
    assert {
        "claims.claim",
        "claims.claimevent",
        "claims.historicalclaim",
        "claims.evidence",
        "marketplace.order",
        "payouts.payeedetails",
        "payouts.payout",
        "privacy.privacyrequest",
    } <= found - set(WITHHELD)


def test_each_export_is_recorded_and_noted_on_every_claim(client):
    customer = _customer_with_history("Jamie Rivera")
    sign_in(client, customer)
    _archive(client.post(reverse("privacy:customer-export")))
    request = PrivacyRequest.objects.get()
    assert (request.customer, request.requested_by_party, request.requested_by) == (
        customer,
        "customer",
        None,
    )
    assert request.summary["tables"]["claims.claim"] == 2 and request.summary["files"] == 1
    notes = ClaimEvent.objects.filter(kind=EventKind.NOTE, data__privacy="export")
    assert sorted(notes.values_list("claim__customer", flat=True)) == [customer.pk] * 2
    page = client.get(reverse("privacy:customer-export")).content.decode()
    assert "downloaded by you" in page


def test_customer_must_be_signed_in(client):
    response = client.get(reverse("privacy:customer-export"))
    assert response.status_code == 302 and reverse("portal:sign-in") in response["Location"]
    assert client.post(reverse("privacy:customer-export")).status_code == 302
    assert PrivacyRequest.objects.count() == 0


@pytest.mark.parametrize(
    "role, status", [("agent", 403), ("analyst", 403), ("outsider", 403), ("supervisor", 200)]
)
def test_staff_export_page_permissions(client, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("privacy:staff-export")).status_code == status
    customer = _customer_with_history("Jamie Rivera")
    response = client.post(
        reverse("privacy:staff-export"),
        {"customer": customer.email, "reason": "E-mail of 3 December"},
    )
    assert response.status_code == status
    assert PrivacyRequest.objects.count() == (1 if status == 200 else 0)


def test_staff_export_on_the_customers_request(client, supervisor):
    customer = _customer_with_history("Jamie Rivera")
    client.force_login(supervisor)
    claim = customer.claims.first()
    archive = _archive(
        client.post(
            reverse("privacy:staff-export"),
            {"customer": claim.reference, "reason": "Ticket 4411"},
        )
    )
    assert json.loads(archive.read("data.json"))["customer"] == customer.marketplace_id
    request = PrivacyRequest.objects.get()
    assert (request.requested_by, request.reason) == (supervisor, "Ticket 4411")
    page = client.get(reverse("privacy:staff-export")).content.decode()
    assert "Ticket 4411" in page and customer.name in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"customer": "nobody@example.com", "reason": "Ticket 1"}, "No customer has the e-mail"),
        ({"customer": "", "reason": "Ticket 1"}, "This field is required"),
        ({"customer": "{email}", "reason": ""}, "This field is required"),
    ],
)
def test_staff_export_refuses_bad_input_and_records_nothing(client, supervisor, data, message):
    customer = _customer_with_history("Jamie Rivera")
    client.force_login(supervisor)
    data = {k: v.format(email=customer.email) for k, v in data.items()}
    response = client.post(reverse("privacy:staff-export"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    # what was typed is kept
    if data["reason"]:
        assert data["reason"] in response.content.decode()
    assert PrivacyRequest.objects.count() == 0
    assert not ClaimEvent.objects.filter(data__privacy="export").exists()
