"""Proof of insurance: the seller's certificate awaits verification; staff confirm each value
against the document, and the policy checks run on what they confirmed."""

import datetime as dt

import pytest
from django.core import mail

from claims.exceptions import EvidenceRejected
from sellers.exceptions import CertificateError, ResponseRejected
from sellers.models import (
    CertificateStatus,
    CertificateVerification,
    InsuranceCertificate,
    VerificationOutcome,
)
from sellers.services.certificates import (
    CertificateInput,
    certificate_refuse,
    certificate_submit,
    certificate_valid_for,
    certificate_verify,
)
from tests.factories import CertificateFactory, SellerFactory, certificate_pdf
from tests.sellers.helpers import run_outbox

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)
TODAY = NOW.date()


def _input(**overrides) -> CertificateInput:
    fields = {
        "insurer_name": "Harbor Mutual",
        "policy_number": "GL-77",
        "occurrence_based": True,
        "currency": "USD",
        "per_occurrence_minor": 100_000_000,
        "aggregate_minor": 100_000_000,
        "deductible_minor": 1_000_000,
        "insurer_rating": "A-",
        "marketplace_additional_insured": True,
        "cancellation_notice_days": 30,
        "effective_date": dt.date(2026, 1, 1),
        "expiry_date": dt.date(2026, 12, 31),
    }
    fields.update(overrides)
    return CertificateInput(**fields)


def _submitted(**overrides) -> InsuranceCertificate:
    return certificate_submit(
        seller=SellerFactory(), data=_input(**overrides), document=certificate_pdf(), now=NOW
    )


def test_submit_without_a_document_is_refused_and_nothing_saved():
    # given / when: typed values that would all pass, but no document
    with pytest.raises(ResponseRejected, match="document"):
        certificate_submit(seller=SellerFactory(), data=_input(), document=None, now=NOW)
    # then
    assert not InsuranceCertificate.objects.exists()


def test_submit_with_a_document_the_checks_refuse_saves_nothing():
    with pytest.raises(EvidenceRejected):
        certificate_submit(
            seller=SellerFactory(), data=_input(), document=b"MZ\x90\x00 not a pdf", now=NOW
        )
    assert not InsuranceCertificate.objects.exists()


def test_submitted_certificate_awaits_verification_and_counts_for_nothing():
    # given: a certificate that meets every check, as typed, with its document
    certificate = _submitted()
    # then: stored with its document, awaiting verification, not valid proof
    assert certificate.status == CertificateStatus.PENDING
    assert certificate.document.name.endswith(".pdf")
    assert certificate.document_content_type == "application/pdf"
    assert certificate.verified_at is None
    assert certificate_valid_for(seller=certificate.seller, today=TODAY) is None


def test_verified_certificate_is_valid_and_the_verification_is_recorded(supervisor):
    # given
    certificate = _submitted()
    # when: staff confirm the values as typed
    verification = certificate_verify(
        certificate=certificate, user=supervisor, confirmed=_input(), now=NOW
    )
    # then
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert (certificate.verified_by, certificate.verified_at) == (supervisor, NOW)
    assert verification.outcome == VerificationOutcome.VERIFIED and verification.changes == {}
    assert verification.actor == supervisor and verification.created_at == NOW
    assert certificate_valid_for(seller=certificate.seller, today=TODAY) == certificate


def test_checks_run_on_what_staff_confirmed_not_on_what_the_seller_typed(supervisor):
    # given: the seller typed values that pass; the document says claims-made, 10 days' notice
    certificate = _submitted()
    # when
    verification = certificate_verify(
        certificate=certificate,
        user=supervisor,
        confirmed=_input(occurrence_based=False, cancellation_notice_days=10),
        now=NOW,
    )
    # then: refused on the confirmed values, each correction recorded as [typed, confirmed]
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REJECTED
    assert certificate.occurrence_based is False and certificate.cancellation_notice_days == 10
    assert verification.outcome == VerificationOutcome.FAILED
    assert verification.changes == {
        "occurrence_based": [True, False],
        "cancellation_notice_days": [30, 10],
    }
    assert len(verification.failures) == 2
    assert certificate_valid_for(seller=certificate.seller, today=TODAY) is None


def test_a_correction_can_make_a_typed_failure_pass(supervisor):
    # given: the seller mistyped the deductible above the maximum
    certificate = _submitted(deductible_minor=5_000_000)
    # when: the document says 5,000.00
    verification = certificate_verify(
        certificate=certificate,
        user=supervisor,
        confirmed=_input(deductible_minor=500_000),
        now=NOW,
    )
    # then
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID and certificate.deductible_minor == 500_000
    assert verification.changes == {"deductible_minor": [5_000_000, 500_000]}


