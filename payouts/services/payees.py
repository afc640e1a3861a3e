"""Payee details: where a customer's money goes, and who may change it.

- The customer gives or changes them on their own claim page (``payee_submit_by_customer``):
  in effect at once, nothing held (the sign-in link went to the customer's own e-mail).
- A staff member can only *ask* for a change (``payee_change_request``); a second staff member
  with ``approve_payee_change`` approves it (``payee_change_approve``; never the one who asked,
  a database check too), and then payouts to the new account wait for the region's cooling-off
  period (``ApprovalPolicy.payee_cooling_off_hours``) unless the customer confirms the details
  on their page (``payee_confirm_by_customer``) or replaces them.
- ``payee_set`` is the system's own path (imports, tests); staff can not use it.

Every change is an append-only ``PayeeEvent`` (masked before and after), an event on each of
the customer's open claims (through ``claims.events``), an e-mail to the customer
(outbox topic ``payouts.payee_notice``) and a payout-account link for the fraud rules. Payouts
that were waiting for details, or held, are woken when the details allow it.
"""

import datetime as dt
import hashlib
import hmac
import re

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.events import EventSpec, claim_events_add
from claims.models import FINISHED_STATUSES, Claim, EventKind, Party
from claims.outbox import outbox_add
from payouts.bank_details import BankDetails
from payouts.exceptions import PayoutError
from payouts.four_eyes import four_eyes_check
from payouts.models import (
    ApprovalPolicy,
    PayeeChange,
    PayeeChangeStatus,
    PayeeDetails,
    PayeeEvent,
    PayeeKind,
    Payout,
    PayoutStatus,
)

# Failure codes of a payout that waits (PENDING) rather than fails: no details yet, or new
# details still in their cooling-off period. They are set and cleared only here and in the
# pipeline.
WAIT_NO_PAYEE = "WAITPAYEE"
WAIT_HOLD = "PAYEEHOLD"
WAITING_CODES = (WAIT_NO_PAYEE, WAIT_HOLD)


def _clean(*, kind: str, holder_name: str, bank_code: str, account_number: str, card_token: str):
    holder_name = holder_name.strip()
    bank_code = re.sub(r"\s+", "", bank_code).upper()
    account_number = re.sub(r"[\s-]+", "", account_number).upper()
    card_token = card_token.strip()
    errors = []
    if not holder_name:
        errors.append(_("Enter the account holder's name."))
    if kind == PayeeKind.BANK_ACCOUNT:
        if not re.fullmatch(r"\d{9}|\d{6}|[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", bank_code):
            errors.append(_("Enter a 9-digit routing number, a sort code or a BIC."))
        if not re.fullmatch(r"[A-Z0-9]{4,34}", account_number):
            errors.append(_("Enter an account number or IBAN (4 to 34 letters and digits)."))
        card_token = ""
    elif kind == PayeeKind.CARD_TOKEN:
        if not re.fullmatch(r"tok_[A-Za-z0-9_]{8,60}", card_token):
            errors.append(_("Enter the card token the card network issued (tok_…)."))
        bank_code = account_number = ""
    else:
        errors.append(_("Choose a bank account or a card token."))
    if errors:
        raise PayoutError(" ".join(errors))
    return holder_name, bank_code, account_number, card_token


def fingerprint_of(*, kind: str, bank_code: str, account_number: str, card_token: str) -> str:
    """A stable, keyed hash of where the money goes: equal for equal accounts, and useless to
    anyone without the project's secret key (the fraud rules compare it, never the number)."""
    target = f"{kind}:{bank_code}:{account_number}:{card_token}"
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, target.encode(), hashlib.sha256).hexdigest()[:32]


def payee_fingerprint(payee: PayeeDetails) -> str:
    return payee.fingerprint or fingerprint_of(
        kind=payee.kind,
        bank_code=payee.bank_code,
        account_number=payee.account_number,
        card_token=payee.card_token,
    )


