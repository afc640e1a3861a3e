"""Recoveries: follow the decision, withheld from disbursements, appealed, decided, exported."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from claims.actors import Actor
from claims.models import ClaimStatus, EventKind, Funding
from claims.services import claim_transition
from sellers.exceptions import RecoveryError
from sellers.exports import csv_safe
from sellers.models import Recovery, RecoveryStatus, Withholding
from sellers.services.escalation import claim_escalate_overdue
from sellers.services.recoveries import (
    recovery_appeal,
    recovery_decide,
    withholding_record,
)
from tests.payouts.helpers import approve_as_staff
from tests.sellers.helpers import OVER, awaiting, run_outbox

pytestmark = pytest.mark.django_db


def _escalated_and_approved(supervisor, approved_minor=200_000):
    """A step-in claim, approved for less than was claimed: the recovery follows the decision."""
    claim, _ = awaiting(amount_minor=OVER)
    claim_escalate_overdue(now=claim.seller_respond_by + dt.timedelta(seconds=1))
    staff = Actor.staff(supervisor)
    claim_transition(claim=claim, to=ClaimStatus.UNDER_REVIEW, actor=staff)
    item = claim.losses.get()
    approve_as_staff(claim, supervisor, {item.pk: approved_minor})
    return claim, Recovery.objects.get(claim=claim)


def test_recovery_sync_follows_the_approved_amount(supervisor):
    claim, recovery = _escalated_and_approved(supervisor)
    assert recovery.amount_minor == 200_000
    assert claim.events.filter(kind=EventKind.RECOVERY, data__step="amount").count() == 1


def test_recovery_cancelled_when_the_claim_is_withdrawn():
    claim, _ = awaiting(amount_minor=OVER)
    claim_escalate_overdue(now=claim.seller_respond_by + dt.timedelta(seconds=1))
    from claims.services import claim_withdraw

    claim_withdraw(claim=claim, actor=Actor.customer(claim.customer))
    run_outbox("sellers.recovery_sync")
    assert Recovery.objects.get(claim=claim).status == RecoveryStatus.CANCELLED


def test_withholding_record_partial_then_settles(supervisor):
    # given
    claim, recovery = _escalated_and_approved(supervisor)
    # when: two disbursements withhold the amount, the first one reported twice
    withholding_record(
        recovery=recovery,
        amount_minor=150_000,
        currency="USD",
        disbursement_reference="D-1",
        recorded_by=supervisor,
    )
    again = withholding_record(
        recovery=recovery, amount_minor=150_000, currency="USD", disbursement_reference="D-1"
    )
    withholding_record(
        recovery=recovery, amount_minor=50_000, currency="USD", disbursement_reference="D-2"
    )
    # then
    recovery.refresh_from_db()
    assert again is None and Withholding.objects.count() == 2
    assert recovery.withheld_minor == 200_000 and recovery.status == RecoveryStatus.SETTLED
    steps = list(
        claim.events.filter(kind=EventKind.RECOVERY)
        .order_by("id")
        .values_list("data__step", flat=True)
    )
    assert steps == ["opened", "amount", "withheld", "withheld", "settled"]


@pytest.mark.parametrize(
    ("amount", "currency", "reference", "message"),
    [
        (300_000, "USD", "D-9", "outstanding"),
        (100, "CAD", "D-9", "USD"),
        (0, "USD", "D-9", "more than zero"),
        (100, "USD", " ", "reference"),
    ],
)
def test_withholding_record_refuses_bad_input_and_changes_nothing(
    supervisor, amount, currency, reference, message
):
    _claim, recovery = _escalated_and_approved(supervisor)
    with pytest.raises(RecoveryError, match=message):
        withholding_record(
            recovery=recovery,
            amount_minor=amount,
            currency=currency,
            disbursement_reference=reference,
        )
    recovery.refresh_from_db()
    assert recovery.withheld_minor == 0 and not Withholding.objects.exists()


def test_recovery_appeal_within_window_pauses_withholding_and_staff_decide(supervisor, agent):
    # given
    claim, recovery = _escalated_and_approved(supervisor)
    seller = Actor.seller(claim.seller)
    # when: the seller appeals
    recovery_appeal(recovery=recovery, actor=seller, reason="The customer misused it.")
    # then: nothing can be withheld while it is under appeal
    with pytest.raises(RecoveryError, match="Under appeal"):
        withholding_record(
            recovery=recovery, amount_minor=1, currency="USD", disbursement_reference="D-1"
        )
    # and: an agent may not decide, a supervisor may
    with pytest.raises(RecoveryError, match="permission"):
        recovery_decide(recovery=recovery, actor=Actor.staff(agent), uphold=True, note="ok")
    decided = recovery_decide(
        recovery=recovery,
        actor=Actor.staff(supervisor),
        uphold=False,
        note="Photos show the defect.",
    )
    assert decided.status == RecoveryStatus.OPEN and decided.decision_note
    steps = list(
        claim.events.filter(kind=EventKind.RECOVERY)
        .order_by("id")
        .values_list("data__step", flat=True)
    )
    assert steps[-2:] == ["appealed", "appeal_rejected"]


def test_recovery_appeal_after_the_window_is_refused(supervisor):
    claim, recovery = _escalated_and_approved(supervisor)
    late = recovery.appeal_due + dt.timedelta(seconds=1)
    with pytest.raises(RecoveryError, match="closed"):
        recovery_appeal(recovery=recovery, actor=Actor.seller(claim.seller), reason="x", now=late)
    recovery.refresh_from_db()
    assert recovery.status == RecoveryStatus.OPEN and recovery.appealed_at is None


def test_recovery_upheld_appeal_waives(supervisor):
    claim, recovery = _escalated_and_approved(supervisor)
    recovery_appeal(recovery=recovery, actor=Actor.seller(claim.seller), reason="Not ours.")
    recovery = recovery_decide(
        recovery=recovery,
        actor=Actor.staff(supervisor),
        uphold=True,
        note="Wrong seller on the order line.",
    )
    assert recovery.status == RecoveryStatus.WAIVED


def test_csv_safe_escapes_formulas():
    assert csv_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [csv_safe(v) for v in ["+1", "-1", "@SUM", "\tx", "Acme"]] == [
        "'+1",
        "'-1",
        "'@SUM",
        "'\tx",
        "Acme",
    ]


def test_withholdings_export_and_record_commands(supervisor):
    # given: a decided recovery for a seller whose name looks like a formula
    claim, recovery = _escalated_and_approved(supervisor)
    claim.seller.legal_name = "=cmd|' /C calc'!A0"
    claim.seller.save()
    # when: exported
    out = io.StringIO()
    call_command("withholdings_export", stdout=out)
    lines = out.getvalue().splitlines()
    # then: one row, the name escaped, the outstanding amount in minor units
    assert lines[0].startswith("recovery_id,seller_id")
    assert len(lines) == 2 and f"{recovery.pk}," in lines[1]
    assert "'=cmd" in lines[1] and ",200000," in lines[1]
    # when: the disbursement system reports one good and one bad row: nothing is recorded
    bad = _csv(f"{recovery.pk},USD,100.00,D-1\n{recovery.pk},USD,5000.00,D-2\n")
    with pytest.raises(CommandError, match="line 3"):
        call_command("withholdings_record", bad)
    assert not Withholding.objects.exists()
    good = _csv(f"{recovery.pk},USD,100.00,D-1\n")
    call_command("withholdings_record", good, stdout=io.StringIO())
    recovery.refresh_from_db()
    assert recovery.withheld_minor == 10_000


def _csv(body: str):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "w.csv"
    path.write_text("recovery_id,currency,amount,disbursement_reference\n" + body)
    return path


def test_undecided_recoveries_are_not_exported():
    claim, _ = awaiting(amount_minor=OVER)
    claim_escalate_overdue(now=claim.seller_respond_by + dt.timedelta(seconds=1))
    out = io.StringIO()
    call_command("withholdings_export", stdout=out)
    assert len(out.getvalue().splitlines()) == 1  # the header only
    assert timezone.now()


def test_recovery_cancelled_when_the_seller_funds_the_claim_after_all(supervisor):
    # given: an escalated step-in claim
    claim, _ = awaiting(amount_minor=OVER)
    claim_escalate_overdue(now=claim.seller_respond_by + dt.timedelta(seconds=1))
    staff = Actor.staff(supervisor)
    claim_transition(claim=claim, to=ClaimStatus.UNDER_REVIEW, actor=staff)
    # when: a supervisor approves it with the seller paying after all (an override, with reason)
    approve_as_staff(
        claim,
        supervisor,
        {claim.losses.get().pk: OVER},
        funding=Funding.SELLER,
        funding_reason="The seller agreed to pay after all.",
    )
    # then: the marketplace is owed nothing
    assert Recovery.objects.get(claim=claim).status == RecoveryStatus.CANCELLED
