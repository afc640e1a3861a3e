"""Proof of insurance, checked against the region's policy: each failed check named."""

import datetime as dt

import pytest

from sellers.exceptions import ResponseRejected
from sellers.models import CertificateStatus, InsuranceCertificate
from sellers.services.certificates import CertificateInput, certificate_submit
from tests.factories import SellerFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)


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
        "effective_date": dt.date(2026, 1, 1),
        "expiry_date": dt.date(2026, 12, 31),
    }
    fields.update(overrides)
    return CertificateInput(**fields)


def test_certificate_meeting_every_check_is_valid():
    certificate = certificate_submit(seller=SellerFactory(), data=_input(), now=NOW)
    assert certificate.status == CertificateStatus.VALID and certificate.check_failures == []


@pytest.mark.parametrize(
    ("overrides", "failure"),
    [
        ({"occurrence_based": False}, "occurrence-based"),
        ({"per_occurrence_minor": 99_999_999}, "per-occurrence limit is below $1,000,000.00"),
        ({"aggregate_minor": 50_000_000}, "aggregate limit is below $1,000,000.00"),
        ({"deductible_minor": 1_000_001}, "deductible is above $10,000.00"),
        ({"insurer_rating": "B++"}, "rated below A-"),
        ({"marketplace_additional_insured": False}, "additional insured"),
        ({"expiry_date": dt.date(2026, 11, 26)}, "expired"),
        ({"currency": "CAD"}, "must be in USD"),
    ],
)
def test_certificate_each_failed_check_is_named(overrides, failure):
    certificate = certificate_submit(seller=SellerFactory(), data=_input(**overrides), now=NOW)
    assert certificate.status == CertificateStatus.REJECTED
    assert len(certificate.check_failures) == 1
    assert failure in certificate.check_failures[0]


def test_certificate_all_failures_listed_together():
    data = _input(occurrence_based=False, insurer_rating="B", deductible_minor=5_000_000)
    certificate = certificate_submit(seller=SellerFactory(), data=data, now=NOW)
    assert len(certificate.check_failures) == 3


def test_certificate_with_dates_reversed_is_refused_and_nothing_saved():
    with pytest.raises(ResponseRejected):
        certificate_submit(
            seller=SellerFactory(),
            data=_input(effective_date=dt.date(2027, 1, 1), expiry_date=dt.date(2026, 1, 1)),
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
            now=NOW,
        )
    assert message in str(caught.value)
    assert not InsuranceCertificate.objects.exists()