def cooling_off_for(customer) -> dt.timedelta:
    """The cooling-off of the region of the customer's latest claim (policy data)."""
    region_id = (
        Claim.objects.filter(customer=customer)
        .order_by("-created_at")
        .values_list("region_id", flat=True)
        .first()
    )
    policy = ApprovalPolicy.objects.filter(region_id=region_id).first() if region_id else None
    hours = (
        policy.payee_cooling_off_hours
        if policy is not None
        else settings.PAYEE_COOLING_OFF_DEFAULT_HOURS
    )
    return dt.timedelta(hours=hours)


# --- the one writer of PayeeDetails ----------------------------------------------------------


def _apply(
    *,
    customer,
    actor: Actor,
    kind: str,
    scheme: str,
    holder_name: str,
    bank_code: str,
    account_number: str,
    card_token: str,
    confirmed_by_customer: bool,
    hold_until: dt.datetime | None,
    reason: str,
    now: dt.datetime,
    change: PayeeChange | None = None,
) -> PayeeDetails:
    payee = PayeeDetails.objects.select_for_update().filter(customer=customer).first()
    before = payee.masked if payee else ""
    if payee is None:
        payee = PayeeDetails(customer=customer)
    payee.kind = kind
    payee.scheme = scheme
    payee.holder_name = holder_name
    payee.bank_code = bank_code
    payee.account_number = account_number
    payee.card_token = card_token
    payee.last4 = (account_number or card_token)[-4:]
    payee.fingerprint = fingerprint_of(
        kind=kind, bank_code=bank_code, account_number=account_number, card_token=card_token
    )
    payee.confirmed_by_customer = confirmed_by_customer
    payee.hold_until = hold_until
    payee.updated_at = now
    payee.full_clean(exclude=["customer"])
    payee.save()
    event = PayeeEvent.objects.create(
        customer=customer,
        actor=actor.user,
        actor_label=actor.label,
        before=before,
        after=payee.masked,
        reason=reason,
        created_at=now,
    )
    data = {
        "payee": {
            "before": before,
            "after": payee.masked,
            "by": actor.party,
            "hold_until": hold_until.isoformat() if hold_until else None,
            "payee_event_id": event.pk,
        }
    }
    if change is not None:
        data["payee"]["change_id"] = change.pk
    if actor.party == Party.CUSTOMER:
        text = _("You changed your payment details: now %(after)s.") % {"after": payee.masked}
    else:
        text = _("Your payment details were changed by our staff: now %(after)s.") % {
            "after": payee.masked
        }
    _claim_events(customer=customer, actor=actor, kind=EventKind.MESSAGE, text=text, data=data)
    outbox_add(
        topic="payouts.payee_notice",
        payload={"payee_event_id": event.pk},
        dedupe_key=f"payouts.payee_notice:{event.pk}",
    )
    _fraud_fingerprint(customer=customer, payee=payee)
    _wake_waiting_payouts(customer=customer, payee=payee, now=now)
    return payee


def _claim_events(*, customer, actor: Actor, kind: str, text: str, data: dict) -> None:
    """One event on each of the customer's open claims, in one statement."""
    open_claims = Claim.objects.filter(customer=customer).exclude(status__in=FINISHED_STATUSES)
    claim_events_add(
        events=[
            EventSpec(claim_id=pk, kind=kind, reason=text, data=data)
            for pk in open_claims.values_list("pk", flat=True)
        ],
        actor=actor,
    )


def _wake_waiting_payouts(*, customer, payee: PayeeDetails, now: dt.datetime) -> None:
    """Payouts that waited for details (or for a hold) go when the details allow it: at once,
    or at the end of the hold. A payout failed for want of details (before payouts waited) is
    given back to the pipeline too."""
    when = payee.hold_until if payee.held_at(now) else now
    waiting = Payout.objects.filter(
        Q(status=PayoutStatus.PENDING, failure_code__in=WAITING_CODES)
        | Q(status=PayoutStatus.FAILED, failure_code="NOPAYEE"),
        claim__customer=customer,
    )
    ids = list(waiting.values_list("pk", flat=True))
    if not ids:
        return
    Payout.objects.filter(pk__in=ids).update(
        status=PayoutStatus.PENDING,
        next_attempt_at=when,
        failure_code=WAIT_HOLD if when > now else "",
        failure_message=""
        if when <= now
        else _("New payment details: held until %(at)s.") % {"at": when.isoformat()},
        updated_at=now,
    )
    if when <= now:
        from payouts.tasks import dispatch_send

        transaction.on_commit(lambda: dispatch_send(ids))


