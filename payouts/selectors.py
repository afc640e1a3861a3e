"""Reads for the admin, the staff pages and the reports."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from payouts.ledger import ledger_balances  # noqa: F401 - re-exported for the staff pages
from payouts.models import (
    ApprovalRequest,
    Payout,
    PayoutStatus,
    QAReason,
    QASample,
    QAVerdict,
    RequestStatus,
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


def payouts_needing_staff() -> QuerySet[Payout]:
    return Payout.objects.filter(status=PayoutStatus.FAILED).select_related(
        "claim", "claim__customer"
    )


def qa_report(*, region=None) -> dict:
    """Sampled, reviewed, found wrong (count and share), and wrong by reason."""
    samples = QASample.objects.all()
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


def payouts_due_count(*, now=None) -> int:
    """Payouts the send job should take now: pending and due, or sending with a lease that ran
    out (payout_due_idx, payout_lease_idx)."""
    now = now or timezone.now()
    return Payout.objects.filter(
        Q(status=PayoutStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=PayoutStatus.SENDING, locked_until__lt=now)
    ).count()
