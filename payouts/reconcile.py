"""Reconciliation: the ledger against the payouts, the payouts against the provider.

``reconcile`` returns every difference it finds, as sentences for staff; an empty list means the
books, the payouts and the provider agree. Checked:

- every ledger transaction balances, in one currency;
- every payout has exactly the postings its state implies (accrual; payment once paid; mirror
  reversals once cancelled or returned), each for the payout's amount;
- every payment the provider made belongs to a paid (or returned) payout with the same amount,
  currency and reference, and every paid payout appears on the provider's statement;
- every transfer the bank rejected in a return file is recorded as returned here;
- the money paths around the payouts (``payouts.reconcile_paths``): every claim the
  marketplace pays has one live payout for its approved total and the others none; every
  step-in has one recovery for the approved amount; every recovery's receivable in the ledger
  is what it owes, every withholding posted once for its amount; every claim a seller or
  insurer pays is watched until the customer is paid.
"""

from collections import defaultdict

from django.db.models import Count, Sum

from payouts.adapters.base import StatementLine
from payouts.adapters.pain001 import ReturnedTransfer
from payouts.ledger import ledger_unbalanced
from payouts.models import LedgerTransaction, Payout, PayoutStatus, TransactionKind
from payouts.reconcile_paths import Difference, money_path_differences

P = PayoutStatus
K = TransactionKind


def _expected_postings(status: str) -> dict[str, int]:
    return {
        P.PENDING: {K.ACCRUAL: 1},
        P.SENDING: {K.ACCRUAL: 1},
        P.FAILED: {K.ACCRUAL: 1},
        P.PAID: {K.ACCRUAL: 1, K.PAYOUT: 1},
        P.CANCELLED: {K.ACCRUAL: 1, K.REVERSAL: 1},
        P.RETURNED: {K.ACCRUAL: 1, K.PAYOUT: 1, K.REVERSAL: 2},
    }[status]


def reconcile(
    *,
    statement: list[StatementLine] | None = None,
    adapter_name: str = "",
    returns: list[ReturnedTransfer] | None = None,
) -> list[Difference]:
    diffs: list[Difference] = []
    for tx_id in ledger_unbalanced():
        diffs.append(Difference("ledger", f"transaction #{tx_id}", "does not balance"))

    postings: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in (
        LedgerTransaction.objects.filter(payout__isnull=False)
        .values("payout_id", "kind")
        .annotate(n=Count("pk"), total=Sum("amount_minor"))
    ):
        postings[row["payout_id"]][row["kind"]] = (row["n"], row["total"])
    payouts = {
        p.idempotency_key: p
        for p in Payout.objects.only(
            "pk",
            "idempotency_key",
            "status",
            "amount_minor",
            "currency",
            "provider_reference",
            "adapter",
        )
    }
    for payout in payouts.values():
        expected = _expected_postings(payout.status)
        actual = postings.get(payout.pk, {})
        for kind in set(expected) | set(actual):
            n, total = actual.get(kind, (0, 0))
            if n != expected.get(kind, 0):
                diffs.append(
                    Difference(
                        "ledger",
                        payout.idempotency_key,
                        f"{payout.status} payout has {n} {kind} posting(s), "
                        f"expected {expected.get(kind, 0)}",
                    )
                )
            elif n and total != n * payout.amount_minor:
                diffs.append(
                    Difference(
                        "ledger",
                        payout.idempotency_key,
                        f"{kind} postings total {total}, payout is {payout.amount_minor}",
                    )
                )

    if statement is not None:
        seen = set()
        for line in statement:
            seen.add(line.idempotency_key)
            payout = payouts.get(line.idempotency_key)
            if payout is None:
                diffs.append(
                    Difference("provider", line.idempotency_key, "paid by the provider, no payout")
                )
                continue
            if payout.status not in (P.PAID, P.RETURNED):
                diffs.append(
                    Difference(
                        "provider",
                        line.idempotency_key,
                        f"paid by the provider but {payout.status} here",
                    )
                )
            if (line.amount_minor, line.currency) != (payout.amount_minor, payout.currency):
                diffs.append(
                    Difference(
                        "provider",
                        line.idempotency_key,
                        f"provider paid {line.amount_minor} {line.currency}, "
                        f"payout is {payout.amount_minor} {payout.currency}",
                    )
                )
            if payout.provider_reference and payout.provider_reference != line.reference:
                diffs.append(
                    Difference(
                        "provider",
                        line.idempotency_key,
                        f"reference {payout.provider_reference} here, {line.reference} there",
                    )
                )
        for key, payout in payouts.items():
            if (
                payout.status in (P.PAID, P.RETURNED)
                and (not adapter_name or payout.adapter == adapter_name)
                and key not in seen
            ):
                diffs.append(
                    Difference("provider", key, "paid here, not on the provider's statement")
                )

    for returned in returns or []:
        payout = next(
            (
                p
                for p in payouts.values()
                if returned.end_to_end_id in (p.provider_reference, p.idempotency_key)
            ),
            None,
        )
        if payout is None:
            diffs.append(Difference("returns", returned.end_to_end_id, "returned, no such payout"))
        elif payout.status != P.RETURNED:
            diffs.append(
                Difference(
                    "returns",
                    payout.idempotency_key,
                    f"rejected by the bank ({returned.reason_code}) but {payout.status} here",
                )
            )
    diffs.extend(money_path_differences())
    return diffs