def _fraud_fingerprint(*, customer, payee: PayeeDetails) -> None:
    """Tell the fraud rules which payout account the customer's open claims now point to."""
    from fraud.scoring import fraud_attributes_record

    fingerprint = payee_fingerprint(payee)
    for claim in Claim.objects.filter(customer=customer).exclude(status__in=FINISHED_STATUSES):
        fraud_attributes_record(claim=claim, payout_fingerprint=fingerprint)


# --- the system's path ---------------------------------------------------------------------------


def payee_set(
    *,
    customer,
    actor: Actor,
    kind: str,
    holder_name: str,
    bank_code: str = "",
    account_number: str = "",
    card_token: str = "",
    reason: str = "",
    scheme: str = "",
) -> PayeeDetails:
    """Create or replace a customer's payee details as the system (imports, tests, demo).

    Staff may not: their changes are requests a second staff member approves
    (``payee_change_request``)."""
    if actor.party != Party.SYSTEM:
        raise PayoutError(
            _("Staff cannot replace payment details directly: ask for a change instead.")
        )
    holder_name, bank_code, account_number, card_token = _clean(
        kind=kind,
        holder_name=holder_name,
        bank_code=bank_code,
        account_number=account_number,
        card_token=card_token,
    )
    with transaction.atomic():
        return _apply(
            customer=customer,
            actor=actor,
            kind=kind,
            scheme=scheme,
            holder_name=holder_name,
            bank_code=bank_code,
            account_number=account_number,
            card_token=card_token,
            confirmed_by_customer=False,
            hold_until=None,
            reason=reason,
            now=timezone.now(),
        )


# --- the customer's path ---------------------------------------------------------------------


def payee_submit_by_customer(*, customer, details: BankDetails) -> PayeeDetails:
    """The customer gives or changes their details on their own page: in effect at once, no
    hold, and any staff request still waiting is superseded."""
    now = timezone.now()
    with transaction.atomic():
        PayeeChange.objects.filter(customer=customer, status=PayeeChangeStatus.PENDING).update(
            status=PayeeChangeStatus.SUPERSEDED, decided_at=now
        )
        return _apply(
            customer=customer,
            actor=Actor.customer(customer),
            kind=PayeeKind.BANK_ACCOUNT,
            scheme=details.scheme,
            holder_name=details.holder_name,
            bank_code=details.bank_code,
            account_number=details.account_number,
            card_token="",
            confirmed_by_customer=True,
            hold_until=None,
            reason=_("Given by the customer on their claim page."),
            now=now,
        )


def payee_confirm_by_customer(*, customer) -> PayeeDetails:
    """The customer confirms on their page details that staff entered: the hold ends and the
    payouts waiting for it go."""
    now = timezone.now()
    with transaction.atomic():
        payee = PayeeDetails.objects.select_for_update().filter(customer=customer).first()
        if payee is None:
            raise PayoutError(_("There are no payment details to confirm."))
        if payee.confirmed_by_customer and payee.hold_until is None:
            return payee
        payee.confirmed_by_customer = True
        payee.hold_until = None
        payee.updated_at = now
        payee.save(update_fields=["confirmed_by_customer", "hold_until", "updated_at"])
        actor = Actor.customer(customer)
        PayeeEvent.objects.create(
            customer=customer,
            actor_label=actor.label,
            before=payee.masked,
            after=payee.masked,
            reason=_("Confirmed by the customer on their claim page."),
            created_at=now,
        )
        _claim_events(
            customer=customer,
            actor=actor,
            kind=EventKind.MESSAGE,
            text=_("You confirmed your payment details: %(masked)s.") % {"masked": payee.masked},
            data={"payee": {"confirmed": payee.masked, "by": actor.party}},
        )
        _wake_waiting_payouts(customer=customer, payee=payee, now=now)
    return payee


