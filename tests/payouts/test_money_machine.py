"""The money rules hold whatever anyone does, in any order (a hypothesis state machine).

It drives random sequences of every action the surfaces offer a person or a job: the admin's
"Change status…" and bulk moves, the staff pages' moves and decisions (any target, legal or
not), the second approval, the seller's and insurer's answers and payments, the customer's
withdrawal, appeal and payment answer, and the beat jobs (escalation, the payment watch, payout
creation and sending, bank returns, withholdings). After every step it checks:

- no claim is approved, payout pending or paid without a decision through the decision service;
- every claim the marketplace pays has exactly one paid payout equal to its approved total;
- every step-in has one recovery equal to the approved amount;
- the ledger balances and reconciles (``payouts.reconcile``: every money path).
"""

import contextlib
import datetime as dt
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from claims import roles
from claims.actors import Actor
from claims.exceptions import ClaimError
from claims.models import (
    MARKETPLACE_FUNDING,
    AccessLink,
    Claim,
    ClaimStatus,
    Funding,
    LinkPurpose,
)
from claims.services import claim_appeal, claim_withdraw
from payouts.adapters.sandbox import SandboxAdapter
from payouts.ledger import ledger_unbalanced
from payouts.models import ApprovalRequest, Payout, PayoutStatus, RequestStatus
from payouts.reconcile import reconcile
from payouts.services import payouts_send_due
from payouts.services.payouts import payout_return
from sellers.models import PartyPayment, Recovery, RecoveryReason, RecoveryStatus
from sellers.services.escalation import claim_escalate_overdue
from sellers.services.party_payments import (
    party_payment_answer,
    party_payment_day,
    party_payment_record,
    party_payments_sweep,
)
from sellers.services.recoveries import withholding_record
from sellers.services.responses import seller_response_submit
from tests.payouts.helpers import deliver_payout_messages, with_payee
from tests.sellers.helpers import OVER, UNDER, awaiting, run_outbox

S = ClaimStatus
MONEY = (S.APPROVED, S.PAYOUT_PENDING, S.PAID)
FAR = dt.timedelta(days=400)
_names = itertools.count()


