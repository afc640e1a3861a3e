"""Payouts one at a time, for staff and for the outcomes the pipeline records: a payout failed
(parked for staff), resent with the same key, cancelled (accrual reversed) or returned by the
bank (postings reversed, claim re-opened). The pipeline itself (create, send, record, in
batches) is ``payouts.services.pipeline``.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.eligibility import open_claims
from claims.events import claim_event_add
from claims.lifecycle import Via
from claims.models import Claim, ClaimStatus, EventKind
from claims.services import claim_transition
from payouts.exceptions import PayoutError
from payouts.failures import (
    failure_blames_payee_account,
    payout_failed_text,
    payout_returned_text,
)
from payouts.ledger import ledger_reverse
from payouts.models import (
    LedgerTransaction,
    PayeeEvent,
    Payout,
    PayoutStatus,
    TransactionKind,
)

logger = logging.getLogger(__name__)
SYSTEM = Actor.system("payouts")
P = PayoutStatus


def _key(claim: Claim, number: int) -> str:
    return f"PO-{claim.reference}-{number}"


def _wake_send_job() -> None:
    from payouts.tasks import dispatch_send_due

    transaction.on_commit(dispatch_send_due)


def payout_mark_failed(
    *, payout_id: int, code: str, message: str, from_status: str | None = None
) -> bool:
    """Park a payout for staff: the provider refused it, the customer has no payee details,
    or its temporary failures used up ``PAYOUT_MAX_ATTEMPTS``."""
    statuses = (from_status,) if from_status else (P.PENDING, P.SENDING)
    with transaction.atomic():
        changed = Payout.objects.filter(pk=payout_id, status__in=statuses).update(
            status=P.FAILED,
            locked_until=None,
            failure_code=code[:40],
            failure_message=message[:2000],
            updated_at=timezone.now(),
        )
        if changed:
            payout = Payout.objects.select_related("claim").get(pk=payout_id)
            claim_event_add(
                claim=payout.claim,
                actor=SYSTEM,
                kind=EventKind.NOTE,
                reason=payout_failed_text(key=payout.idempotency_key, code=code, message=message),
                # what the timeline needs to say it again in each reader's language
                data={
                    "payout_id": payout_id,
                    "payout_key": payout.idempotency_key,
                    "failure_code": code,
                    "message": message,
                },
            )
    return bool(changed)


def _payee_changed_since_failure(payout: Payout) -> bool:
    """Whether the customer's payment details changed after ``payout`` failed: its
    ``updated_at`` is the failure's time while it is failed (nothing else writes a failed
    payout), and every change of details is a ``PayeeEvent``."""
    return PayeeEvent.objects.filter(
        customer__claims__id=payout.claim_id, created_at__gt=payout.updated_at
    ).exists()


def payout_resend(*, payout: Payout, actor: Actor, reason: str = "") -> Payout:
    """Send a failed payout again, with the same idempotency key.

    A payout refused for the payee's account itself (closed, wrong number, name mismatch...:
    ``payouts.failures.FAILURE_CODES``) is refused again on the same details, so it is resent
    only once the payee changed since it failed; one that failed for a passing reason (timeouts, the
    provider unavailable) is resent as it is. The rule is here, for every caller."""
    if not actor.has_perm("payouts.release_payout"):
        raise PayoutError(_("You do not have permission to release payouts."))
    with transaction.atomic():
        payout.refresh_from_db()
        if (
            payout.status == P.FAILED
            and failure_blames_payee_account(payout.failure_code)
            and not _payee_changed_since_failure(payout)
        ):
            raise PayoutError(
                _(
                    "Payout %(key)s was refused for the payee's account (%(reason)s) "
                    "and the payment details have not changed since: correct the payee first, "
                    "then resend it."
                )
                % {"key": payout.idempotency_key, "reason": payout.failure_reason}
            )
        now = timezone.now()
        # Still the failure checked above (compare-and-swap on its time).
        changed = Payout.objects.filter(
            pk=payout.pk, status=P.FAILED, updated_at=payout.updated_at
        ).update(status=P.PENDING, attempts=0, next_attempt_at=now, updated_at=now)
        payout.refresh_from_db()
        if not changed:
            raise PayoutError(
                _("Payout %(key)s is %(status)s; only failed payouts can be resent.")
                % {"key": payout.idempotency_key, "status": payout.get_status_display().lower()}
            )
        claim_event_add(
            claim=payout.claim,
            actor=actor,
            kind=EventKind.NOTE,
            reason=reason or _("Payout %(key)s resent.") % {"key": payout.idempotency_key},
            # the payout's page names the step (payouts.failures.payout_step_text)
            data={"payout_id": payout.pk, "payout_action": "resend"},
        )
        _wake_send_job()
    return payout


def payout_cancel(
    *, payout: Payout, actor: Actor, reason: str, from_status: str | None = None
) -> Payout:
    """Stop a payout that was not paid: its accrual is reversed; the claim keeps its state."""
    if actor.party != "system" and not actor.has_perm("payouts.release_payout"):
        raise PayoutError(_("You do not have permission to cancel payouts."))
    statuses = (from_status,) if from_status else (P.PENDING, P.FAILED)
    with transaction.atomic():
        changed = Payout.objects.filter(pk=payout.pk, status__in=statuses).update(
            status=P.CANCELLED, locked_until=None, updated_at=timezone.now()
        )
        payout.refresh_from_db()
        if not changed:
            raise PayoutError(
                _("Payout %(key)s is %(status)s and cannot be cancelled.")
                % {"key": payout.idempotency_key, "status": payout.get_status_display().lower()}
            )
        _reverse_postings(payout=payout)
        claim_event_add(
            claim=payout.claim,
            actor=actor,
            kind=EventKind.NOTE,
            reason=_("Payout %(key)s cancelled: %(reason)s")
            % {"key": payout.idempotency_key, "reason": reason},
            data={"payout_id": payout.pk},
        )
    return payout


def _reverse_postings(*, payout: Payout) -> None:
    for original in (
        LedgerTransaction.objects.filter(payout=payout)
        .exclude(kind=TransactionKind.REVERSAL)
        .order_by("id")
    ):
        ledger_reverse(original=original, idempotency_key=f"{original.idempotency_key}:reversal")


def payout_return(*, payout: Payout, actor: Actor, reason_code: str, reason: str = "") -> Payout:
    """A paid payout came back (bank return, chargeback): reverse its postings and re-open the
    claim for review. Nothing is deleted. Returning it twice changes nothing."""
    if actor.party != "system" and not actor.has_perm("payouts.release_payout"):
        raise PayoutError(_("You do not have permission to record returned payouts."))
    with transaction.atomic():
        now = timezone.now()
        changed = Payout.objects.filter(pk=payout.pk, status=P.PAID).update(
            status=P.RETURNED,
            returned_at=now,
            failure_code=reason_code[:40],
            failure_message=reason[:2000],
            updated_at=now,
        )
        payout.refresh_from_db()
        if not changed:
            if payout.status == P.RETURNED:
                return payout
            raise PayoutError(
                _("Payout %(key)s is %(status)s; only paid payouts can be returned.")
                % {"key": payout.idempotency_key, "status": payout.get_status_display().lower()}
            )
        _reverse_postings(payout=payout)
        claim = payout.claim
        text = payout_returned_text(key=payout.idempotency_key, code=reason_code, message=reason)
        data = {
            "payout_id": payout.pk,
            "payout_key": payout.idempotency_key,
            "return_code": reason_code,
            "message": reason,
        }
        # A paid claim frees its order line, so the customer may have filed a new claim on it
        # since: then this one cannot re-open (one open claim per line) and, like a closed one,
        # keeps the return on its timeline for staff.
        reopen = (
            claim.status == ClaimStatus.PAID
            and not open_claims()
            .filter(order_line_id=claim.order_line_id)
            .exclude(pk=claim.pk)
            .exists()
        )
        if reopen:
            claim_transition(
                claim=claim,
                to=ClaimStatus.UNDER_REVIEW,
                via=Via.PAYOUT,
                actor=actor,
                reason=text,
                data=data,
            )
        else:
            # A closed claim cannot re-open; the return stays on its timeline for staff.
            claim_event_add(
                claim=claim,
                actor=actor,
                kind=EventKind.NOTE,
                reason=text,
                data=data,
            )
    return payout
