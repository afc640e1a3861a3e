"""The double-entry ledger: immutable, one currency per transaction, debits equal credits.

``ledger_post`` is the one writer. It refuses unbalanced or mixed-currency postings before
writing anything, and on PostgreSQL a deferred constraint trigger re-checks every transaction at
commit, so no code path (raw SQL included) can leave an unbalanced transaction behind.

Accounts (normal balance): concession expense (Dr), seller receivable (Dr), insurer receivable
(Dr), cash (Dr; it goes negative as the marketplace pays out), customer payable (Cr).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from claims.exceptions import ClaimError
from claims.money import MINOR_UNITS
from payouts.models import Account, LedgerEntry, LedgerTransaction, TransactionKind

A = Account


class LedgerError(ClaimError):
    """A posting the ledger refuses (unbalanced, mixed currency, unknown account...)."""


@dataclass(frozen=True, slots=True)
class Line:
    account: str
    debit_minor: int = 0
    credit_minor: int = 0


def dr(account: str, amount: int) -> Line:
    return Line(account=account, debit_minor=amount)


def cr(account: str, amount: int) -> Line:
    return Line(account=account, credit_minor=amount)


def _check(currency: str, lines: Sequence[Line]) -> int:
    if currency not in MINOR_UNITS:
        raise LedgerError(_("Unknown currency %(c)s.") % {"c": currency})
    if len(lines) < 2:
        raise LedgerError(_("A transaction needs at least two entries."))
    for line in lines:
        if line.account not in Account.values:
            raise LedgerError(_("Unknown ledger account %(a)s.") % {"a": line.account})
        for amount in (line.debit_minor, line.credit_minor):
            if not isinstance(amount, int) or isinstance(amount, bool):
                raise LedgerError(_("Ledger amounts are integer minor units."))
        if (
            not ((line.debit_minor > 0) ^ (line.credit_minor > 0))
            or min(line.debit_minor, line.credit_minor) < 0
        ):
            raise LedgerError(_("Each entry is a positive debit or a positive credit."))
    debits = sum(line.debit_minor for line in lines)
    credits = sum(line.credit_minor for line in lines)
    if debits != credits:
        raise LedgerError(
            _("Debits (%(d)d) and credits (%(c)d) must be equal.") % {"d": debits, "c": credits}
        )
    return debits


def ledger_post(
    *,
    kind: str,
    currency: str,
    lines: Sequence[Line],
    idempotency_key: str,
    claim=None,
    payout=None,
    seller=None,
    reverses: LedgerTransaction | None = None,
    memo: str = "",
) -> LedgerTransaction:
    """Post one balanced transaction; posting the same key again returns the first posting.

    Raises ``LedgerError`` (writing nothing) if the lines do not balance, mix signs, name an
    unknown account or currency, or if the key was already used for a different posting.
    """
    if kind not in TransactionKind.values:
        raise LedgerError(_("Unknown transaction kind %(k)s.") % {"k": kind})
    if not idempotency_key:
        raise LedgerError(_("A ledger posting needs an idempotency key."))
    amount = _check(currency, lines)
    existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_or_refuse(existing, kind=kind, currency=currency, amount=amount)
    try:
        with transaction.atomic():
            tx = LedgerTransaction.objects.create(
                kind=kind,
                currency=currency,
                idempotency_key=idempotency_key,
                claim=claim,
                payout=payout,
                seller=seller,
                reverses=reverses,
                memo=memo[:200],
                amount_minor=amount,
            )
            LedgerEntry.objects.bulk_create(
                LedgerEntry(
                    transaction=tx,
                    account=line.account,
                    currency=currency,
                    debit_minor=line.debit_minor,
                    credit_minor=line.credit_minor,
                )
                for line in lines
            )
    except IntegrityError:
        # Another worker posted the same key first (or this transaction reverses one twice).
        existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_or_refuse(existing, kind=kind, currency=currency, amount=amount)
    return tx


def _same_or_refuse(tx: LedgerTransaction, *, kind: str, currency: str, amount: int):
    if (tx.kind, tx.currency, tx.amount_minor) != (kind, currency, amount):
        raise LedgerError(
            _("Idempotency key %(key)s was already used for a different posting.")
            % {"key": tx.idempotency_key}
        )
    return tx


def ledger_reverse(
    *, original: LedgerTransaction, idempotency_key: str, memo: str = ""
) -> LedgerTransaction:
    """Post the mirror image of ``original`` (debits become credits). Nothing is deleted."""
    lines = [
        Line(account=e.account, debit_minor=e.credit_minor, credit_minor=e.debit_minor)
        for e in original.entries.all()
    ]
    return ledger_post(
        kind=TransactionKind.REVERSAL,
        currency=original.currency,
        lines=lines,
        idempotency_key=idempotency_key,
        claim=original.claim,
        payout=original.payout,
        seller=original.seller,
        reverses=original,
        memo=memo or f"reverses {original.kind} #{original.pk}",
    )


# --- the postings the program makes ------------------------------------------

# Which account carries the cost of an approved payout, by who funds the claim.
FUNDING_ACCOUNT = {
    "concession": A.CONCESSION_EXPENSE,
    # A step-in is the marketplace's expense until the recovery moves it to the seller.
    "step_in": A.CONCESSION_EXPENSE,
    "seller": A.SELLER_RECEIVABLE,
    "insurer": A.INSURER_RECEIVABLE,
}


def accrual_lines(*, funding: str, amount: int) -> list[Line]:
    return [
        dr(FUNDING_ACCOUNT.get(funding, A.CONCESSION_EXPENSE), amount),
        cr(A.CUSTOMER_PAYABLE, amount),
    ]


def payment_lines(*, amount: int) -> list[Line]:
    return [dr(A.CUSTOMER_PAYABLE, amount), cr(A.CASH, amount)]


def ledger_post_recovery(
    *, seller, claim, amount_minor: int, currency: str, idempotency_key: str, memo: str = ""
) -> LedgerTransaction:
    """A recovery opened against a seller: the step-in cost becomes the seller's debt."""
    return ledger_post(
        kind=TransactionKind.RECOVERY,
        currency=currency,
        lines=[dr(A.SELLER_RECEIVABLE, amount_minor), cr(A.CONCESSION_EXPENSE, amount_minor)],
        idempotency_key=idempotency_key,
        claim=claim,
        seller=seller,
        memo=memo,
    )


