"""Scoring a claim and routing it out of screening. Writes only; reads are in selectors."""

import datetime as dt
import io
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.lifecycle import HOLDABLE_LATER_STATUSES, Via
from claims.models import Claim, ClaimStatus, Evidence, RiskLevel
from claims.services import claim_risk_set, claim_transition
from fraud.models import (
    Assessment,
    AttributeKind,
    ClaimAttribute,
    EvidencePhoto,
    Rule,
    RuleHit,
    RuleVersion,
    ScoringPolicy,
)
from fraud.normalise import address_normalise, email_normalise, phone_normalise, token_normalise
from fraud.rules import REGISTRY, explain
from fraud.rules.context import Context

logger = logging.getLogger(__name__)

# States from which new evidence that pushes a claim over the threshold puts it on hold.
HOLDABLE_LATER = HOLDABLE_LATER_STATUSES


def scoring_policy() -> ScoringPolicy:
    policy = ScoringPolicy.objects.order_by("pk").first()
    return policy or ScoringPolicy.objects.create()


def rules_ensure() -> dict[str, Rule]:
    """The rules' current settings; rules new in the code get their defaults as version 1."""
    rules = {r.code: r for r in Rule.objects.all()}
    for code, spec in REGISTRY.items():
        if code not in rules:
            with transaction.atomic():
                rule, created = Rule.objects.get_or_create(
                    code=code,
                    defaults={
                        "description": spec.description,
                        "weight": spec.weight,
                        "params": spec.params,
                    },
                )
                if created:
                    RuleVersion.objects.create(
                        rule=rule,
                        version=1,
                        weight=rule.weight,
                        params=rule.params,
                        enabled=rule.enabled,
                        reason="default",
                    )
            rules[code] = rule
    return rules


def level_for(score: int, policy: ScoringPolicy) -> str:
    if score >= policy.high_threshold:
        return RiskLevel.HIGH
    if score >= policy.review_threshold:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def fraud_attributes_record(
    *,
    claim: Claim,
    ip: str | None = None,
    device: str | None = None,
    payout_fingerprint: str | None = None,
) -> list[ClaimAttribute]:
    """Record the claim's normalised identifying attributes (idempotent).

    The customer's e-mail, phone and address come from the order system's copy; the customer
    portal passes ``ip`` and ``device``, payouts pass the account's ``payout_fingerprint``
    (a stable hash of the account, never the account number itself).
    """
    customer = claim.customer
    values = {
        AttributeKind.EMAIL: email_normalise(customer.email),
        AttributeKind.PHONE: phone_normalise(customer.phone, country=customer.country),
        AttributeKind.ADDRESS: address_normalise(
            line1=customer.address_line1,
            line2=customer.address_line2,
            postal_code=customer.postal_code,
            country=customer.country,
        ),
        AttributeKind.IP: token_normalise(ip or ""),
        AttributeKind.DEVICE: token_normalise(device or ""),
        AttributeKind.PAYOUT: token_normalise(payout_fingerprint or ""),
    }
    rows = [
        ClaimAttribute(
            claim=claim,
            customer_id=claim.customer_id,
            kind=kind,
            value=value[:300],
            claim_submitted_at=claim.submitted_at,
        )
        for kind, value in values.items()
        if value
    ]
    ClaimAttribute.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def _phash_bands(phash: str) -> dict[str, str]:
    return {f"band{i}": phash[i * 4 : i * 4 + 4] for i in range(4)}


def fraud_photo_record(
    *, evidence: Evidence, taken_at: dt.datetime | None = None
) -> EvidencePhoto | None:
    """Perceptual hash of an evidence image (and the camera date captured before re-encoding)."""
    import imagehash
    from PIL import Image

    if not evidence.content_type.startswith("image/"):
        return None
    existing = EvidencePhoto.objects.filter(evidence=evidence).first()
    if existing is not None:
        return existing
    with evidence.file.open("rb") as handle, Image.open(io.BytesIO(handle.read())) as image:
        phash = str(imagehash.phash(image))
    photo, _created = EvidencePhoto.objects.get_or_create(
        evidence=evidence,
        defaults={
            "claim_id": evidence.claim_id,
            "phash": phash,
            "taken_at": taken_at,
            **_phash_bands(phash),
        },
    )
    return photo


