"""The marketplace steps in: overdue sellers, overruled rejections, missing insurance proof.

``claim_escalate_overdue`` is the Celery beat job's service. It is set-based: each call takes
one bounded batch of overdue claims, locks the rows it can (skipping rows another worker
holds), moves them with a compare-and-swap on the status, and writes the events, follow-ups
and recoveries in a handful of statements. Any number of workers can run it at once and any
number of times: a claim leaves ``awaiting seller`` once, so it is escalated once.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.batch import claim_transition_batch
from claims.events import EventSpec, claim_events_add
from claims.exceptions import TransitionNotPermitted
from claims.lifecycle import Via
from claims.models import Claim, ClaimStatus, EventKind, Funding
from claims.services import claim_transition
from sellers.exceptions import SellerError
from sellers.models import (
    STEP_IN_UNDECIDED,
    Recovery,
    RecoveryReason,
    ResponseDecision,
    SellerNotice,
    SellerResponse,
)
from sellers.services.certificates import certificate_valid_for
from sellers.services.recoveries import NOTHING_PAID, recovery_open

ESCALATION_ACTOR = Actor.system("escalation")


@dataclass(frozen=True)
class EscalationRun:
    escalated: int
    recoveries: int
    more: bool


def claim_escalate_overdue(
    *, now: dt.datetime | None = None, limit: int | None = None
) -> EscalationRun:
    """Escalate one batch of claims whose seller deadline has passed with no answer.

    Over the region's threshold the marketplace steps in (funding ``step_in``) and opens a
    recovery against the seller; at or under it the marketplace funds the claim as a concession
    (the insurance-proof window decides about a recovery later). ``more`` says whether another
    batch may be waiting: the task then re-queues itself.
    """
    now = now or timezone.now()
    limit = limit or settings.ESCALATION_BATCH_SIZE
    # Partial index claim_seller_overdue_idx: only claims awaiting the seller, by deadline.
    candidates = list(
        Claim.objects.filter(status=ClaimStatus.AWAITING_SELLER, seller_respond_by__lt=now)
        .order_by("seller_respond_by")
        .values_list("pk", "claimed_total_minor", "region__threshold_minor")[:limit]
    )
    over = [pk for pk, claimed, threshold in candidates if claimed > threshold]
    under = [pk for pk, claimed, threshold in candidates if claimed <= threshold]
    with transaction.atomic():
        stepped = claim_transition_batch(
            claim_ids=over,
            from_status=ClaimStatus.AWAITING_SELLER,
            to=ClaimStatus.ESCALATED,
            via=Via.ESCALATION,
            actor=ESCALATION_ACTOR,
            reason=_("The seller did not respond by the deadline: the marketplace steps in."),
            updates={"funding": Funding.STEP_IN},
            data={"policy": "step_in", "recovery": RecoveryReason.STEP_IN.value},
            now=now,
        )
        conceded = claim_transition_batch(
            claim_ids=under,
            from_status=ClaimStatus.AWAITING_SELLER,
            to=ClaimStatus.ESCALATED,
            via=Via.ESCALATION,
            actor=ESCALATION_ACTOR,
            reason=_(
                "The seller did not respond by the deadline: the marketplace pays this "
                "claim as a concession."
            ),
            updates={"funding": Funding.CONCESSION},
            data={"policy": "concession"},
            now=now,
        )
        opened = _step_in_recoveries_open(claim_ids=stepped, now=now)
    return EscalationRun(
        escalated=len(stepped) + len(conceded), recoveries=opened, more=len(candidates) == limit
    )


def _step_in_recoveries_open(*, claim_ids: list[int], now: dt.datetime) -> int:
    """``recovery_open`` for a batch of claims this transaction has just escalated: one
    recovery each (never a second one: ``recovery_one_per_reason``) and its event.

    The claims are not decided yet: the amount is the claimed total until the decision fixes
    it, nothing is owed in the ledger and the seller's appeal window has not opened
    (``recovery_follow_decision`` does both on approval).
    """
    if not claim_ids:
        return 0
    rows = Claim.objects.filter(pk__in=claim_ids).values_list(
        "pk", "seller_id", "currency", "claimed_total_minor"
    )
    Recovery.objects.bulk_create(
        [
            Recovery(
                claim_id=pk,
                seller_id=seller_id,
                reason=RecoveryReason.STEP_IN,
                currency=currency,
                amount_minor=claimed,
                opened_at=now,
                appeal_due=None,
            )
            for pk, seller_id, currency, claimed in rows
        ],
        ignore_conflicts=True,
    )
    opened = list(
        Recovery.objects.filter(
            claim_id__in=claim_ids, reason=RecoveryReason.STEP_IN, opened_at=now
        ).values_list("pk", "claim_id", "amount_minor", "currency")
    )
    claim_events_add(
        events=[
            EventSpec(
                claim_id=claim_id,
                kind=EventKind.RECOVERY,
                reason=str(STEP_IN_UNDECIDED),  # nothing is decided or paid yet
                data={
                    "recovery_id": pk,
                    "step": "opened",
                    "amount_minor": amount,
                    "currency": currency,
                },
            )
            for pk, claim_id, amount, currency in opened
        ],
        actor=ESCALATION_ACTOR,
        now=now,
    )
    return len(opened)


def claim_overrule_seller(*, claim: Claim, actor: Actor, reason: str) -> Claim:
    """Staff overrule a seller's (or insurer's) rejection: the marketplace steps in.

    Over the threshold it opens a recovery for what it pays; at or under it the claim is a
    concession anyway.
    """
    if not reason.strip():
        raise SellerError(_("Say why the seller's rejection is overruled."))
    if not actor.has_perm("claims.decide_claim"):
        raise TransitionNotPermitted(_("You do not have permission to overrule a seller."))
    claim.refresh_from_db()
    latest = SellerResponse.objects.filter(claim=claim).order_by("-version").first()
    if (
        claim.status != ClaimStatus.SELLER_RESPONDED
        or latest is None
        or latest.decision != ResponseDecision.DISPUTE
    ):
        raise SellerError(_("Only a claim the seller has disputed can be overruled."))
    step_in = not claim.is_at_or_under_threshold
    with transaction.atomic():
        claim = claim_transition(
            claim=claim,
            to=ClaimStatus.ESCALATED,
            via=Via.ESCALATION,
            actor=actor,
            reason=reason.strip(),
            updates={"funding": Funding.STEP_IN if step_in else Funding.CONCESSION},
            data={"policy": "overruled", "response_id": latest.pk},
        )
        if step_in:
            recovery_open(claim=claim, reason=RecoveryReason.STEP_IN, actor=actor)
    return claim


def insurance_window_close(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Concession claims whose insurance-proof window has closed: a seller who must carry
    insurance and has shown no valid proof owes the concession. Each notice is checked once
    (compare-and-swap on ``insurance_checked_at``). Returns the recoveries opened."""
    now = now or timezone.now()
    due = list(
        SellerNotice.objects.filter(insurance_checked_at__isnull=True, insurance_proof_due__lte=now)
        .order_by("insurance_proof_due")
        .values_list("pk", flat=True)[:limit]
    )
    opened = 0
    for pk in due:
        with transaction.atomic():
            if not SellerNotice.objects.filter(pk=pk, insurance_checked_at__isnull=True).update(
                insurance_checked_at=now
            ):
                continue  # another worker checked it
            notice = SellerNotice.objects.select_related("claim__region", "seller__region").get(
                pk=pk
            )
            claim, seller = notice.claim, notice.seller
            if (
                not claim.is_at_or_under_threshold
                or claim.status in NOTHING_PAID
                or not seller.insurance_required
                or certificate_valid_for(seller=seller, today=now.date()) is not None
            ):
                continue
            opened += (
                recovery_open(
                    claim=claim,
                    reason=RecoveryReason.NO_INSURANCE,
                    actor=Actor.system("insurance window"),
                    now=now,
                )
                is not None
            )
    return opened