def _staff(role: str):
    user = get_user_model().objects.create_user(
        username=f"{role.split()[0].lower()}{next(_names)}", password="pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user


class MoneyMachine(RuleBasedStateMachine):
    claims = Bundle("claims")

    def __init__(self):
        super().__init__()
        # Each example runs in a savepoint of the test's transaction and is rolled back.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.clients = {}

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @initialize()
    def staff(self):
        self.users = {
            "agent": _staff(roles.AGENT),
            "supervisor": _staff(roles.SUPERVISOR),
            "supervisor2": _staff(roles.SUPERVISOR),
        }
        for name, user in self.users.items():
            client = Client()
            client.force_login(user)
            self.clients[name] = client

    # --- customers and sellers -----------------------------------------------------------

    @rule(target=claims, big=st.booleans())
    def customer_files(self, big):
        claim, _path = awaiting(amount_minor=OVER if big else UNDER)
        with_payee(claim.customer)
        return claim.pk

    @rule(pk=claims, decision=st.sampled_from(["accept", "dispute", "insurer"]))
    def seller_answers(self, pk, decision):
        claim = Claim.objects.get(pk=pk)
        link = AccessLink.objects.filter(claim=claim, purpose=LinkPurpose.SELLER_RESPONSE).first()
        try:
            seller_response_submit(
                link=link,
                decision=decision,
                reasons="Our answer.",
                insurer_name="Acme Mutual",
                insurer_email="claims@acme.test",
            )
        except ClaimError:
            return
        if decision == "insurer":
            run_outbox("sellers.notify_insurer")
            insurer = AccessLink.objects.filter(
                claim=claim, purpose=LinkPurpose.INSURER_RESPONSE
            ).first()
            if insurer is None:
                return
            try:
                seller_response_submit(link=insurer, decision="accept", reasons="We pay.")
            except ClaimError:
                return

    @rule(pk=claims)
    def customer_withdraws(self, pk):
        claim = Claim.objects.get(pk=pk)
        with contextlib.suppress(ClaimError):
            claim_withdraw(claim=claim, actor=Actor.customer(claim.customer))

    @rule(pk=claims)
    def customer_appeals(self, pk):
        claim = Claim.objects.get(pk=pk)
        with contextlib.suppress(ClaimError):
            claim_appeal(claim=claim, actor=Actor.customer(claim.customer), reason="Please.")

    @rule(pk=claims, received=st.booleans())
    def customer_answers_payment(self, pk, received):
        payment = PartyPayment.objects.filter(claim_id=pk).first()
        if payment is None:
            return
        claim = payment.claim
        with contextlib.suppress(ClaimError):
            party_payment_answer(
                payment=payment,
                actor=Actor.customer(claim.customer),
                received=received,
                note="Nothing yet.",
            )

    @rule(pk=claims, right=st.booleans())
    def party_records_payment(self, pk, right):
        payment = PartyPayment.objects.filter(claim_id=pk).first()
        if payment is None:
            return
        with contextlib.suppress(ClaimError):
            party_payment_record(
                payment=payment,
                actor=Actor.seller(payment.seller),
                amount_minor=payment.amount_minor if right else payment.amount_minor - 1,
                paid_on=party_payment_day(payment, timezone.now()),
                reference="TX",
            )

    # --- staff, on every surface ----------------------------------------------------------

    @rule(
        pk=claims,
        to=st.sampled_from(S.values),
        who=st.sampled_from(["agent", "supervisor", "supervisor2"]),
        share=st.sampled_from([0, 1, 50, 100]),
        override=st.sampled_from(["", "concession", "step_in", "seller"]),
    )
    def staff_acts_in_the_staff_pages(self, pk, to, who, share, override):
        claim = Claim.objects.get(pk=pk)
        data = {"expected_status": claim.status, "reason": "Checked.", "reason_code": "other"}
        for item in claim.losses.all():
            data[f"loss_{item.pk}"] = f"{item.claimed_minor * share // 100 / 100:.2f}"
        if override:
            data.update(funding=override, funding_reason="Because." if share else "")
        self.clients[who].post(reverse("backoffice:claim-move", args=[pk, to]), data)

    @rule(who=st.sampled_from(["supervisor", "supervisor2"]))
    def second_approver_signs(self, who):
        request = ApprovalRequest.objects.filter(status=RequestStatus.PENDING).first()
        if request is None:
            return
        # through the Decisions area, as a supervisor does it (issue 13)
        self.clients[who].post(
            reverse("backoffice:decision-approval", args=[request.pk]),
            {"decision": "approve", "note": ""},
        )

    # --- jobs ------------------------------------------------------------------------------

    @rule()
    def deadlines_pass(self):
        now = timezone.now() + FAR
        claim_escalate_overdue(now=now)
        party_payments_sweep(now=now)

    @rule()
    def payouts_run(self):
        deliver_payout_messages()
        payouts_send_due(adapter=SandboxAdapter())

    @rule(pk=claims)
    def bank_returns_a_payout(self, pk):
        payout = Payout.objects.filter(claim_id=pk, status=PayoutStatus.PAID).first()
        if payout:
            payout_return(payout=payout, actor=Actor.system("bank"), reason_code="AC04")

    @rule(pk=claims, share=st.sampled_from([1, 50, 100]))
    def disbursement_withholds(self, pk, share):
        recovery = Recovery.objects.filter(
            claim_id=pk, status=RecoveryStatus.OPEN, appeal_due__isnull=False
        ).first()
        if recovery is None or recovery.outstanding_minor == 0:
            return
        with contextlib.suppress(ClaimError):
            withholding_record(
                recovery=recovery,
                amount_minor=max(1, recovery.outstanding_minor * share // 100),
                currency=recovery.currency,
                disbursement_reference=f"D-{next(_names)}",
            )

    # --- the rules --------------------------------------------------------------------------

    @invariant()
    def money_moves_only_on_a_decision(self):
        for claim in Claim.objects.filter(status__in=MONEY):
            decision = claim.events.filter(to_status=S.APPROVED).order_by("-id").first()
            assert decision is not None and "policy" in decision.data, claim.reference
            assert claim.approved_total_minor and claim.funding

    @invariant()
    def the_marketplace_pays_once_what_it_approved(self):
        # One payout, or the first and the top-up an appeal added: in all the approved total,
        # never more than approved while a claim is decided again.
        for claim in Claim.objects.filter(funding__in=MARKETPLACE_FUNDING):
            paid = sum(
                Payout.objects.filter(claim=claim, status=PayoutStatus.PAID).values_list(
                    "amount_minor", flat=True
                )
            )
            if claim.status == S.PAID:
                assert paid == claim.approved_total_minor, claim.reference
            assert paid <= (claim.approved_total_minor or 0), claim.reference

    @invariant()
    def every_step_in_is_recovered(self):
        for claim in Claim.objects.filter(status__in=MONEY, funding=Funding.STEP_IN):
            recoveries = Recovery.objects.filter(claim=claim, reason=RecoveryReason.STEP_IN)
            assert [r.amount_minor for r in recoveries] == [claim.approved_total_minor]

    @invariant()
    def the_books_balance_and_reconcile(self):
        assert ledger_unbalanced() == []
        assert [str(d) for d in reconcile()] == []


@pytest.mark.django_db
def test_money_rules_hold_for_any_sequence_of_actions_on_every_surface():
    run_state_machine_as_test(
        MoneyMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            # Shrinking a long sequence of database steps takes minutes on a shared machine;
            # a failure prints its whole sequence and its seed instead.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
        ),
    )
