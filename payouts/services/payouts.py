"""Payouts: exactly one per approved claim, sent once per idempotency key, posted to the ledger.

The path of the money:

1. A claim entering APPROVED records the outbox topic ``payouts.create``. Its handler calls
   ``payout_create_for_claim``: one ``Payout`` (unique per claim while live, idempotency key
   ``PO-<claim reference>-<number>``), the accrual posting, and the claim moves to
   PAYOUT_PENDING, all in one transaction. On commit the send job is woken.
2. ``payouts_send_due`` (Celery, also on beat) leases a bounded batch of due payouts with a
   conditional update; ``payout_send`` sends one. For each: re-read the claim (never pay a claim
   that is no longer PAYOUT_PENDING, e.g. pulled back to review or put on fraud hold), then call
   the adapter with no transaction open and no row locked, then in one short transaction:
   mark the payout PAID with the provider's reference, post the payment, move the claim to PAID.
3. A temporary failure puts the payout back to PENDING with ``next_attempt_at`` pushed out
   exponentially; after ``PAYOUT_MAX_ATTEMPTS`` (or a permanent refusal) ``payout_mark_failed``
   moves it to FAILED for staff: correct the payee details, then ``payout_resend`` (same key).
4. A worker that dies mid-send leaves the payout SENDING with a lease; once the lease runs out
   the job takes it again and resends with the same key, which the provider answers with the
   first payment: the customer is paid once.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.models import Claim, ClaimStatus, EventKind
from claims.services import _event, claim_transition
from payouts.adapters import (
    PaymentInstruction,
    PermanentFailure,
    TemporaryFailure,
    get_adapter,
)
from payouts.exceptions import PayoutError
from payouts.ledger import accrual_lines, ledger_post, ledger_reverse, payment_lines
from payouts.models import (
    ACTIVE_PAYOUT_STATUSES,
    LedgerTransaction,
    PayeeDetails,
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


def payout_create_for_claim(*, claim_id: int, now: dt.datetime | None = None) -> Payout | None:
    """Create the claim's payout and move it to PAYOUT_PENDING. Safe to run any number of times.

    Does nothing (returns None) unless the claim is APPROVED: a claim put on fraud hold,
    withdrawn or pulled back to review before this runs gets no payout.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim_id)
        active = (
            Payout.objects.filter(claim=claim).exclude(status__in=(P.RETURNED, P.CANCELLED)).first()
        )
        if claim.status != ClaimStatus.APPROVED:
            return active
        if active is None:
            number = (Payout.objects.filter(claim=claim).aggregate(n=Max("number"))["n"] or 0) + 1
            if not claim.approved_total_minor:
                raise PayoutError(
                    _("Claim %(ref)s has no approved amount.") % {"ref": claim.reference}
                )
            try:
                with transaction.atomic():
                    active = Payout.objects.create(
                        claim=claim,
                        number=number,
                        idempotency_key=_key(claim, number),
                        amount_minor=claim.approved_total_minor,
                        currency=claim.currency,
                        funding=claim.funding,
                        next_attempt_at=now,
                        created_at=now,
                        updated_at=now,
                    )
            except IntegrityError:
                return Payout.objects.get(claim=claim, number=number)  # someone else created it
            ledger_post(
                kind=TransactionKind.ACCRUAL,
                currency=active.currency,
                lines=accrual_lines(funding=active.funding, amount=active.amount_minor),
                idempotency_key=f"{active.idempotency_key}:accrual",
                claim=claim,
                payout=active,
                memo=f"{claim.reference} approved ({claim.funding})",
            )
        claim_transition(
            claim=claim,
            to=ClaimStatus.PAYOUT_PENDING,
            actor=SYSTEM,
            reason=_("Payout %(key)s created.") % {"key": active.idempotency_key},
            data={"payout_id": active.pk, "idempotency_key": active.idempotency_key},
            now=now,
        )
        _wake_send_job()
    return active


# --- sending ----------------------------------------------------------------


def _lease_filter(now: dt.datetime) -> Q:
    return Q(status=P.PENDING, next_attempt_at__lte=now) | Q(status=P.SENDING, locked_until__lt=now)


