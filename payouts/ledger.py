"""The double-entry ledger: immutable, one currency per transaction, debits equal credits.

``ledger_post`` is the one writer. It refuses unbalanced or mixed-currency postings before
writing anything, and on PostgreSQL a deferred constraint trigger re-checks every transaction at
commit, so no code path (raw SQL included) can leave an unbalanced transaction behind.

Accounts (normal balance): concession expense (Dr), seller receivable (Dr), insurer receivable
(Dr), cash (Dr; it goes negative as the marketplace pays out), customer payable (Cr).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.exceptions import ClaimError
from claims.money import MINOR_UNITS
from payouts.models import Account, LedgerEntry, LedgerTransaction, TransactionKind

A = Account
# Looked up for every posting and line (``Choices.values`` builds a new list on each call).
ACCOUNTS = frozenset(Account.values)
KINDS = frozenset(TransactionKind.values)


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
        if line.account not in ACCOUNTS:
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


@dataclass(frozen=True, slots=True)
class Posting:
    """One transaction for ``ledger_post_many`` (the same fields as ``ledger_post``, by id)."""

    kind: str
    currency: str
    lines: Sequence[Line]
    idempotency_key: str
    claim_id: int | None = None
    payout_id: int | None = None
    seller_id: int | None = None
    reverses_id: int | None = None
    memo: str = ""


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
    posting = Posting(
        kind=kind,
        currency=currency,
        lines=lines,
        idempotency_key=idempotency_key,
        claim_id=claim.pk if claim is not None else None,
        payout_id=payout.pk if payout is not None else None,
        seller_id=seller.pk if seller is not None else None,
        reverses_id=reverses.pk if reverses is not None else None,
        memo=memo,
    )
    return ledger_post_many([posting])[0]


def ledger_post_many(postings: Sequence[Posting]) -> list[LedgerTransaction]:
    """``ledger_post`` for many transactions in a constant number of statements.

    Every posting is checked before anything is written (one refused posting writes nothing).
    Keys already posted return the first posting (refused if it differs); the rest are inserted
    with their entries in bulk. Returns the transactions in the order of ``postings``.
    """
    amounts = {}
    for posting in postings:
        if posting.kind not in KINDS:
            raise LedgerError(_("Unknown transaction kind %(k)s.") % {"k": posting.kind})
        if not posting.idempotency_key:
            raise LedgerError(_("A ledger posting needs an idempotency key."))
        amount = _check(posting.currency, posting.lines)
        if amounts.setdefault(posting.idempotency_key, amount) != amount:
            raise LedgerError(
                _("Idempotency key %(key)s was already used for a different posting.")
                % {"key": posting.idempotency_key}
            )
    try:
        with transaction.atomic():
            return _post_new(postings, amounts)
    except IntegrityError:
        # Another worker posted some of the same keys first: what is there now is the answer.
        with transaction.atomic():
            return _post_new(postings, amounts)


def _post_new(postings: Sequence[Posting], amounts: dict[str, int]) -> list[LedgerTransaction]:
    found = {
        tx.idempotency_key: tx
        for tx in LedgerTransaction.objects.filter(idempotency_key__in=list(amounts))
    }
    for posting in postings:
        if posting.idempotency_key in found:
            _same_or_refuse(
                found[posting.idempotency_key],
                kind=posting.kind,
                currency=posting.currency,
                amount=amounts[posting.idempotency_key],
            )
    fresh = {}
    for posting in postings:
        if posting.idempotency_key not in found:
            fresh.setdefault(posting.idempotency_key, posting)
    if connection.vendor == "postgresql":
        created = _insert_sql(list(fresh.values()), amounts)
        found.update((tx.idempotency_key, tx) for tx in created)
        return [found[p.idempotency_key] for p in postings]
    created = LedgerTransaction.objects.bulk_create(
        LedgerTransaction(
            kind=p.kind,
            currency=p.currency,
            idempotency_key=p.idempotency_key,
            claim_id=p.claim_id,
            payout_id=p.payout_id,
            seller_id=p.seller_id,
            reverses_id=p.reverses_id,
            memo=p.memo[:200],
            amount_minor=amounts[p.idempotency_key],
        )
        for p in fresh.values()
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            transaction=tx,
            account=line.account,
            currency=p.currency,
            debit_minor=line.debit_minor,
            credit_minor=line.credit_minor,
        )
        for tx, p in zip(created, fresh.values(), strict=True)
        for line in p.lines
    )
    found.update((tx.idempotency_key, tx) for tx in created)
    return [found[p.idempotency_key] for p in postings]


# The columns _insert_sql writes, in the order LedgerTransaction.from_db is given them.
TX_FIELDS = [
    "id",
    "kind",
    "currency",
    "idempotency_key",
    "claim_id",
    "payout_id",
    "seller_id",
    "reverses_id",
    "memo",
    "amount_minor",
    "created_at",
]


def _insert_sql(fresh: list[Posting], amounts: dict[str, int]) -> list[LedgerTransaction]:
    """The transactions and their entries in one PostgreSQL statement, from arrays of their
    values (``unnest``): a batch of 250 payouts is 250 transactions and 500 entries, which as
    model instances cost the ORM more than the database took to insert them."""
    if not fresh:
        return []
    now = timezone.now()
    lines = [(p.idempotency_key, line) for p in fresh for line in p.lines]
    params = {
        "kind": [p.kind for p in fresh],
        "currency": [p.currency for p in fresh],
        "key": [p.idempotency_key for p in fresh],
        "claim": [p.claim_id for p in fresh],
        "payout": [p.payout_id for p in fresh],
        "seller": [p.seller_id for p in fresh],
        "reverses": [p.reverses_id for p in fresh],
        "memo": [p.memo[:200] for p in fresh],
        "amount": [amounts[p.idempotency_key] for p in fresh],
        "now": now,
        "line_key": [key for key, _line in lines],
        "account": [line.account for _key, line in lines],
        "debit": [line.debit_minor for _key, line in lines],
        "credit": [line.credit_minor for _key, line in lines],
    }
    sql = """
        WITH tx AS (
            INSERT INTO payouts_ledgertransaction (kind, currency, idempotency_key, claim_id,
                payout_id, seller_id, reverses_id, memo, amount_minor, created_at)
            SELECT kind, currency, key, claim, payout, seller, reverses, memo, amount, %(now)s
              FROM unnest(%(kind)s::text[], %(currency)s::text[], %(key)s::text[],
                          %(claim)s::bigint[], %(payout)s::bigint[], %(seller)s::bigint[],
                          %(reverses)s::bigint[], %(memo)s::text[], %(amount)s::bigint[])
                AS t(kind, currency, key, claim, payout, seller, reverses, memo, amount)
         RETURNING id, idempotency_key, currency
        ), entries AS (
            INSERT INTO payouts_ledgerentry (transaction_id, account, currency, debit_minor,
                                             credit_minor)
            SELECT tx.id, e.account, tx.currency, e.debit, e.credit
              FROM unnest(%(line_key)s::text[], %(account)s::text[], %(debit)s::bigint[],
                          %(credit)s::bigint[]) WITH ORDINALITY AS e(key, account, debit, credit, n)
              JOIN tx ON tx.idempotency_key = e.key
             ORDER BY e.n
        )
        SELECT idempotency_key, id FROM tx
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = dict(cursor.fetchall())
    return [
        LedgerTransaction.from_db(
            connection.alias,
            TX_FIELDS,
            [
                ids[p.idempotency_key],
                p.kind,
                p.currency,
                p.idempotency_key,
                p.claim_id,
                p.payout_id,
                p.seller_id,
                p.reverses_id,
                p.memo[:200],
                amounts[p.idempotency_key],
                now,
            ],
        )
        for p in fresh
    ]


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
