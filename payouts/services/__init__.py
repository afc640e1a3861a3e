"""Every write of the payouts app. Views, the admin, tasks and commands call these.

- decisions: ``decision_approve``, ``approval_second``, ``approval_reject``, ``decision_deny``;
  ``approval_decisions_for``: which of them a staff member may make (what the page offers);
  ``approval_requests_decidable``: which of a page of the Decisions list they may decide
- automatic approval and QA: ``claim_auto_approve``, ``auto_approve_sweep``, ``qa_review_record``
- payee details: ``payee_submit_by_customer``, ``payee_confirm_by_customer`` (the customer's
  page), ``payee_change_request`` / ``payee_change_approve`` / ``payee_change_reject`` (staff,
  four eyes), ``payee_set`` (the system), ``payee_reminders_send`` (the beat sweeper)
- the pipeline, in batches: ``payouts_create_for_claims`` (and ``payout_create_for_claim``),
  ``payouts_send_due``, ``payouts_send_leased`` (and ``payout_send``), ``payouts_redispatch``
- one payout: ``payout_mark_failed``, ``payout_resend``, ``payout_return``, ``payout_cancel``
- the ledger: ``payouts.ledger.ledger_post`` (and its helpers)
"""

from payouts.services.auto import auto_approve_sweep, claim_auto_approve, qa_review_record
from payouts.services.decisions import (
    DecisionResult,
    approval_decisions_for,
    approval_reject,
    approval_requests_decidable,
    approval_second,
    decision_approve,
    decision_deny,
)
from payouts.services.payees import (
    payee_change_approve,
    payee_change_reject,
    payee_change_request,
    payee_confirm_by_customer,
    payee_set,
    payee_submit_by_customer,
)
from payouts.services.payouts import (
    payout_cancel,
    payout_mark_failed,
    payout_resend,
    payout_return,
)
from payouts.services.pipeline import (
    payout_create_for_claim,
    payout_send,
    payouts_create_for_claims,
    payouts_create_missing,
    payouts_redispatch,
    payouts_send_due,
    payouts_send_ids,
    payouts_send_leased,
)
from payouts.services.reminders import payee_reminders_send

__all__ = [
    "DecisionResult",
    "approval_decisions_for",
    "approval_reject",
    "approval_requests_decidable",
    "approval_second",
    "auto_approve_sweep",
    "claim_auto_approve",
    "decision_approve",
    "decision_deny",
    "payee_change_approve",
    "payee_change_reject",
    "payee_change_request",
    "payee_confirm_by_customer",
    "payee_reminders_send",
    "payee_set",
    "payee_submit_by_customer",
    "payout_cancel",
    "payout_create_for_claim",
    "payout_mark_failed",
    "payout_resend",
    "payout_return",
    "payout_send",
    "payouts_create_for_claims",
    "payouts_create_missing",
    "payouts_redispatch",
    "payouts_send_due",
    "payouts_send_ids",
    "payouts_send_leased",
    "qa_review_record",
]
