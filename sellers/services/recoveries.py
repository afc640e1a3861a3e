"""Recoveries: what a seller owes the marketplace for a claim it paid, and how it is settled.

``recovery_open``, ``withholding_record`` and ``recovery_settle`` are the single places where a
receivable is created, reduced and closed: the ledger postings (payouts app) belong in them.
Every step writes a ``recovery`` event on the claim's timeline.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.events import claim_event_add
from claims.lifecycle import NOTHING_PAID_STATUSES
from claims.models import MARKETPLACE_FUNDING, Claim, EventKind, Funding
from claims.money import format_minor
from claims.outbox import outbox_add
from sellers.exceptions import RecoveryError
from sellers.models import Recovery, RecoveryStatus, Withholding
from sellers.services.ledger import recovery_ledger_sync, withholding_ledger_post

NOTHING_PAID = NOTHING_PAID_STATUSES
# The steps the seller is e-mailed about (sellers.handlers.notify_recovery).
SELLER_TOLD = frozenset({"opened", "amount", "withheld", "appeal_upheld", "appeal_rejected"})


def _event(*, recovery: Recovery, actor: Actor, step: str, reason: str = "", now=None, **data):
    event = claim_event_add(
        claim_id=recovery.claim_id,
        kind=EventKind.RECOVERY,
        actor=actor,
        reason=reason,
        data={"recovery_id": recovery.pk, "step": step, **data},
        now=now,
    )
    if step in SELLER_TOLD:
        outbox_add(
            topic="sellers.notify_recovery",
            payload={"recovery_id": recovery.pk, "event_id": event.pk},
            dedupe_key=f"sellers.notify_recovery:{event.pk}",
        )
    return event


def _appeal_due(claim: Claim, now: dt.datetime) -> dt.datetime | None:
    """The seller's appeal window opens when a decision fixes the amount, not before."""
    if claim.approved_total_minor is None:
        return None
    return now + dt.timedelta(days=claim.region.appeal_window_days)


def recovery_open(
    *, claim: Claim, reason: str, actor: Actor, now: dt.datetime | None = None
) -> Recovery | None:
    """Open the receivable for what the marketplace pays on ``claim`` (once per reason).

    The amount is the approved total once decided, the claimed total until then (it follows
    the decision: see ``recovery_sync``). Returns ``None`` if it was already open.
    The ledger's receivable is posted once the claim is decided (``recovery_ledger_sync``).
    """
    now = now or timezone.now()
    amount = (
        claim.approved_total_minor
        if claim.approved_total_minor is not None
        else claim.claimed_total_minor
    )
    try:
        with transaction.atomic():
            recovery = Recovery.objects.create(
                claim=claim,
                seller_id=claim.seller_id,
                reason=reason,
                currency=claim.currency,
                amount_minor=amount,
                opened_at=now,
                appeal_due=_appeal_due(claim, now),
            )
    except IntegrityError:
        return None  # already open for this claim and reason: a re-run changes nothing
    _event(
        recovery=recovery,
        actor=actor,
        step="opened",
        reason=str(recovery.reason_text),  # true when written: paid, or not decided yet
        now=now,
        amount_minor=amount,
        currency=claim.currency,
        decided=recovery.decided,  # what the seller's e-mail may say it owes
    )
    recovery_ledger_sync(recovery=recovery)
    return recovery


@transaction.atomic
def recovery_sync(*, claim_id: int) -> int:
    """Follow the claim's decision: the approved amount is what is owed; denied or withdrawn
    claims owe nothing. Returns how many recoveries changed."""
    claim = Claim.objects.select_related("region").get(pk=claim_id)
    now = timezone.now()
    changed = 0
    for recovery in Recovery.objects.select_for_update().filter(
        claim=claim, status__in=[RecoveryStatus.OPEN, RecoveryStatus.APPEALED]
    ):
        marketplace_pays = claim.funding in MARKETPLACE_FUNDING
        if (
            claim.status in NOTHING_PAID
            or claim.approved_total_minor == 0
            or (claim.approved_total_minor is not None and not marketplace_pays)
        ) and recovery.withheld_minor == 0:
            Recovery.objects.filter(pk=recovery.pk).update(status=RecoveryStatus.CANCELLED)
            _event(
                recovery=recovery,
                actor=Actor.system("recovery"),
                step="cancelled",
                reason=_("The marketplace pays nothing on this claim."),
            )
            changed += 1
        elif (
            claim.approved_total_minor is not None
            and (claim.approved_total_minor != recovery.amount_minor or recovery.appeal_due is None)
            and claim.approved_total_minor >= recovery.withheld_minor
        ):
            # The decision fixes the amount: the seller's appeal window opens (again) now.
            appeal_due = _appeal_due(claim, now)
            Recovery.objects.filter(pk=recovery.pk).update(
                amount_minor=claim.approved_total_minor, appeal_due=appeal_due
            )
            _event(
                recovery=recovery,
                actor=Actor.system("recovery"),
                step="amount",
                now=now,
                amount_minor=claim.approved_total_minor,
                was_minor=recovery.amount_minor,
                currency=recovery.currency,
                appeal_due=appeal_due.isoformat(),
            )
            changed += 1
        # Decided, changed or cancelled: the ledger follows what is now owed.
        recovery_ledger_sync(recovery=recovery)
    return changed