@pytest.mark.parametrize(
    ("overrides", "failure"),
    [
        ({"occurrence_based": False}, "occurrence-based"),
        ({"per_occurrence_minor": 99_999_999}, "per-occurrence limit is below $1,000,000.00"),
        ({"aggregate_minor": 50_000_000}, "aggregate limit is below $1,000,000.00"),
        ({"deductible_minor": 1_000_001}, "deductible is above $10,000.00"),
        ({"insurer_rating": "B++"}, "rated below A-"),
        ({"marketplace_additional_insured": False}, "additional insured"),
        ({"cancellation_notice_days": 29}, "30 days' notice of cancellation"),
        ({"expiry_date": dt.date(2026, 11, 26)}, "expired"),
        ({"currency": "CAD"}, "must be in USD"),
    ],
)
def test_each_failed_check_on_the_confirmed_values_is_named(supervisor, overrides, failure):
    certificate = _submitted()
    verification = certificate_verify(
        certificate=certificate, user=supervisor, confirmed=_input(**overrides), now=NOW
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REJECTED
    assert len(certificate.check_failures) == 1 and failure in certificate.check_failures[0]
    assert verification.failures == certificate.check_failures


def test_refusal_needs_a_reason_and_is_recorded(supervisor):
    certificate = _submitted()
    with pytest.raises(CertificateError):
        certificate_refuse(certificate=certificate, user=supervisor, reason="  ")
    certificate_refuse(
        certificate=certificate, user=supervisor, reason="The name is not yours.", now=NOW
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REJECTED
    assert certificate.refusal_reason == "The name is not yours."
    verification = CertificateVerification.objects.get()
    assert verification.outcome == VerificationOutcome.REFUSED and verification.actor == supervisor


def test_a_certificate_is_decided_once(supervisor, agent):
    # given: two staff open the same certificate; the first verifies it
    certificate = _submitted()
    stale = InsuranceCertificate.objects.get(pk=certificate.pk)
    certificate_verify(certificate=certificate, user=supervisor, confirmed=_input(), now=NOW)
    # when: the second refuses from their stale copy
    with pytest.raises(CertificateError, match="already"):
        certificate_refuse(certificate=stale, user=agent, reason="Too late.")
    # then: the first decision stands, one record
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert CertificateVerification.objects.count() == 1


def test_a_certificate_without_document_can_only_be_refused(supervisor):
    # given: a certificate recorded before documents were required
    certificate = CertificateFactory(document="", document_content_type="")
    with pytest.raises(CertificateError, match="no document"):
        certificate_verify(certificate=certificate, user=supervisor, confirmed=_input())
    certificate_refuse(certificate=certificate, user=supervisor, reason="Send the document.")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REJECTED


def test_only_verified_certificates_count_even_if_marked_valid_in_the_table():
    # given: a certificate whose row says valid without a verification (a bypass)
    from django.db import IntegrityError, transaction

    certificate = CertificateFactory()
    # then: the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        InsuranceCertificate.objects.filter(pk=certificate.pk).update(status="valid")
    assert certificate_valid_for(seller=certificate.seller, today=dt.date.today()) is None


@pytest.mark.parametrize(("outcome", "words"), [("verify", "is verified"), ("refuse", "Why:")])
def test_the_seller_is_emailed_the_outcome(supervisor, outcome, words):
    certificate = _submitted()
    if outcome == "verify":
        certificate_verify(certificate=certificate, user=supervisor, confirmed=_input(), now=NOW)
    else:
        certificate_refuse(certificate=certificate, user=supervisor, reason="Blurry scan.")
    assert run_outbox("sellers.notify_certificate") == 1
    message = mail.outbox[-1]
    assert message.to == [certificate.seller.email]
    assert words in message.subject + message.body
    assert message.alternatives and "GL-77" in message.alternatives[0][0]
    if outcome == "refuse":
        assert "Blurry scan." in message.body


def test_the_seller_is_told_each_failed_check(supervisor):
    certificate = _submitted()
    certificate_verify(
        certificate=certificate,
        user=supervisor,
        confirmed=_input(cancellation_notice_days=10),
        now=NOW,
    )
    run_outbox("sellers.notify_certificate")
    assert "not accepted" in mail.outbox[-1].subject
    assert "notice of cancellation" in mail.outbox[-1].body


def test_certificate_with_dates_reversed_is_refused_and_nothing_saved():
    with pytest.raises(ResponseRejected):
        certificate_submit(
            seller=SellerFactory(),
            data=_input(effective_date=dt.date(2027, 1, 1), expiry_date=dt.date(2026, 1, 1)),
            document=certificate_pdf(),
            now=NOW,
        )
    assert not InsuranceCertificate.objects.exists()


@pytest.mark.parametrize(
    ("effective", "expiry", "message"),
    [
        (dt.date(1, 1, 1), dt.date(9999, 12, 31), "more than 10 years ago"),
        (dt.date(2026, 1, 1), dt.date(9999, 12, 31), "at most 5 years"),
        (dt.date(2030, 1, 1), dt.date(2031, 1, 1), "more than a year from today"),
    ],
)
def test_certificate_with_dates_out_of_sane_bounds_is_refused(effective, expiry, message):
    # issue 19: a self-declared certificate valid from 0001 to 9999 met the policy.
    with pytest.raises(ResponseRejected) as caught:
        certificate_submit(
            seller=SellerFactory(),
            data=_input(effective_date=effective, expiry_date=expiry),
            document=certificate_pdf(),
            now=NOW,
        )
    assert message in str(caught.value)
    assert not InsuranceCertificate.objects.exists()