@transaction.atomic
def fraud_score_claim(
    *, claim: Claim, trigger: str = Assessment.Trigger.SCREENING, now: dt.datetime | None = None
) -> Assessment:
    """Run every enabled rule, store the score, level and each hit with its rule version."""
    now = now or timezone.now()
    claim = Claim.objects.select_related("customer", "region", "seller", "order_line__order").get(
        pk=claim.pk
    )
    fraud_attributes_record(claim=claim)
    policy = scoring_policy()
    rules = rules_ensure()
    attributes: dict[str, list[str]] = {}
    for kind, value in ClaimAttribute.objects.filter(claim=claim).values_list("kind", "value"):
        attributes.setdefault(kind, []).append(value)
    ctx = Context(claim=claim, now=now, attributes=attributes)
    findings = []
    for code, spec in REGISTRY.items():
        rule = rules[code]
        if not rule.enabled:
            continue
        finding = spec.evaluate(ctx, {**spec.params, **rule.params})
        if finding is not None:
            findings.append((rule, finding))
    score = min(100, sum(rule.weight for rule, _f in findings))
    assessment = Assessment.objects.create(
        claim=claim,
        score=score,
        level=level_for(score, policy),
        review_threshold=policy.review_threshold,
        trigger=trigger,
        created_at=now,
    )
    RuleHit.objects.bulk_create(
        RuleHit(
            assessment=assessment,
            claim=claim,
            rule=rule,
            rule_version=rule.version,
            points=rule.weight,
            inputs=finding.inputs,
            # Kept as written now; pages write it again in the reader's language (explained).
            explanation=explain(rule.code, finding.inputs),
            created_at=now,
        )
        for rule, finding in findings
    )
    claim_risk_set(claim=claim, score=score, level=assessment.level)
    return assessment


def _summary(assessment: Assessment) -> str:
    lines = [hit.explanation for hit in assessment.hits.all()]
    return _("Risk score %(score)d (review from %(threshold)d). %(why)s") % {
        "score": assessment.score,
        "threshold": assessment.review_threshold,
        "why": " ".join(lines),
    }


@transaction.atomic
def fraud_route(*, claim: Claim, assessment: Assessment) -> Claim:
    """Out of screening: fraud hold above the review threshold, else on to the seller.

    Never denies. After screening, only new evidence that pushes a claim over the threshold
    (from below) puts it on hold; a claim an analyst cleared is not held again for the same score.
    """
    from fraud.services import fraud_hold

    claim.refresh_from_db()
    actor = Actor.system("fraud scoring")
    above = assessment.score >= assessment.review_threshold
    if claim.status == ClaimStatus.SCREENING:
        if above:
            fraud_hold(claim=claim, actor=actor, note=_summary(assessment))
        else:
            claim_transition(
                claim=claim,
                to=ClaimStatus.AWAITING_SELLER,
                via=Via.FRAUD,
                actor=actor,
                reason=_("Risk score %(score)d, below review.") % {"score": assessment.score},
                data={"risk_score": assessment.score},
            )
    elif above and claim.status in HOLDABLE_LATER:
        previous = (
            Assessment.objects.filter(claim=claim, created_at__lte=assessment.created_at)
            .exclude(pk=assessment.pk)
            .order_by("-created_at", "-id")
            .first()
        )
        if previous is None or previous.score < previous.review_threshold:
            fraud_hold(claim=claim, actor=actor, note=_summary(assessment))
    claim.refresh_from_db()
    return claim


def fraud_screen(*, claim_id: int, trigger: str = Assessment.Trigger.SCREENING) -> Assessment:
    """Score, then route: the outbox handlers' entry point."""
    claim = Claim.objects.get(pk=claim_id)
    with transaction.atomic():
        assessment = fraud_score_claim(claim=claim, trigger=trigger)
        fraud_route(claim=claim, assessment=assessment)
    return assessment
