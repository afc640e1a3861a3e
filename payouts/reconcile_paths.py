"""Reconciliation of the money paths around the payouts: decisions, recoveries, withholdings
and the payments sellers and insurers make themselves. Each check is one or two queries over
the whole book; ``money_path_differences`` returns a sentence for staff per difference.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, Sum

from claims.lifecycle import MONEY_DECIDED_STATUSES
from claims.models import MARKETPLACE_FUNDING, Claim, ClaimStatus, Funding
from payouts.ledger import A
from payouts.models import (
    ACTIVE_PAYOUT_STATUSES,
    UNSETTLED_PAYOUT_STATUSES,
    LedgerEntry,
    Payout,
    TransactionKind,
)

S = ClaimStatus
# A claim in these states has (had) money moving for it.
PAYING = MONEY_DECIDED_STATUSES


@dataclass(frozen=True)
class Difference:
    kind: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.subject}: {self.detail}"


def money_path_differences() -> list[Difference]:
    return [
        *_payouts_follow_funding(),
        *_step_ins_have_recoveries(),
        *_recoveries_in_the_ledger(),
        *_withholdings_in_the_ledger(),
        *_party_payments_watched(),
    ]


def _payouts_follow_funding() -> list[Difference]:
    """The marketplace pays its own claims, in all exactly the approved total (one payout, or
    the first and an appeal's top-up), at most one still on its way; never the others'."""
    diffs = []
    sent = defaultdict(int)
    unsettled = defaultdict(int)
    for claim_id, amount, status in Payout.objects.filter(
        status__in=ACTIVE_PAYOUT_STATUSES
    ).values_list("claim_id", "amount_minor", "status"):
        sent[claim_id] += amount
        if status in UNSETTLED_PAYOUT_STATUSES:
            unsettled[claim_id] += 1
    claims = Claim.objects.filter(
        Q(status__in=(S.PAYOUT_PENDING, S.PAID)) | Q(pk__in=list(sent))
    ).values_list("pk", "reference", "status", "funding", "approved_total_minor")
    for pk, reference, status, funding, approved in claims:
        if funding in MARKETPLACE_FUNDING and status in (S.PAYOUT_PENDING, S.PAID):
            expected = 1 if status == S.PAYOUT_PENDING else 0
            if unsettled[pk] != expected:
                diffs.append(
                    Difference(
                        "payouts",
                        reference,
                        f"{unsettled[pk]} payouts on their way, expected {expected}",
                    )
                )
            elif sent[pk] != approved:
                diffs.append(
                    Difference("payouts", reference, f"payouts of {sent[pk]}, approved {approved}")
                )
        elif funding not in MARKETPLACE_FUNDING and sent[pk]:
            diffs.append(
                Difference("payouts", reference, f"paid by the marketplace but funded by {funding}")
            )
    return diffs


def _step_ins_have_recoveries() -> list[Difference]:
    from sellers.models import Recovery, RecoveryReason, RecoveryStatus

    recovered = dict(
        Recovery.objects.filter(reason=RecoveryReason.STEP_IN)
        .exclude(status=RecoveryStatus.CANCELLED)
        .values_list("claim_id", "amount_minor")
    )
    diffs = []
    for pk, reference, approved in Claim.objects.filter(
        status__in=PAYING, funding=Funding.STEP_IN
    ).values_list("pk", "reference", "approved_total_minor"):
        if pk not in recovered:
            diffs.append(Difference("recoveries", reference, "step-in with no recovery"))
        elif recovered[pk] != approved:
            diffs.append(
                Difference(
                    "recoveries", reference, f"recovery of {recovered[pk]}, approved {approved}"
                )
            )
    return diffs


def _recoveries_in_the_ledger() -> list[Difference]:
    """Each recovery's postings leave on the seller receivable exactly what it still owes."""
    from sellers.models import Recovery
    from sellers.services.ledger import owed

    posted = defaultdict(int)
    for key, debit, credit in LedgerEntry.objects.filter(
        account=A.SELLER_RECEIVABLE, transaction__kind=TransactionKind.RECOVERY
    ).values_list("transaction__idempotency_key", "debit_minor", "credit_minor"):
        recovery_id = key.split(":")[1]
        posted[int(recovery_id) if recovery_id.isdigit() else recovery_id] += debit - credit
    diffs = [
        Difference("recoveries", f"posting {key}", "on the seller receivable, for no recovery")
        for key in posted
        if not isinstance(key, int)
    ]
    for recovery in Recovery.objects.select_related("claim"):
        expected = owed(recovery)
        if posted.get(recovery.pk, 0) != expected:
            diffs.append(
                Difference(
                    "recoveries",
                    recovery.claim.reference,
                    f"ledger holds {posted.get(recovery.pk, 0)} owed, recovery owes {expected}",
                )
            )
    return diffs


def _withholdings_in_the_ledger() -> list[Difference]:
    from sellers.models import Recovery, Withholding

    posted = dict(
        LedgerEntry.objects.filter(
            account=A.SELLER_RECEIVABLE, transaction__kind=TransactionKind.WITHHOLDING
        )
        .values_list("transaction__idempotency_key")
        .annotate(total=Sum("credit_minor"))
    )
    diffs = []
    for pk, amount, reference in Withholding.objects.values_list(
        "pk", "amount_minor", "disbursement_reference"
    ):
        if posted.get(f"withholding:{pk}") != amount:
            diffs.append(Difference("withholdings", reference, "not posted once for its amount"))
    sums = dict(Withholding.objects.values_list("recovery_id").annotate(total=Sum("amount_minor")))
    for pk, withheld, reference in Recovery.objects.values_list(
        "pk", "withheld_minor", "claim__reference"
    ):
        if sums.get(pk, 0) != withheld:
            diffs.append(
                Difference(
                    "withholdings",
                    reference,
                    f"{withheld} withheld, withholdings add to {sums.get(pk, 0)}",
                )
            )
    return diffs


def _party_payments_watched() -> list[Difference]:
    """Every claim a seller or insurer pays is watched; a confirmed payment means a paid claim."""
    from sellers.models import PartyPayment, PartyPaymentStatus

    watched = dict(PartyPayment.objects.values_list("claim_id", "status"))
    diffs = []
    for pk, reference, status in Claim.objects.filter(
        status__in=PAYING, funding__in=(Funding.SELLER, Funding.INSURER)
    ).values_list("pk", "reference", "status"):
        if pk not in watched:
            diffs.append(Difference("party payments", reference, "nobody watches its payment"))
        elif (status == S.PAID) != (watched[pk] == PartyPaymentStatus.CONFIRMED):
            diffs.append(
                Difference("party payments", reference, f"claim {status}, payment {watched[pk]}")
            )
    return diffs
