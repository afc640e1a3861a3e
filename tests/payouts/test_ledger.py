"""The ledger: balanced, single-currency, append-only, idempotent; checked by the database too."""

import uuid

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.actors import Actor
from payouts.adapters.sandbox import SandboxAdapter
from payouts.ledger import (
    LedgerError,
    Posting,
    cr,
    dr,
    ledger_balances,
    ledger_post,
    ledger_post_many,
    ledger_post_recovery,
    ledger_post_withholding,
    ledger_unbalanced,
)
from payouts.models import LedgerEntry, LedgerTransaction, Payout, PayoutStatus
from payouts.services import payout_return, payouts_send_due
from tests.payouts.helpers import approved_claim, deliver_payout_messages

pytestmark = pytest.mark.django_db


def _post(lines, key="k1", currency="USD", kind="adjustment"):
    return ledger_post(kind=kind, currency=currency, lines=lines, idempotency_key=key)


def _check_deferred_constraints() -> None:
    """Make PostgreSQL run the deferred balance triggers now, as it would at commit."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([dr("cash", 100), cr("customer_payable", 99)], "must be equal"),
        ([dr("cash", 100)], "at least two"),
        ([dr("cash", 0), cr("customer_payable", 0)], "positive"),
        ([dr("cash", -5), cr("customer_payable", -5)], "positive"),
        ([dr("petty_cash", 5), cr("customer_payable", 5)], "Unknown ledger account"),
    ],
)
def test_bad_postings_are_refused_and_write_nothing(lines, message):
    with pytest.raises(LedgerError, match=message):
        _post(lines)
    assert not LedgerTransaction.objects.exists() and not LedgerEntry.objects.exists()


def test_unknown_currency_and_floats_are_refused():
    with pytest.raises(LedgerError, match="currency"):
        _post([dr("cash", 5), cr("customer_payable", 5)], currency="XXX")
    with pytest.raises(LedgerError, match="integer"):
        _post([dr("cash", 5.0), cr("customer_payable", 5.0)])


def test_same_key_returns_the_first_posting_and_a_different_posting_is_refused():
    first = _post([dr("cash", 500), cr("customer_payable", 500)])
    assert _post([dr("cash", 500), cr("customer_payable", 500)]) == first
    with pytest.raises(LedgerError, match="already used"):
        _post([dr("cash", 700), cr("customer_payable", 700)])
    assert LedgerTransaction.objects.count() == 1 and LedgerEntry.objects.count() == 2


def _posting(key, amount, kind="adjustment"):
    return Posting(
        kind=kind,
        currency="USD",
        lines=[dr("cash", amount), cr("customer_payable", amount)],
        idempotency_key=key,
    )


def test_post_many_writes_new_keys_in_bulk_and_returns_earlier_postings_for_known_keys():
    # given: one key posted before
    first = _post([dr("cash", 500), cr("customer_payable", 500)], key="a")
    # when: a batch with that key and two new ones, twice
    batch = [_posting("a", 500), _posting("b", 700), _posting("c", 900)]
    posted = ledger_post_many(batch)
    again = ledger_post_many(batch)
    # then: in order, the first posting reused, each key once, every transaction balanced
    assert [tx.idempotency_key for tx in posted] == ["a", "b", "c"]
    assert posted[0] == first and [tx.pk for tx in again] == [tx.pk for tx in posted]
    assert LedgerTransaction.objects.count() == 3 and LedgerEntry.objects.count() == 6
    _check_deferred_constraints()
    assert ledger_unbalanced() == []


def test_post_many_refuses_the_whole_batch_for_one_bad_posting():
    _post([dr("cash", 500), cr("customer_payable", 500)], key="a")
    with pytest.raises(LedgerError, match="already used"):
        ledger_post_many([_posting("b", 700), _posting("a", 600)])
    with pytest.raises(LedgerError, match="must be equal"):
        ledger_post_many(
            [
                _posting("c", 700),
                Posting(
                    kind="adjustment",
                    currency="USD",
                    lines=[dr("cash", 5), cr("customer_payable", 4)],
                    idempotency_key="d",
                ),
            ]
        )
    assert list(LedgerTransaction.objects.values_list("idempotency_key", flat=True)) == ["a"]


def test_ledger_rows_are_append_only_in_the_model_and_in_the_database():
    tx = _post([dr("cash", 500), cr("customer_payable", 500)])
    entry = tx.entries.first()
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        tx.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(debit_minor=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerTransaction.objects.filter(pk=tx.pk).delete()


def test_the_database_refuses_an_unbalanced_transaction_written_behind_the_service():
    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        tx = LedgerTransaction.objects.create(
            kind="adjustment", currency="USD", idempotency_key="raw", amount_minor=100
        )
        LedgerEntry.objects.create(transaction=tx, account="cash", currency="USD", debit_minor=100)
        LedgerEntry.objects.create(
            transaction=tx, account="customer_payable", currency="USD", credit_minor=90
        )
        _check_deferred_constraints()


def test_the_database_refuses_entries_in_another_currency():
    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        tx = LedgerTransaction.objects.create(
            kind="adjustment", currency="USD", idempotency_key="fx", amount_minor=100
        )
        LedgerEntry.objects.create(transaction=tx, account="cash", currency="USD", debit_minor=100)
        LedgerEntry.objects.create(
            transaction=tx, account="customer_payable", currency="EUR", credit_minor=100
        )
        _check_deferred_constraints()


def test_balances_are_kept_per_currency():
    _post([dr("cash", 500), cr("customer_payable", 500)], key="a")
    _post([dr("cash", 300), cr("customer_payable", 300)], key="b", currency="EUR")
    balances = ledger_balances()
    assert balances["USD"]["cash"]["balance"] == 500
    assert balances["EUR"]["customer_payable"]["balance"] == -300


# --- the property: any sequence of money movements leaves every transaction balanced -----------

AMOUNT = st.integers(min_value=1, max_value=100_000)
STEP = st.one_of(
    st.tuples(st.just("approve"), AMOUNT),
    st.tuples(st.just("pay"), st.integers(0, 20)),
    st.tuples(st.just("return"), st.integers(0, 20)),
    st.tuples(st.just("recover"), st.integers(0, 20), AMOUNT),
    st.tuples(st.just("withhold"), st.integers(0, 20), AMOUNT),
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=8))
def test_any_sequence_of_approvals_payouts_reversals_and_recoveries_stays_balanced(
    supervisor, steps
):
    claims = []
    # what the cash account must say, from the outside: paid out, returned, withheld
    expected_cash = sum(b["cash"]["balance"] for b in ledger_balances().values() if "cash" in b)
    for step in steps:
        op = step[0]
        if op == "approve":
            claim = approved_claim(amount_minor=step[1])
            deliver_payout_messages()
            claims.append(claim)
        elif not claims:
            continue
        elif op == "pay":
            before = set(Payout.objects.filter(status="paid").values_list("pk", flat=True))
            payouts_send_due(adapter=SandboxAdapter())
            for payout in Payout.objects.filter(status="paid").exclude(pk__in=before):
                expected_cash -= payout.amount_minor
        elif op == "return":
            claim = claims[step[1] % len(claims)]
            payout = Payout.objects.filter(claim=claim, status=PayoutStatus.PAID).first()
            if payout:
                payout_return(payout=payout, actor=Actor.staff(supervisor), reason_code="R01")
                expected_cash += payout.amount_minor
        elif op == "recover":
            claim = claims[step[1] % len(claims)]
            ledger_post_recovery(
                seller=claim.seller,
                claim=claim,
                amount_minor=step[2],
                currency="USD",
                idempotency_key=f"recovery:{uuid.uuid4()}",
            )
        elif op == "withhold":
            claim = claims[step[1] % len(claims)]
            ledger_post_withholding(
                seller=claim.seller,
                claim=claim,
                amount_minor=step[2],
                currency="USD",
                idempotency_key=f"withholding:{uuid.uuid4()}",
            )
            expected_cash += step[2]
        assert ledger_unbalanced() == []
    _check_deferred_constraints()
    balances = ledger_balances()
    for accounts in balances.values():
        assert sum(a["balance"] for a in accounts.values()) == 0  # the books balance overall
    assert balances.get("USD", {}).get("cash", {"balance": 0})["balance"] == expected_cash
