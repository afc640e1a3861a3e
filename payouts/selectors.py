"""Reads for the admin, the staff pages and the reports."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from payouts.ledger import ledger_balances  # noqa: F401 - re-exported for the staff pages
from payouts.models import (
    ApprovalRequest,
    PayeeChange,
    PayeeDetails,
    Payout,
    PayoutStatus,
    QAReason,
    QASample,
    QAVerdict,
    RequestStatus,
)


def claim_paid_minor(*, claim) -> int:
    """What the marketplace's payouts have sent the customer on this claim and kept (paid,
    not returned): a later decision may keep it or add to it, never take it back."""
    return (
        Payout.objects.filter(claim=claim, status=PayoutStatus.PAID).aggregate(
            total=Sum("amount_minor")
        )["total"]
        or 0
    )


def approval_requests_pending(*, user=None) -> QuerySet[ApprovalRequest]:
    """Requests awaiting a second approver; with user, only those this user may sign
    (not their own)."""
    requests = ApprovalRequest.objects.filter(status=RequestStatus.PENDING).select_related(
        "claim", "requested_by"
    )
    if user is not None:
        requests = requests.exclude(requested_by=user).exclude(claim__fraud_reviews__analyst=user)
    return requests.order_by("created_at")


def approval_pending_subquery() -> Subquery:
    """The claim's approval waiting for a second approver (one at most: ``decision_approve``
    refuses another), as an annotation of a claims query (``pending_approval_id``)."""
    return Subquery(
        ApprovalRequest.objects.filter(
            claim_id=OuterRef("pk"), status=RequestStatus.PENDING
        ).values("pk")[:1]
    )


def approval_pending_id(*, claim) -> int | None:
    """The id of the claim's approval awaiting a second approver, if any: from the claim's
    ``pending_approval_id`` annotation when it has one (the workspace), else one query."""
    if hasattr(claim, "pending_approval_id"):
        return claim.pending_approval_id
    return (
        ApprovalRequest.objects.filter(claim_id=claim.pk, status=RequestStatus.PENDING)
        .values_list("pk", flat=True)
        .first()
    )


def approval_what_is_signed(approval: ApprovalRequest) -> dict:
    """Everything a second approver signs: per loss item what was claimed, what is approved and
    why less, the funding (and any override), the first approver's note, the fraud score and
    the evidence."""
    from claims.models import Funding
    from claims.money import format_minor

    claim = approval.claim
    amounts = {int(k): v for k, v in approval.items.items()}
    reasons = {int(k): v for k, v in approval.item_reasons.items()}
    override = (approval.policy or {}).get("funding_override") or {}
    return {
        "claim": claim,
        "items": [
            {
                "kind": item.get_kind_display(),
                "description": item.description,
                "claimed": item.claimed_display,
                "approved": format_minor(amounts.get(item.pk, 0), item.currency),
                "reduced": amounts.get(item.pk, 0) < item.claimed_minor,
                "why": reasons.get(item.pk, ""),
            }
            for item in claim.losses.order_by("id")
        ],
        "total": approval.total_display,
        "claimed_total": claim.claimed_total_display,
        "funding": Funding(approval.funding).label if approval.funding else "",
        "override": override.get("reason", ""),
        "note": approval.note,
        "risk": f"{claim.risk_score} ({claim.get_risk_level_display()})"
        if claim.risk_score is not None
        else claim.get_risk_level_display(),
        "evidence": list(claim.evidence.order_by("created_at")),
    }


# The payout states in which staff must act: failed for good (correct the payee, resend or
# cancel). Returned payouts are listed beside them, for the record.
def payouts_needing_staff() -> QuerySet[Payout]:
    return (
        Payout.objects.filter(status=PayoutStatus.FAILED)
        .select_related("claim", "claim__customer")
        .order_by("updated_at", "pk")
    )


def payout_history(*, payout: Payout) -> QuerySet:
    """The payout's own steps, oldest first: the claim events that name it (created, each
    sending's failure, each resend with its reason, paid, returned, cancelled). A resend starts
    ``Payout.attempts`` again; the earlier sendings' outcomes are here."""
    from claims.models import ClaimEvent

    return ClaimEvent.objects.filter(claim_id=payout.claim_id, data__payout_id=payout.pk).order_by(
        "created_at", "id"
    )


