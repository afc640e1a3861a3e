"""Proof of insurance: the policy checks and recording a certificate."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.money import format_minor
from sellers.exceptions import ResponseRejected
from sellers.models import CertificateStatus, InsuranceCertificate, InsurerRating, Seller

# AM Best ratings from best to worst; the program accepts A- or better.
ACCEPTED_RATINGS = (
    InsurerRating.A_PLUS_PLUS,
    InsurerRating.A_PLUS,
    InsurerRating.A,
    InsurerRating.A_MINUS,
)


# Sane bounds on the dates a seller types (a certificate "valid from 0001 to 9999" is not
# proof of anything): effective at most this far back or ahead, and a term at most this long.
CERTIFICATE_EFFECTIVE_PAST = dt.timedelta(days=10 * 366)
CERTIFICATE_EFFECTIVE_AHEAD = dt.timedelta(days=366)
CERTIFICATE_MAX_TERM = dt.timedelta(days=5 * 366)


def certificate_date_problems(
    *, effective_date: dt.date, expiry_date: dt.date, today: dt.date
) -> dict[str, str]:
    """What is wrong with a certificate's dates, by field; empty when they are plausible."""
    problems = {}
    if effective_date < today - CERTIFICATE_EFFECTIVE_PAST:
        problems["effective_date"] = _("The effective date cannot be more than 10 years ago.")
    elif effective_date > today + CERTIFICATE_EFFECTIVE_AHEAD:
        problems["effective_date"] = _("The effective date cannot be more than a year from today.")
    if expiry_date <= effective_date:
        problems["expiry_date"] = _("The expiry date must be after the effective date.")
    elif expiry_date - effective_date > CERTIFICATE_MAX_TERM:
        problems["expiry_date"] = _("A certificate covers at most 5 years: check the expiry date.")
    return problems


@dataclass(frozen=True)
class CertificateInput:
    insurer_name: str
    policy_number: str
    occurrence_based: bool
    currency: str
    per_occurrence_minor: int
    aggregate_minor: int
    deductible_minor: int
    insurer_rating: str
    marketplace_additional_insured: bool
    effective_date: dt.date
    expiry_date: dt.date


def certificate_failures(*, seller: Seller, data: CertificateInput, today: dt.date) -> list[str]:
    """Every policy check the certificate fails, named; empty when it is valid. Saves nothing."""
    region = seller.region
    limit = format_minor(region.insurance_min_limit_minor, region.currency)
    failures = []
    if data.currency != region.currency:
        failures.append(
            _("The certificate must be in %(currency)s.") % {"currency": region.currency}
        )
    if not data.occurrence_based:
        failures.append(_("The cover must be occurrence-based, not claims-made."))
    if data.per_occurrence_minor < region.insurance_min_limit_minor:
        failures.append(_("The per-occurrence limit is below %(limit)s.") % {"limit": limit})
    if data.aggregate_minor < region.insurance_min_limit_minor:
        failures.append(_("The aggregate limit is below %(limit)s.") % {"limit": limit})
    if data.deductible_minor > region.insurance_max_deductible_minor:
        failures.append(
            _("The deductible is above %(max)s.")
            % {"max": format_minor(region.insurance_max_deductible_minor, region.currency)}
        )
    if data.insurer_rating not in ACCEPTED_RATINGS:
        failures.append(_("The insurer is rated below A-."))
    if not data.marketplace_additional_insured:
        failures.append(_("The marketplace is not named as additional insured."))
    if data.expiry_date <= today:
        failures.append(_("The certificate has expired."))
    if data.expiry_date <= data.effective_date:
        failures.append(_("The expiry date must be after the effective date."))
    return failures


@transaction.atomic
def certificate_submit(
    *,
    seller: Seller,
    data: CertificateInput,
    document: bytes | None = None,
    now: dt.datetime | None = None,
) -> InsuranceCertificate:
    """Record a certificate the seller uploaded, checked against policy (valid or rejected)."""
    from claims.files import atomic_with_files, file_store
    from claims.uploads import evidence_clean

    now = now or timezone.now()
    if not data.insurer_name.strip() or not data.policy_number.strip():
        raise ResponseRejected(_("Give the insurer's name and the policy number."))
    problems = certificate_date_problems(
        effective_date=data.effective_date, expiry_date=data.expiry_date, today=now.date()
    )
    if problems:
        raise ResponseRejected(" ".join(problems.values()))
    if min(data.per_occurrence_minor, data.aggregate_minor, data.deductible_minor) < 0:
        raise ResponseRejected(_("Amounts cannot be negative."))
    failures = certificate_failures(seller=seller, data=data, today=now.date())
    certificate = InsuranceCertificate(
        seller=seller,
        insurer_name=data.insurer_name.strip(),
        policy_number=data.policy_number.strip(),
        occurrence_based=data.occurrence_based,
        currency=data.currency,
        per_occurrence_minor=data.per_occurrence_minor,
        aggregate_minor=data.aggregate_minor,
        deductible_minor=data.deductible_minor,
        insurer_rating=data.insurer_rating,
        marketplace_additional_insured=data.marketplace_additional_insured,
        effective_date=data.effective_date,
        expiry_date=data.expiry_date,
        status=CertificateStatus.REJECTED if failures else CertificateStatus.VALID,
        check_failures=failures,
    )
    certificate.full_clean(exclude=["document"])
    with atomic_with_files():
        if document:
            clean = evidence_clean(data=document)
            file_store(field_file=certificate.document, content=clean.content)
        certificate.save()
    return certificate


def certificate_valid_for(*, seller: Seller, today: dt.date) -> InsuranceCertificate | None:
    """The seller's valid certificate that lasts longest, if any is in force today."""
    return (
        InsuranceCertificate.objects.filter(
            seller=seller,
            status=CertificateStatus.VALID,
            expiry_date__gt=today,
            effective_date__lte=today,
        )
        .order_by("-expiry_date")
        .first()
    )