# --- the staff's path: four eyes -------------------------------------------------------------


def payee_change_request(*, customer, user, details: BankDetails, reason: str) -> PayeeChange:
    """A staff member asks for new details. Nothing changes until a second staff member
    approves; the customer's current details keep receiving their payouts meanwhile."""
    actor = Actor.staff(user)
    if not actor.has_perm("payouts.set_payee"):
        raise PayoutError(_("You do not have permission to ask for payment detail changes."))
    reason = reason.strip()
    if not reason:
        raise PayoutError(_("Say why the payment details must change."))
    now = timezone.now()
    with transaction.atomic():
        if PayeeChange.objects.filter(customer=customer, status=PayeeChangeStatus.PENDING).exists():
            raise PayoutError(
                _("A change of this customer's payment details already awaits approval.")
            )
        change = PayeeChange(
            customer=customer,
            kind=PayeeKind.BANK_ACCOUNT,
            scheme=details.scheme,
            holder_name=details.holder_name,
            bank_code=details.bank_code,
            account_number=details.account_number,
            last4=details.last4,
            reason=reason,
            requested_by=user,
            requested_at=now,
        )
        change.save()
        _claim_events(
            customer=customer,
            actor=actor,
            kind=EventKind.NOTE,
            text=_("%(user)s asked to change the payment details to %(masked)s: %(reason)s")
            % {"user": actor.label, "masked": change.masked, "reason": reason},
            data={"payee_change": {"id": change.pk, "status": change.status}},
        )
    return change


def _decide(*, change: PayeeChange, user, status: str, note: str) -> PayeeChange:
    """Lock the request, check who decides, and record the decision (in the caller's
    transaction)."""
    change = PayeeChange.objects.select_for_update().get(pk=change.pk)
    if change.status != PayeeChangeStatus.PENDING:
        raise PayoutError(_("This change was already decided."))
    if not user.has_perm("payouts.approve_payee_change"):
        raise PayoutError(_("You do not have permission to approve payment detail changes."))
    four_eyes_check(
        requested_by_id=change.requested_by_id,
        decider_id=user.pk,
        refusal=_("You asked for this change: another member of staff must approve it."),
    )
    change.status = status
    change.decided_by = user
    change.decided_at = timezone.now()
    change.decision_note = note.strip()
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return change


def payee_change_approve(*, change: PayeeChange, user, note: str = "") -> PayeeDetails:
    """The second staff member approves: the details take effect, the customer is told, and
    payouts to them wait for the cooling-off period unless the customer confirms them."""
    now = timezone.now()
    with transaction.atomic():
        change = _decide(change=change, user=user, status=PayeeChangeStatus.APPROVED, note=note)
        hold_until = now + cooling_off_for(change.customer)
        return _apply(
            customer=change.customer,
            actor=Actor.staff(user),
            kind=change.kind,
            scheme=change.scheme,
            holder_name=change.holder_name,
            bank_code=change.bank_code,
            account_number=change.account_number,
            card_token=change.card_token,
            confirmed_by_customer=False,
            hold_until=hold_until if hold_until > now else None,
            reason=_("Asked by %(asked)s (%(reason)s), approved by %(approved)s.")
            % {
                "asked": change.requested_by.get_username(),
                "reason": change.reason,
                "approved": user.get_username(),
            },
            now=now,
            change=change,
        )


def payee_change_reject(*, change: PayeeChange, user, note: str) -> PayeeChange:
    if not note.strip():
        raise PayoutError(_("Say why the change is rejected."))
    with transaction.atomic():
        change = _decide(change=change, user=user, status=PayeeChangeStatus.REJECTED, note=note)
        _claim_events(
            customer=change.customer,
            actor=Actor.staff(user),
            kind=EventKind.NOTE,
            text=_("%(user)s rejected the change of payment details to %(masked)s: %(note)s")
            % {"user": user.get_username(), "masked": change.masked, "note": change.decision_note},
            data={"payee_change": {"id": change.pk, "status": change.status}},
        )
    return change