def _lease(*, payout_id: int, now: dt.datetime) -> bool:
    return bool(
        Payout.objects.filter(_lease_filter(now), pk=payout_id).update(
            status=P.SENDING,
            locked_until=now + settings.PAYOUT_LEASE,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )


def _instruction(payout: Payout, payee: PayeeDetails) -> PaymentInstruction:
    return PaymentInstruction(
        idempotency_key=payout.idempotency_key,
        amount_minor=payout.amount_minor,
        currency=payout.currency,
        payee_kind=payee.kind,
        holder_name=payee.holder_name,
        bank_code=payee.bank_code,
        account_number=payee.account_number,
        card_token=payee.card_token,
        remittance=f"Claim {payout.claim.reference}",
    )


def payout_send(*, payout_id: int, adapter=None, now: dt.datetime | None = None) -> str:
    """Send one payout if it is due (or its sender's lease ran out). Returns what happened:
    ``skipped``, ``paid``, ``retry``, ``failed`` or ``cancelled``. Safe to run twice."""
    now = now or timezone.now()
    if not _lease(payout_id=payout_id, now=now):
        return "skipped"  # paid, failed, not due yet, or another worker holds it
    return _send_leased(payout_id=payout_id, adapter=adapter or get_adapter())


def payouts_send_due(
    *, limit: int | None = None, adapter=None, now: dt.datetime | None = None
) -> int:
    """Lease a bounded batch of due payouts and send them. Returns how many were leased.

    Workers running this at the same time take different payouts (``SKIP LOCKED`` on
    PostgreSQL, the conditional update everywhere).
    """
    now = now or timezone.now()
    limit = limit or settings.PAYOUT_BATCH_SIZE
    with transaction.atomic():
        ids = list(
            Payout.objects.select_for_update(skip_locked=True)
            .filter(_lease_filter(now))
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Payout.objects.filter(_lease_filter(now), pk__in=ids).update(
                status=P.SENDING,
                locked_until=now + settings.PAYOUT_LEASE,
                attempts=F("attempts") + 1,
                updated_at=now,
            )
    adapter = adapter or get_adapter()
    for payout_id in ids:
        _send_leased(payout_id=payout_id, adapter=adapter)
    return len(ids)


def _send_leased(*, payout_id: int, adapter) -> str:
    payout = Payout.objects.select_related("claim").get(pk=payout_id)
    if payout.status != P.SENDING:
        return "skipped"
    claim = payout.claim
    if claim.status != ClaimStatus.PAYOUT_PENDING:
        # Pulled back to review, on fraud hold, or anything else: never release the money.
        payout_cancel(
            payout=payout,
            actor=SYSTEM,
            reason=_("The claim is %(status)s, not awaiting payout.")
            % {"status": claim.get_status_display()},
            from_status=P.SENDING,
        )
        return "cancelled"
    payee = PayeeDetails.objects.filter(customer_id=claim.customer_id).first()
    if payee is None:
        payout_mark_failed(
            payout_id=payout.pk,
            code="NOPAYEE",
            message=_("The customer has no payee details."),
            from_status=P.SENDING,
        )
        return "failed"
    # The provider call: no transaction open, no row locked (the lease is a column, not a lock).
    try:
        result = adapter.send(_instruction(payout, payee))
    except TemporaryFailure as exc:
        return _retry_later(payout=payout, error=str(exc))
    except PermanentFailure as exc:
        payout_mark_failed(
            payout_id=payout.pk, code=exc.code, message=exc.message, from_status=P.SENDING
        )
        return "failed"
    _record_paid(payout=payout, adapter_name=adapter.name, reference=result.reference)
    return "paid"


def _retry_later(*, payout: Payout, error: str) -> str:
    fresh = Payout.objects.get(pk=payout.pk)
    if fresh.attempts >= settings.PAYOUT_MAX_ATTEMPTS:
        payout_mark_failed(
            payout_id=payout.pk,
            code="TEMPFAIL",
            message=_("Gave up after %(n)d attempts: %(error)s")
            % {"n": fresh.attempts, "error": error},
            from_status=P.SENDING,
        )
        return "failed"
    backoff = settings.PAYOUT_RETRY_BASE * 2 ** max(fresh.attempts - 1, 0)
    now = timezone.now()
    Payout.objects.filter(pk=payout.pk, status=P.SENDING).update(
        status=P.PENDING,
        locked_until=None,
        next_attempt_at=now + min(backoff, dt.timedelta(hours=6)),
        failure_message=error[:2000],
        updated_at=now,
    )
    return "retry"


def _record_paid(*, payout: Payout, adapter_name: str, reference: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        # SENDING, or PENDING again if a lease ran out and a retry was scheduled meanwhile.
        changed = Payout.objects.filter(pk=payout.pk, status__in=(P.SENDING, P.PENDING)).update(
            status=P.PAID,
            provider_reference=reference,
            adapter=adapter_name,
            paid_at=now,
            locked_until=None,
            failure_code="",
            failure_message="",
            updated_at=now,
        )
        if not changed:
            return  # another worker recorded this payment first
        ledger_post(
            kind=TransactionKind.PAYOUT,
            currency=payout.currency,
            lines=payment_lines(amount=payout.amount_minor),
            idempotency_key=f"{payout.idempotency_key}:paid",
            claim=payout.claim,
            payout=payout,
            memo=f"{payout.claim.reference} paid, {adapter_name} {reference}",
        )
        claim = Claim.objects.select_for_update().get(pk=payout.claim_id)
        text = _("Paid, provider reference %(ref)s.") % {"ref": reference}
        data = {"payout_id": payout.pk, "provider_reference": reference}
        if claim.status == ClaimStatus.PAYOUT_PENDING:
            claim_transition(
                claim=claim, to=ClaimStatus.PAID, actor=SYSTEM, reason=text, data=data, now=now
            )
        else:
            # The claim moved while the provider was paying: the money has moved all the same,
            # so record it and tell staff rather than pretend it did not happen.
            _event(
                claim=claim,
                actor=SYSTEM,
                kind=EventKind.NOTE,
                reason=_("%(text)s The claim was %(status)s at the time: check it.")
                % {"text": text, "status": claim.get_status_display()},
                data=data,
            )


def payout_mark_failed(
    *, payout_id: int, code: str, message: str, from_status: str | None = None
) -> bool:
    """Park a payout for staff (the final failure of the send task lands here too)."""
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
            _event(
                claim=payout.claim,
                actor=SYSTEM,
                kind=EventKind.NOTE,
                reason=_("Payout %(key)s failed (%(code)s): %(message)s")
                % {"key": payout.idempotency_key, "code": code, "message": message},
                data={"payout_id": payout_id, "failure_code": code},
            )
    return bool(changed)


def payout_resend(*, payout: Payout, actor: Actor, reason: str = "") -> Payout:
    """Send a failed payout again, with the same idempotency key (after correcting the payee)."""
    if not actor.has_perm("payouts.release_payout"):
        raise PayoutError(_("You do not have permission to release payouts."))
    with transaction.atomic():
        now = timezone.now()
        changed = Payout.objects.filter(pk=payout.pk, status=P.FAILED).update(
            status=P.PENDING, attempts=0, next_attempt_at=now, updated_at=now
        )
        payout.refresh_from_db()
        if not changed:
            raise PayoutError(
                _("Payout %(key)s is %(status)s; only failed payouts can be resent.")
                % {"key": payout.idempotency_key, "status": payout.get_status_display().lower()}
            )
        _event(
            claim=payout.claim,
            actor=actor,
            kind=EventKind.NOTE,
            reason=reason or _("Payout %(key)s resent.") % {"key": payout.idempotency_key},
            data={"payout_id": payout.pk},
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
        _event(
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
        text = _("Payout %(key)s returned (%(code)s) %(reason)s") % {
            "key": payout.idempotency_key,
            "code": reason_code,
            "reason": reason,
        }
        if claim.status == ClaimStatus.PAID:
            claim_transition(
                claim=claim,
                to=ClaimStatus.UNDER_REVIEW,
                actor=actor,
                reason=text,
                data={"payout_id": payout.pk, "return_code": reason_code},
            )
        else:
            # A closed claim cannot re-open; the return stays on its timeline for staff.
            _event(
                claim=claim,
                actor=actor,
                kind=EventKind.NOTE,
                reason=text,
                data={"payout_id": payout.pk, "return_code": reason_code},
            )
    return payout


def payouts_redispatch(*, now: dt.datetime | None = None) -> int:
    """Sweeper: create payouts that approved claims are still missing (their outbox message
    given up on), and wake the send job if anything is due (a message lost, a worker killed).
    Returns how many payouts are due."""
    from payouts.tasks import dispatch_send_due

    now = now or timezone.now()
    missing = (
        Claim.objects.filter(
            status=ClaimStatus.APPROVED,
            status_changed_at__lt=now - settings.PAYOUT_CREATE_AFTER,
        )
        .exclude(payouts__status__in=ACTIVE_PAYOUT_STATUSES)
        .order_by("status_changed_at")
        .values_list("pk", flat=True)[: settings.PAYOUT_BATCH_SIZE]
    )
    for claim_id in list(missing):
        payout_create_for_claim(claim_id=claim_id, now=now)
    due = Payout.objects.filter(_lease_filter(now)).count()
    if due:
        batches = -(-due // settings.PAYOUT_BATCH_SIZE)
        for _i in range(min(batches, settings.PAYOUT_SWEEP_FANOUT)):
            if not dispatch_send_due():
                break
    return due