def payouts_returned() -> QuerySet[Payout]:
    return (
        Payout.objects.filter(status=PayoutStatus.RETURNED, returned_at__isnull=False)
        .select_related("claim", "claim__customer")
        .order_by("-returned_at", "-pk")
    )


def payee_changes_pending() -> QuerySet[PayeeChange]:
    from payouts.models import PayeeChangeStatus

    return (
        PayeeChange.objects.filter(status=PayeeChangeStatus.PENDING)
        .select_related("customer", "requested_by")
        .defer("account_number", "card_token")
        .order_by("requested_at", "pk")
    )


def qa_samples_to_review() -> QuerySet[QASample]:
    return QASample.objects.filter(verdict="").select_related("claim").order_by("sampled_at", "pk")


def qa_report(*, region=None, samples: QuerySet[QASample] | None = None) -> dict:
    """Sampled, reviewed, found wrong (count and share), and wrong by reason; of ``samples``
    (the staff pages pass the viewer's regions'), or of every sample."""
    samples = QASample.objects.all() if samples is None else samples
    if region is not None:
        samples = samples.filter(claim__region=region)
    totals = samples.aggregate(
        sampled=Count("pk"),
        reviewed=Count("pk", filter=~Q(verdict="")),
        wrong=Count("pk", filter=Q(verdict=QAVerdict.WRONG)),
    )
    by_reason = {
        QAReason(row["reason"]).label: row["n"]
        for row in samples.filter(verdict=QAVerdict.WRONG)
        .values("reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "reason")
    }
    reviewed = totals["reviewed"]
    totals["wrong_share"] = round(totals["wrong"] / reviewed, 4) if reviewed else None
    totals["by_reason"] = by_reason
    return totals


@dataclass(frozen=True)
class PayeeSituation:
    """What the claim pages say about where the money goes (all masked)."""

    payee: PayeeDetails | None
    needs_payee: bool
    held_until: dt.datetime | None
    pending_change: PayeeChange | None
    paid_to_last4: str
    paid_at: dt.datetime | None

    @property
    def last4(self) -> str:
        return self.payee.last4 if self.payee is not None else ""


def claim_payee_situation(*, claim, with_pending_change: bool = False) -> PayeeSituation:
    """The customer's payee details as far as this claim is concerned: whether an approved claim
    waits for them, whether payouts to them are held (and until when), and, once paid, where
    (the account's last four, recorded on the payment's event) and when."""
    from django.utils import timezone

    from claims.models import ClaimEvent, ClaimStatus
    from payouts.models import PayeeChangeStatus
    from payouts.services.reminders import claim_waits_for_payee

    now = timezone.now()
    payee = (
        PayeeDetails.objects.filter(customer_id=claim.customer_id)
        .defer("account_number", "card_token")
        .first()
    )
    paid_to, paid_at = "", None
    if claim.status in (ClaimStatus.PAID, ClaimStatus.CLOSED):
        event = (
            ClaimEvent.objects.filter(claim=claim, to_status=ClaimStatus.PAID)
            .order_by("-created_at", "-id")
            .only("data", "created_at")
            .first()
        )
        if event is not None and event.data.get("paid_to"):
            paid_to, paid_at = event.data["paid_to"][-4:], event.created_at
    pending = None
    if with_pending_change:
        pending = (
            PayeeChange.objects.filter(
                customer_id=claim.customer_id, status=PayeeChangeStatus.PENDING
            )
            .select_related("requested_by")
            .defer("account_number", "card_token")
            .first()
        )
    return PayeeSituation(
        payee=payee,
        needs_payee=claim_waits_for_payee(claim, has_payee=payee is not None),
        held_until=payee.hold_until if payee is not None and payee.held_at(now) else None,
        pending_change=pending,
        paid_to_last4=paid_to,
        paid_at=paid_at,
    )


def payouts_due_count(*, now=None) -> int:
    """Payouts the send job should take now: pending and due, or sending with a lease that ran
    out (payout_due_idx, payout_lease_idx)."""
    now = now or timezone.now()
    return Payout.objects.filter(
        Q(status=PayoutStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=PayoutStatus.SENDING, locked_until__lt=now)
    ).count()