def ledger_post_withholding(
    *, seller, amount_minor: int, currency: str, idempotency_key: str, claim=None, memo: str = ""
) -> LedgerTransaction:
    """Money withheld from a seller's disbursement settles (part of) what the seller owes."""
    return ledger_post(
        kind=TransactionKind.WITHHOLDING,
        currency=currency,
        lines=[dr(A.CASH, amount_minor), cr(A.SELLER_RECEIVABLE, amount_minor)],
        idempotency_key=idempotency_key,
        claim=claim,
        seller=seller,
        memo=memo,
    )


# --- reads ----------------------------------------------------------------


def ledger_balances(*, currency: str | None = None) -> dict[str, dict[str, dict[str, int]]]:
    """{currency: {account: {"debit": d, "credit": c, "balance": d - c}}} over every entry."""
    rows = LedgerEntry.objects.all()
    if currency:
        rows = rows.filter(currency=currency)
    out: dict[str, dict[str, dict[str, int]]] = {}
    for row in (
        rows.values("currency", "account")
        .annotate(debit=Sum("debit_minor"), credit=Sum("credit_minor"))
        .order_by("currency", "account")
    ):
        out.setdefault(row["currency"], {})[row["account"]] = {
            "debit": row["debit"],
            "credit": row["credit"],
            "balance": row["debit"] - row["credit"],
        }
    return out


def ledger_unbalanced(*, transaction_ids: Iterable[int] | None = None) -> list[int]:
    """Ids of transactions whose entries do not balance or disagree with their header."""
    from django.db.models import F, Q

    txs = LedgerTransaction.objects.annotate(
        d=Sum("entries__debit_minor"), c=Sum("entries__credit_minor")
    ).filter(Q(d__isnull=True) | ~Q(d=F("c")) | ~Q(d=F("amount_minor")))
    if transaction_ids is not None:
        txs = txs.filter(pk__in=list(transaction_ids))
    mixed = (
        LedgerEntry.objects.exclude(currency=F("transaction__currency"))
        .values_list("transaction_id", flat=True)
        .distinct()
    )
    return sorted(set(txs.values_list("pk", flat=True)) | set(mixed))
