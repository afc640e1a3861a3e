"""The one home for decisions: approve, deny, the second approval, automatic approval.

Only this module (and ``payouts.services.auto``) makes the decision moves of the lifecycle
(``Via.DECISION``). Funding is never a free choice: ``payouts.services.funding.funding_for``
gives it, and a supervisor may override it only with ``claims.override_funding`` and a reason,
recorded on the decision event. Every approval funded by a step-in leaves one recovery for
exactly the approved amount (``recovery_follow_decision``). An appealed decision is decided
again by someone other than the person who made it.

``decision_approve`` is what a person presses "approve" with. At or under the four-eyes limit,
and within the person's authority, the claim is approved at once (``claims.services.claim_approve``
writes the amounts and the event). Above the four-eyes limit an ``ApprovalRequest`` waits for a
second approver who is neither the first nor anyone who handled the claim's fraud review.
Every decision event carries the policy values in force at the time.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.notifications import notifications_read_for_request, notify_approval_awaiting
from claims.actors import Actor
from claims.events import claim_event_add
from claims.exceptions import ClaimError, InvalidTransition
from claims.models import Claim, ClaimStatus, EventKind, Funding, LossItem, Party
from claims.money import format_minor
from claims.services import appeal_reviewer_check, approval_total, claim_approve, claim_deny
from payouts.exceptions import AuthorityExceeded, DecisionRefused, FourEyesViolation
from payouts.four_eyes import four_eyes_check
from payouts.models import ApprovalPolicy, ApprovalRequest, RequestStatus
from payouts.policy import authority_limit, policy_for
from payouts.selectors import approval_requests_pending, claim_paid_minor
from payouts.services.funding import funding_for
from sellers.services.party_payments import party_payment_due, party_payment_open
from sellers.services.recoveries import recovery_follow_decision


@dataclass(frozen=True)
class DecisionResult:
    """What ``decision_approve`` did: approved the claim, or opened a request for a second
    approver (``request`` is then the pending ``ApprovalRequest``)."""

    claim: Claim
    request: ApprovalRequest | None = None

    @property
    def approved(self) -> bool:
        return self.request is None


def _staff_user(actor: Actor):
    if actor.party != Party.STAFF or actor.user is None:
        raise DecisionRefused(_("Only staff members decide claims."))
    if not actor.has_perm("claims.decide_claim"):
        raise DecisionRefused(_("You do not have permission to approve or deny claims."))
    return actor.user


def reduction_unexplained(*, item: LossItem, approved: dict[int, int], reasons: dict) -> bool:
    """An item approved for less than was claimed needs the reason the customer reads."""
    amount = approved.get(item.pk, 0)
    return amount < item.claimed_minor and not (reasons.get(item.pk) or "").strip()


def _validated_total(
    *, claim: Claim, approved: dict[int, int], funding: str, reasons: dict[int, str]
) -> int:
    """Check the amounts as ``claim_approve`` will, before a request is stored; every item
    approved for less than was claimed needs the reason the customer will read."""
    items = list(LossItem.objects.filter(claim=claim).order_by("id"))
    total = approval_total(items=items, approved=approved, funding=funding)
    if total <= 0:
        raise InvalidTransition(_("Approve an amount above zero, or deny the claim."))
    paid = claim_paid_minor(claim=claim)
    if total < paid:
        raise InvalidTransition(
            _(
                "%(paid)s was already paid on this claim: approve at least that much "
                "(the same amount keeps the earlier decision)."
            )
            % {"paid": format_minor(paid, claim.currency)}
        )
    unexplained = [
        item.get_kind_display()
        for item in items
        if reduction_unexplained(item=item, approved=approved, reasons=reasons)
    ]
    if unexplained:
        raise InvalidTransition(
            _("Say why less than claimed is approved for: %(items)s. The customer reads it.")
            % {"items": ", ".join(str(kind) for kind in unexplained)}
        )
    return total


def _check_authority(*, user, policy, total: int, currency: str) -> None:
    limit = authority_limit(user=user, policy=policy)
    if limit is not None and total > limit:
        raise AuthorityExceeded(
            _("%(amount)s is above your approval authority of %(limit)s; ask a supervisor.")
            % {"amount": format_minor(total, currency), "limit": format_minor(limit, currency)}
        )


def funding_choose(
    *, claim: Claim, actor: Actor, funding: str | None, reason: str = ""
) -> tuple[str, dict]:
    """The funding of an approval and what to record about it on the decision event.

    ``funding`` None (or the policy's own) takes the policy's. Anything else is an override:
    refused without ``claims.override_funding`` or without a written reason.
    """
    policy = funding_for(claim=claim)
    record = {"funding_policy": policy.funding, "funding_policy_reason": policy.reason}
    if funding in (None, "", policy.funding):
        if not policy.funding:
            raise DecisionRefused(policy.reason)
        return policy.funding, record
    if funding not in Funding.values:
        raise InvalidTransition(_("Choose who funds the claim."))
    if not actor.has_perm("claims.override_funding"):
        raise DecisionRefused(
            _("The policy says: %(label)s. %(why)s Only a supervisor may fund a claim otherwise.")
            % {"label": policy.label, "why": policy.reason}
        )
    if not reason.strip():
        raise DecisionRefused(
            _("Write why this claim is funded otherwise than the policy says (%(label)s).")
            % {"label": policy.label}
        )
    record["funding_override"] = {"funding": funding, "reason": reason.strip()}
    return funding, record


def _party_due(*, claim: Claim, funding: str) -> dict:
    """When the accepting seller or insurer must have paid (on the decision event)."""
    if funding not in (Funding.SELLER, Funding.INSURER):
        return {}
    due = party_payment_due(claim=claim, now=timezone.now())
    return {"party_due": due.isoformat()}


def _after_approval(*, claim: Claim, actor: Actor, party_due: dict) -> None:
    """What every approval leaves behind: a step-in's recovery for exactly the approved amount,
    or the watch on the seller's (or insurer's) own payment."""
    recovery_follow_decision(claim=claim, actor=actor)
    if party_due:
        party_payment_open(
            claim=claim, actor=actor, due_at=dt.datetime.fromisoformat(party_due["party_due"])
        )


def _fraud_handlers(claim: Claim) -> set[int]:
    from fraud.models import FraudReview

    return set(
        FraudReview.objects.filter(claim=claim, analyst__isnull=False).values_list(
            "analyst_id", flat=True
        )
    )


def decision_approve(
    *,
    claim: Claim,
    actor: Actor,
    approved: dict[int, int],
    funding: str | None = None,
    funding_reason: str = "",
    note: str = "",
    reasons: dict[int, str] | None = None,
) -> DecisionResult:
    """Approve an amount per loss item, or ask for a second approver above the four-eyes limit.

    Raises ``DecisionRefused`` / ``AuthorityExceeded`` / ``InvalidTransition`` with a message for
    the person acting, and then writes nothing.
    """
    user = _staff_user(actor)
    with transaction.atomic():
        claim = Claim.objects.select_related("region").get(pk=claim.pk)
        if claim.status != ClaimStatus.UNDER_REVIEW:
            raise InvalidTransition(
                _("Claim %(ref)s is %(status)s; only claims under review can be approved.")
                % {"ref": claim.reference, "status": claim.get_status_display()}
            )
        if ApprovalRequest.objects.filter(claim=claim, status=RequestStatus.PENDING).exists():
            raise DecisionRefused(
                _("Claim %(ref)s already awaits a second approver.") % {"ref": claim.reference}
            )
        appeal_reviewer_check(claim=claim, user=user)
        funding, funding_record = funding_choose(
            claim=claim, actor=actor, funding=funding, reason=funding_reason
        )
        reasons = {k: v.strip() for k, v in (reasons or {}).items() if v and v.strip()}
        total = _validated_total(claim=claim, approved=approved, funding=funding, reasons=reasons)
        policy = policy_for(claim.region)
        _check_authority(user=user, policy=policy, total=total, currency=claim.currency)
        snapshot = policy.snapshot()
        party_due = _party_due(claim=claim, funding=funding)
        if total > policy.four_eyes_above_minor:
            request = ApprovalRequest.objects.create(
                claim=claim,
                items={str(k): v for k, v in approved.items()},
                item_reasons={str(k): v for k, v in reasons.items()},
                total_minor=total,
                currency=claim.currency,
                funding=funding,
                note=note,
                policy={**snapshot, **funding_record},
                requested_by=user,
            )
            claim_event_add(
                claim=claim,
                actor=actor,
                kind=EventKind.NOTE,
                reason=_("Approval of %(amount)s awaits a second approver.")
                % {"amount": request.total_display},
                data={
                    "approval_request_id": request.pk,
                    "total_minor": total,
                    "funding": funding,
                    "policy": snapshot,
                },
            )
            # What needs me: everyone who may give the second approval is told.
            notify_approval_awaiting(request=request)
            return DecisionResult(claim=claim, request=request)
        claim = claim_approve(
            claim=claim,
            actor=actor,
            approved=approved,
            funding=funding,
            note=note,
            reasons=reasons,
            data={
                "policy": snapshot,
                "approvers": [user.pk],
                "four_eyes": False,
                **funding_record,
                **party_due,
            },
        )
        _after_approval(claim=claim, actor=actor, party_due=party_due)
    return DecisionResult(claim=claim)


def _open_request(request: ApprovalRequest) -> ApprovalRequest:
    request = (
        ApprovalRequest.objects.select_for_update()
        .select_related("claim__region")
        .get(pk=request.pk)
    )
    if request.status != RequestStatus.PENDING:
        raise DecisionRefused(
            _("This approval request is already %(status)s.")
            % {"status": request.get_status_display().lower()}
        )
    return request


def approval_authority_check(*, request: ApprovalRequest, user, policy=None):
    """Raise if ``user``'s own authority does not cover the amount of ``request``: nobody
    approves nor rejects (vetoes) what they could not sign. Both decisions make this check; the
    Decisions list asks it too, with the region's ``policy`` read once for the page. Returns the
    policy it checked against."""
    if policy is None:
        policy = policy_for(request.claim.region)
    _check_authority(user=user, policy=policy, total=request.total_minor, currency=request.currency)
    return policy


def approval_second_check(*, request: ApprovalRequest, user):
    """Raise why ``user`` may not give the second approval of ``request``: the first approver,
    the reviewer of an appeal of their own decision, anyone who handled the claim's fraud
    review, anyone whose own authority does not cover the amount. Returns the region's policy
    it checked the authority against. ``approval_second`` makes this check, and the approval
    page asks it before offering the decision (``approval_decisions_for``)."""
    claim = request.claim
    four_eyes_check(
        requested_by_id=request.requested_by_id,
        decider_id=user.pk,
        refusal=_("You cannot be the second approver of your own approval."),
    )
    appeal_reviewer_check(claim=claim, user=user)
    if user.pk in _fraud_handlers(claim):
        raise FourEyesViolation(
            _("You handled this claim's fraud review, so you cannot be its second approver.")
        )
    return approval_authority_check(request=request, user=user)


def approval_reject_check(*, request: ApprovalRequest, user) -> None:
    """Raise why ``user`` may not reject ``request``: it is their own, or their own authority
    does not cover the amount (``approval_authority_check``)."""
    four_eyes_check(
        requested_by_id=request.requested_by_id,
        decider_id=user.pk,
        refusal=_("You cannot reject your own approval; ask a colleague."),
    )
    approval_authority_check(request=request, user=user)


# The decisions on a second approval, each with the check its service makes.
APPROVAL_CHECKS = {"approve": approval_second_check, "reject": approval_reject_check}


def approval_decisions_for(*, request: ApprovalRequest, actor: Actor) -> dict[str, str]:
    """Each decision on a pending ``request`` and why ``actor`` may not make it (``""``: they
    may): the same checks as ``approval_second`` and ``approval_reject``, so the page offers
    only what the service would do."""
    refusals = {}
    for decision, check in APPROVAL_CHECKS.items():
        try:
            check(request=request, user=_staff_user(actor))
        except ClaimError as exc:
            refusals[decision] = str(exc)
        else:
            refusals[decision] = ""
    return refusals


def approval_requests_decidable(*, requests: list[ApprovalRequest], user) -> set[int]:
    """The pending ``requests`` (of one page of the Decisions list) ``user`` may decide: not
    their own nor on a claim whose fraud review they handled
    (``selectors.approval_requests_pending``), and within their authority
    (``approval_authority_check``). The regions' policies and the user's roles are read once for
    all of them, not per request."""
    ids = [r.pk for r in requests]
    if not ids:
        return set()
    allowed = set(
        approval_requests_pending(user=user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    candidates = [r for r in requests if r.pk in allowed]
    if not candidates:
        return set()
    region_ids = {r.claim.region_id for r in candidates}
    policies = {
        p.region_id: p
        for p in ApprovalPolicy.objects.filter(region_id__in=region_ids).prefetch_related(
            "authority_limits"
        )
    }
    prefetch_related_objects([user], "groups")
    decidable = set()
    for request in candidates:
        try:
            approval_authority_check(
                request=request, user=user, policy=policies.get(request.claim.region_id)
            )
        except AuthorityExceeded:
            continue
        decidable.add(request.pk)
    return decidable


def approval_second(*, request: ApprovalRequest, actor: Actor, note: str = "") -> Claim:
    """The second approver signs: the claim is approved with the amounts of the request.

    Refused for the first approver, for anyone who handled the claim's fraud review, and for
    anyone whose own authority does not cover the amount.
    """
    user = _staff_user(actor)
    with transaction.atomic():
        request = _open_request(request)
        claim = request.claim
        policy = approval_second_check(request=request, user=user)
        now = timezone.now()
        ApprovalRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.APPROVED, decided_by=user, decided_at=now, decision_note=note
        )
        notifications_read_for_request(request_id=request.pk, now=now)
        party_due = _party_due(claim=claim, funding=request.funding)
        claim = claim_approve(
            claim=claim,
            actor=actor,
            approved={int(k): v for k, v in request.items.items()},
            funding=request.funding,
            reasons={int(k): v for k, v in request.item_reasons.items()},
            note="\n".join(n for n in (request.note, note) if n),
            data={
                "policy": request.policy,
                "policy_at_second_approval": policy.snapshot(),
                "approvers": [request.requested_by_id, user.pk],
                "four_eyes": True,
                "approval_request_id": request.pk,
                **{k: v for k, v in request.policy.items() if k.startswith("funding_")},
                **party_due,
            },
        )
        _after_approval(claim=claim, actor=actor, party_due=party_due)
    return claim


def approval_reject(*, request: ApprovalRequest, actor: Actor, note: str) -> ApprovalRequest:
    """The second approver refuses: the claim stays under review for a new decision."""
    user = _staff_user(actor)
    if not note.strip():
        raise DecisionRefused(_("Say why the approval is rejected."))
    with transaction.atomic():
        request = _open_request(request)
        approval_reject_check(request=request, user=user)
        ApprovalRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.REJECTED,
            decided_by=user,
            decided_at=timezone.now(),
            decision_note=note.strip(),
        )
        notifications_read_for_request(request_id=request.pk)
        claim_event_add(
            claim=request.claim,
            actor=actor,
            kind=EventKind.NOTE,
            reason=_("Approval of %(amount)s rejected: %(note)s")
            % {"amount": request.total_display, "note": note.strip()},
            data={"approval_request_id": request.pk},
        )
        request.refresh_from_db()
    return request


def decision_deny(
    *, claim: Claim, actor: Actor, reason_code: str, explanation: str, data: dict | None = None
) -> Claim:
    """The one denial: a reason code and an explanation for the customer; a pending approval
    request is superseded. Confirming fraud denies through here too.

    The permission is the lifecycle's for the move (``decide_claim``; ``review_fraud`` out of
    a fraud hold).
    """
    if actor.party != Party.STAFF or actor.user is None:
        raise DecisionRefused(_("Only staff members decide claims."))
    with transaction.atomic():
        claim = Claim.objects.select_related("region").get(pk=claim.pk)
        appeal_reviewer_check(claim=claim, user=actor.user)
        paid = claim_paid_minor(claim=claim)
        if paid:
            raise DecisionRefused(
                _(
                    "%(paid)s was already paid on this claim, so it cannot be denied: approve "
                    "that amount to keep the earlier decision, or more."
                )
                % {"paid": format_minor(paid, claim.currency)}
            )
        policy = policy_for(claim.region)
        claim = claim_deny(
            claim=claim,
            actor=actor,
            reason_code=reason_code,
            explanation=explanation,
            data={**(data or {}), "policy": policy.snapshot()},
        )
        ApprovalRequest.objects.filter(claim=claim, status=RequestStatus.PENDING).update(
            status=RequestStatus.SUPERSEDED, decided_at=timezone.now()
        )
        recovery_follow_decision(claim=claim, actor=actor)
    return claim
