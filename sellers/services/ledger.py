"""What recoveries and withholdings post to the double-entry ledger (payouts.ledger).

A recovery is a receivable from the moment the claim is decided (before that its amount is
only the claimed total and may change). ``recovery_ledger_sync`` brings the receivable posted
for one recovery to what is really owed, with one balanced adjusting posting per change, so it
can be called after any step and called again without effect.
"""

from django.utils.translation import gettext as _

from payouts.ledger import A, cr, dr, ledger_post, ledger_post_withholding
from payouts.models import LedgerTransaction, TransactionKind
from sellers.models import Recovery, RecoveryStatus, Withholding

LIVE = (RecoveryStatus.OPEN, RecoveryStatus.APPEALED, RecoveryStatus.SETTLED)


def owed(recovery: Recovery) -> int:
    if recovery.status in LIVE and recovery.claim.approved_total_minor is not None:
        return recovery.amount_minor
    # Undecided, waived on appeal or cancelled: only what was actually withheld stays owed.
    return recovery.withheld_minor


def recovery_ledger_sync(*, recovery: Recovery) -> LedgerTransaction | None:
    """Post the difference between what this recovery owes and what the ledger says it owes."""
    recovery = Recovery.objects.select_related("claim", "seller").get(pk=recovery.pk)
    prefix = f"recovery:{recovery.pk}:"
    postings = [
        t
        for t in LedgerTransaction.objects.filter(
            claim_id=recovery.claim_id, kind=TransactionKind.RECOVERY
        ).prefetch_related("entries")
        if t.idempotency_key.startswith(prefix)
    ]
    posted = sum(
        e.debit_minor - e.credit_minor
        for t in postings
        for e in t.entries.all()
        if e.account == A.SELLER_RECEIVABLE
    )
    delta = owed(recovery) - posted
    if delta == 0:
        return None
    if delta > 0:
        lines = [dr(A.SELLER_RECEIVABLE, delta), cr(A.CONCESSION_EXPENSE, delta)]
    else:
        lines = [dr(A.CONCESSION_EXPENSE, -delta), cr(A.SELLER_RECEIVABLE, -delta)]
    return ledger_post(
        kind=TransactionKind.RECOVERY,
        currency=recovery.currency,
        lines=lines,
        idempotency_key=f"{prefix}{len(postings) + 1}",
        claim=recovery.claim,
        seller=recovery.seller,
        memo=_("Recovery %(status)s for %(ref)s")
        % {"status": recovery.get_status_display(), "ref": recovery.claim.reference},
    )


def withholding_ledger_post(*, withholding: Withholding) -> LedgerTransaction:
    """Money kept back from a seller's disbursement: cash in, receivable down."""
    recovery = withholding.recovery
    return ledger_post_withholding(
        seller=recovery.seller,
        claim=recovery.claim,
        amount_minor=withholding.amount_minor,
        currency=withholding.currency,
        idempotency_key=f"withholding:{withholding.pk}",
        memo=withholding.disbursement_reference,
    )