def withholding_record(
    *,
    recovery: Recovery,
    amount_minor: int,
    currency: str,
    disbursement_reference: str,
    recorded_by=None,
    now: dt.datetime | None = None,
) -> Withholding | None:
    """Record an amount kept back from a disbursement. Once per disbursement reference.

    Refuses (``RecoveryError``, nothing changed) amounts over what is outstanding, in another
    currency, or on a recovery under appeal or closed. Settles the recovery when fully withheld.
    Posts the withholding to the ledger (cash in, seller receivable down).
    """
    now = now or timezone.now()
    reference = disbursement_reference.strip()
    if not reference:
        raise RecoveryError(_("Give the disbursement reference."))
    if amount_minor <= 0:
        raise RecoveryError(_("The amount withheld must be more than zero."))
    with transaction.atomic():
        locked = Recovery.objects.select_for_update().get(pk=recovery.pk)
        if Withholding.objects.filter(recovery=locked, disbursement_reference=reference).exists():
            return None  # the disbursement system reported it twice
        if locked.status != RecoveryStatus.OPEN:
            raise RecoveryError(
                _("Recovery for %(ref)s is %(status)s: nothing can be withheld.")
                % {"ref": locked.claim.reference, "status": locked.get_status_display()}
            )
        if locked.appeal_due is None:
            raise RecoveryError(
                _("Claim %(ref)s is not decided yet: nothing is owed until it is.")
                % {"ref": locked.claim.reference}
            )
        if currency != locked.currency:
            raise RecoveryError(
                _("This recovery is in %(currency)s.") % {"currency": locked.currency}
            )
        if amount_minor > locked.outstanding_minor:
            raise RecoveryError(
                _("Only %(left)s is outstanding on this recovery.")
                % {"left": locked.outstanding_display}
            )
        withholding = Withholding.objects.create(
            recovery=locked,
            currency=currency,
            amount_minor=amount_minor,
            disbursement_reference=reference,
            recorded_by=recorded_by,
            created_at=now,
        )
        Recovery.objects.filter(pk=locked.pk).update(
            withheld_minor=F("withheld_minor") + amount_minor
        )
        withholding_ledger_post(withholding=withholding)
        actor = Actor.staff(recorded_by) if recorded_by else Actor.system("disbursements")
        _event(
            recovery=locked,
            actor=actor,
            step="withheld",
            reason=reference,
            now=now,
            amount_minor=amount_minor,
            currency=currency,
        )
        locked.refresh_from_db()
        if locked.outstanding_minor == 0:
            recovery_settle(recovery=locked, actor=actor, now=now)
    return withholding


@transaction.atomic
def recovery_settle(*, recovery: Recovery, actor: Actor, now: dt.datetime | None = None) -> bool:
    """Close a fully withheld recovery (the withholdings already cleared the receivable)."""
    now = now or timezone.now()
    changed = Recovery.objects.filter(
        pk=recovery.pk, status=RecoveryStatus.OPEN, withheld_minor=F("amount_minor")
    ).update(status=RecoveryStatus.SETTLED, settled_at=now)
    if changed:
        _event(recovery=recovery, actor=actor, step="settled", now=now)
    return bool(changed)


@transaction.atomic
def recovery_appeal(
    *, recovery: Recovery, actor: Actor, reason: str, now: dt.datetime | None = None
) -> Recovery:
    """The seller appeals within the region's window; withholding pauses until staff decide."""
    now = now or timezone.now()
    if not reason.strip():
        raise RecoveryError(_("Tell us why you should not owe this amount."))
    locked = Recovery.objects.select_for_update().get(pk=recovery.pk)
    if locked.status != RecoveryStatus.OPEN:
        raise RecoveryError(
            _("This recovery is %(status)s and cannot be appealed.")
            % {"status": locked.get_status_display()}
        )
    if locked.appeal_due is not None and now > locked.appeal_due:
        raise RecoveryError(_("The appeal window for this recovery has closed."))
    Recovery.objects.filter(pk=locked.pk).update(
        status=RecoveryStatus.APPEALED, appeal_reason=reason.strip(), appealed_at=now
    )
    _event(recovery=locked, actor=actor, step="appealed", reason=reason.strip(), now=now)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def recovery_decide(*, recovery: Recovery, actor: Actor, uphold: bool, note: str) -> Recovery:
    """Staff decide an appeal: uphold it (the recovery is waived) or reject it (it re-opens).

    A waiver writes off what is still outstanding in the ledger.
    """
    if not actor.has_perm("sellers.decide_recovery"):
        raise RecoveryError(_("You do not have permission to decide recovery appeals."))
    if not note.strip():
        raise RecoveryError(_("Explain the decision to the seller."))
    locked = Recovery.objects.select_for_update().get(pk=recovery.pk)
    if locked.status != RecoveryStatus.APPEALED:
        raise RecoveryError(_("Only a recovery under appeal can be decided."))
    status = RecoveryStatus.WAIVED if uphold else RecoveryStatus.OPEN
    Recovery.objects.filter(pk=locked.pk, status=RecoveryStatus.APPEALED).update(
        status=status, decided_at=timezone.now(), decision_note=note.strip()
    )
    _event(
        recovery=locked,
        actor=actor,
        step="appeal_upheld" if uphold else "appeal_rejected",
        reason=note.strip(),
        outstanding=format_minor(locked.outstanding_minor, locked.currency),
    )
    locked.refresh_from_db()
    recovery_ledger_sync(recovery=locked)
    return locked


@transaction.atomic
def recovery_follow_decision(*, claim: Claim, actor: Actor) -> None:
    """After a decision: every step-in has one recovery for exactly the approved amount, whose
    appeal window opens now; other recoveries follow the decision (``recovery_sync``)."""
    if claim.funding == Funding.STEP_IN and claim.approved_total_minor:
        from sellers.models import RecoveryReason

        recovery_open(claim=claim, reason=RecoveryReason.STEP_IN, actor=actor)
    recovery_sync(claim_id=claim.pk)
