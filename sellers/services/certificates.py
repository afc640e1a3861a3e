"""Proof of insurance: the policy checks, the seller's upload and staff verification.

A certificate the seller uploads (with its document) awaits verification and counts for
nothing. Staff confirm or correct each value against the document; the policy checks run on
what they confirmed. Only a verified certificate that meets the policy is valid.
"""

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.money import format_minor
from claims.outbox import outbox_add
from sellers.exceptions import CertificateError, ResponseRejected
from sellers.models import (
    CertificateStatus,
    CertificateVerification,
    InsuranceCertificate,
    InsurerRating,
    Seller,
    VerificationOutcome,
)

# AM Best ratings from best to worst; the program accepts A- or better.
ACCEPTED_RATINGS = (
    InsurerRating.A_PLUS_PLUS,
    InsurerRating.A_PLUS,
    InsurerRating.A,
    InsurerRating.A_MINUS,
)
# The insurer must tell the marketplace this many days before the cover is cancelled.
MIN_CANCELLATION_NOTICE_DAYS = 30


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


def certificate_sent_problems(
    *,
    effective_date: dt.date | None,
    expiry_date: dt.date | None,
    per_occurrence_minor: int | None,
    aggregate_minor: int | None,
    today: dt.date,
) -> dict[str, str]:
    """What the seller must correct before sending a certificate, by field (a value not given
    is not checked): implausible dates, a certificate already expired, a per-occurrence limit
    above the aggregate limit that caps it. Staff verification records an expiry as a policy
    failure instead (``certificate_failures``)."""
    problems = {}
    if effective_date and expiry_date:
        problems = certificate_date_problems(
            effective_date=effective_date, expiry_date=expiry_date, today=today
        )
    if expiry_date and "expiry_date" not in problems and expiry_date <= today:
        problems["expiry_date"] = _("The certificate has expired: send your current one.")
    if (
        per_occurrence_minor is not None
        and aggregate_minor is not None
        and per_occurrence_minor > aggregate_minor
    ):
        problems["per_occurrence"] = _(
            "The per-occurrence limit cannot be more than the aggregate limit: check both "
            "on the certificate."
        )
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
    cancellation_notice_days: int
    effective_date: dt.date
    expiry_date: dt.date

    @classmethod
    def of(cls, values: dict, *, currency: str) -> "CertificateInput":
        """From the cleaned values of the seller's form or the API (amounts in minor units
        under ``per_occurrence``, ``aggregate``, ``deductible``)."""
        return cls(
            insurer_name=values["insurer_name"],
            policy_number=values["policy_number"],
            occurrence_based=values["occurrence_based"],
            currency=currency,
            per_occurrence_minor=values["per_occurrence"],
            aggregate_minor=values["aggregate"],
            deductible_minor=values["deductible"],
            insurer_rating=values["insurer_rating"],
            marketplace_additional_insured=values["marketplace_additional_insured"],
            cancellation_notice_days=values["cancellation_notice_days"],
            effective_date=values["effective_date"],
            expiry_date=values["expiry_date"],
        )


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
    if data.cancellation_notice_days < MIN_CANCELLATION_NOTICE_DAYS:
        failures.append(
            _("The insurer must give at least %(days)d days' notice of cancellation.")
            % {"days": MIN_CANCELLATION_NOTICE_DAYS}
        )
    if data.expiry_date <= today:
        failures.append(_("The certificate has expired."))
    if data.expiry_date <= data.effective_date:
        failures.append(_("The expiry date must be after the effective date."))
    return failures


def _check_shape(data: CertificateInput, *, today: dt.date) -> None:
    if not data.insurer_name.strip() or not data.policy_number.strip():
        raise ResponseRejected(_("Give the insurer's name and the policy number."))
    problems = certificate_date_problems(
        effective_date=data.effective_date, expiry_date=data.expiry_date, today=today
    )
    if problems:
        raise ResponseRejected(" ".join(problems.values()))
    if min(data.per_occurrence_minor, data.aggregate_minor, data.deductible_minor) < 0:
        raise ResponseRejected(_("Amounts cannot be negative."))
    if data.cancellation_notice_days < 0:
        raise ResponseRejected(_("The notice of cancellation cannot be negative."))


def _values(data: CertificateInput) -> dict:
    values = asdict(data)
    values["insurer_name"] = data.insurer_name.strip()
    values["policy_number"] = data.policy_number.strip()
    return values


