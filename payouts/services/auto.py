"""Automatic approval of small, low-risk claims, and the QA sample that keeps it honest.

A claim may be approved without a person when its region's policy allows it and all of these
hold: risk level low or not scored; claimed total at or under the region's threshold; and either
the seller accepted (the seller journey calls ``claim_auto_approve(trigger=SELLER_ACCEPTED)``) or
the seller's response deadline passed (``auto_approve_sweep``, on beat). The full claimed amount
is approved as a marketplace concession. A share of these (``qa_sample_percent``) is drawn at
random for review by staff; ``qa_review_record`` stores the verdict, ``qa_report`` reports it.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.models import Claim, ClaimStatus, Funding, RiskLevel
from claims.services import claim_approve, claim_transition
from payouts.exceptions import DecisionRefused
from payouts.models import QAReason, QASample, QAVerdict
from payouts.policy import policy_for
from sellers.services.recoveries import recovery_follow_decision

SELLER_ACCEPTED = "seller_accepted"
DEADLINE_PASSED = "deadline_passed"
AUTO = Actor.system("auto-approval")
_rng = random.SystemRandom()


def auto_approval_refusals(*, claim: Claim, trigger: str, now: dt.datetime) -> list[str]:
    """Why ``claim`` may not be approved automatically (empty: it may). Writes nothing."""
    policy = policy_for(claim.region)
    reasons = []
    if not policy.auto_approve_enabled:
        reasons.append(
            _("Automatic approval is off in %(region)s.") % {"region": claim.region.code}
        )
    if claim.risk_level not in (RiskLevel.LOW, RiskLevel.UNSCORED):
        reasons.append(_("The claim's fraud risk is %(level)s.") % {"level": claim.risk_level})
    if claim.claimed_total_minor > claim.region.threshold_minor:
        reasons.append(_("The claim is above the region's threshold."))
    if trigger == SELLER_ACCEPTED:
        if not policy.auto_approve_when_seller_accepts:
            reasons.append(_("The policy does not auto-approve on the seller's acceptance."))
        if claim.status not in (ClaimStatus.SELLER_RESPONDED, ClaimStatus.UNDER_REVIEW):
            reasons.append(_("The claim is %(s)s.") % {"s": claim.get_status_display()})
    elif trigger == DEADLINE_PASSED:
        if not policy.auto_approve_when_deadline_passes:
            reasons.append(_("The policy does not auto-approve when the deadline passes."))
        if claim.status not in (ClaimStatus.AWAITING_SELLER, ClaimStatus.ESCALATED):
            reasons.append(_("The claim is %(s)s.") % {"s": claim.get_status_display()})
        if claim.seller_respond_by is None or claim.seller_respond_by >= now:
            reasons.append(_("The seller's deadline has not passed."))
    else:
        reasons.append(_("Unknown trigger %(t)s.") % {"t": trigger})
    return reasons


def claim_auto_approve(
    *, claim: Claim, trigger: str, now: dt.datetime | None = None, rng: random.Random | None = None
) -> Claim:
    """Approve ``claim`` in full as a concession, if the policy allows; maybe sample it for QA.

    Raises ``DecisionRefused`` listing every reason when it may not (and writes nothing).
    """
    now = now or timezone.now()
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("region").get(pk=claim.pk)
        reasons = auto_approval_refusals(claim=claim, trigger=trigger, now=now)
        if reasons:
            raise DecisionRefused(" ".join(reasons))
        policy = policy_for(claim.region)
        if claim.status != ClaimStatus.UNDER_REVIEW:
            claim = claim_transition(
                claim=claim,
                to=ClaimStatus.UNDER_REVIEW,
                actor=AUTO,
                reason=_("Automatic approval: %(trigger)s.") % {"trigger": trigger},
                now=now,
            )
        claim = claim_approve(
            claim=claim,
            actor=AUTO,
            approved={item.pk: item.claimed_minor for item in claim.losses.all()},
            funding=Funding.CONCESSION,
            note=_("Approved automatically (%(trigger)s).") % {"trigger": trigger},
            data={"policy": policy.snapshot(), "automatic": True, "trigger": trigger},
        )
        recovery_follow_decision(claim=claim, actor=AUTO)
        draw = (rng or _rng).randrange(100)
        if draw < policy.qa_sample_percent:
            QASample.objects.create(
                claim=claim, sampled_at=now, sample_percent=policy.qa_sample_percent
            )
    return claim


def auto_approve_sweep(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Approve a bounded batch of claims whose seller deadline passed, where the policy allows.
    Returns how many were approved; a claim that may not be is left for staff."""
    now = now or timezone.now()
    candidates = (
        Claim.objects.filter(
            status__in=(ClaimStatus.AWAITING_SELLER, ClaimStatus.ESCALATED),
            seller_respond_by__lt=now,
            region__approval_policy__auto_approve_enabled=True,
            region__approval_policy__auto_approve_when_deadline_passes=True,
            risk_level__in=(RiskLevel.LOW, RiskLevel.UNSCORED),
        )
        .order_by("seller_respond_by")
        .values_list("pk", flat=True)[:limit]
    )
    approved = 0
    for claim_id in list(candidates):
        try:
            claim_auto_approve(claim=Claim(pk=claim_id), trigger=DEADLINE_PASSED, now=now)
        except DecisionRefused:
            continue  # e.g. above the threshold: a person decides
        approved += 1
    return approved


def qa_review_record(
    *, sample: QASample, actor: Actor, verdict: str, reason: str = "", note: str = ""
) -> QASample:
    """Record a reviewer's verdict on a sampled automatic approval."""
    if not actor.has_perm("payouts.review_qa"):
        raise DecisionRefused(_("You do not have permission to review QA samples."))
    if verdict not in (QAVerdict.CORRECT, QAVerdict.WRONG):
        raise DecisionRefused(_("Choose whether the approval was correct or wrong."))
    if verdict == QAVerdict.WRONG and reason not in QAReason.values[1:]:
        raise DecisionRefused(_("Say why the approval was wrong."))
    if verdict == QAVerdict.CORRECT:
        reason = ""
    changed = QASample.objects.filter(pk=sample.pk, verdict="").update(
        verdict=verdict,
        reason=reason,
        note=note.strip(),
        reviewed_by=actor.user,
        reviewed_at=timezone.now(),
    )
    sample.refresh_from_db()
    if not changed:
        raise DecisionRefused(_("This sample was already reviewed."))
    return sample