@transaction.atomic
def certificate_submit(
    *,
    seller: Seller,
    data: CertificateInput,
    document: bytes | None,
    document_name: str = "certificate.pdf",
    now: dt.datetime | None = None,
) -> InsuranceCertificate:
    """Record a certificate the seller uploaded, with its document, awaiting verification.

    What the seller typed counts for nothing until staff confirm it against the document
    (``certificate_verify``). Without a document nothing is saved. The document goes through
    the upload policy like every other upload (``claims.uploads.evidence_check``: what is stored is
    the policy's rewrite of it); a refused file raises ``EvidenceRejected`` and nothing is
    saved."""
    from claims.files import atomic_with_files, file_store
    from claims.uploads import evidence_check

    if document is None:
        raise ResponseRejected(
            _("Attach the certificate document: without it we cannot check your insurance.")
        )
    today = timezone.localdate(now) if now else timezone.localdate()
    _check_shape(data, today=today)
    problems = certificate_sent_problems(
        effective_date=data.effective_date,
        expiry_date=data.expiry_date,
        per_occurrence_minor=data.per_occurrence_minor,
        aggregate_minor=data.aggregate_minor,
        today=today,
    )
    if problems:
        raise ResponseRejected(" ".join(problems.values()))
    clean = evidence_check(data=document, filename=document_name)
    certificate = InsuranceCertificate(
        seller=seller,
        **_values(data),
        document_content_type=clean.content_type,
        status=CertificateStatus.PENDING,
        created_at=now or timezone.now(),
    )
    certificate.full_clean(exclude=["document", "verified_by"])
    with atomic_with_files():
        file_store(field_file=certificate.document, content=clean.content)
        certificate.save()
    return certificate


def _json(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _decide(
    *,
    certificate: InsuranceCertificate,
    user,
    outcome: str,
    status: str,
    updates: dict,
    changes: dict,
    failures: list[str],
    reason: str,
    now: dt.datetime,
) -> CertificateVerification:
    """Compare-and-swap the certificate out of ``pending``, record who did what, e-mail."""
    moved = InsuranceCertificate.objects.filter(
        pk=certificate.pk, status=CertificateStatus.PENDING
    ).update(
        **updates,
        status=status,
        check_failures=failures,
        refusal_reason=reason,
        verified_by=user,
        verified_at=now,
    )
    if moved != 1:
        raise CertificateError(
            _("This certificate was already verified or refused by someone else.")
        )
    verification = CertificateVerification.objects.create(
        certificate=certificate,
        actor=user,
        outcome=outcome,
        changes=changes,
        failures=failures,
        reason=reason,
        created_at=now,
    )
    outbox_add(
        topic="sellers.notify_certificate",
        payload={"certificate_id": certificate.pk, "verification_id": verification.pk},
        dedupe_key=f"sellers.notify_certificate:{verification.pk}",
    )
    certificate.refresh_from_db()
    return verification


@transaction.atomic
def certificate_verify(
    *,
    certificate: InsuranceCertificate,
    user,
    confirmed: CertificateInput,
    now: dt.datetime | None = None,
) -> CertificateVerification:
    """Staff confirm (or correct) each value against the document; the policy checks run on
    what they confirmed. Valid, or refused with every failed check named; the seller is
    e-mailed either way. Every corrected value is recorded as ``[typed, confirmed]``."""
    now = now or timezone.now()
    if not certificate.document:
        raise CertificateError(
            _("This certificate has no document: it cannot be verified, only refused.")
        )
    _check_shape(confirmed, today=now.date())
    values = _values(confirmed)
    changes = {
        name: [_json(getattr(certificate, name)), _json(value)]
        for name, value in values.items()
        if getattr(certificate, name) != value
    }
    failures = certificate_failures(seller=certificate.seller, data=confirmed, today=now.date())
    return _decide(
        certificate=certificate,
        user=user,
        outcome=VerificationOutcome.FAILED if failures else VerificationOutcome.VERIFIED,
        status=CertificateStatus.REJECTED if failures else CertificateStatus.VALID,
        updates=values,
        changes=changes,
        failures=failures,
        reason="",
        now=now,
    )


@transaction.atomic
def certificate_refuse(
    *,
    certificate: InsuranceCertificate,
    user,
    reason: str,
    now: dt.datetime | None = None,
) -> CertificateVerification:
    """Staff refuse a certificate (the document is unreadable, for another business, not a
    certificate…) with a reason the seller is e-mailed."""
    if not reason.strip():
        raise CertificateError(_("Give the seller the reason for refusing the certificate."))
    return _decide(
        certificate=certificate,
        user=user,
        outcome=VerificationOutcome.REFUSED,
        status=CertificateStatus.REJECTED,
        updates={},
        changes={},
        failures=[],
        reason=reason.strip(),
        now=now or timezone.now(),
    )


def certificate_valid_for(*, seller: Seller, today: dt.date) -> InsuranceCertificate | None:
    """The seller's verified, valid certificate that lasts longest, if any is in force today.

    A certificate the seller typed in counts for nothing until staff verified it."""
    return (
        InsuranceCertificate.objects.filter(
            seller=seller,
            status=CertificateStatus.VALID,
            verified_at__isnull=False,
            expiry_date__gt=today,
            effective_date__lte=today,
        )
        .order_by("-expiry_date")
        .first()
    )
