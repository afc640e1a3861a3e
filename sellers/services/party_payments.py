"""Claims the seller (or their insurer) accepted and pays the customer itself, watched until the
customer is paid.

``party_payment_open`` (from the decision service) tells the accepting party the approved amount
and a payment deadline in the region's business days. The party records its payment through its
link (``party_payment_record``: amount, date, reference, optional proof); the customer confirms
receipt, or says it did not arrive, on their claim page (``party_payment_answer``). The beat job
``party_payments_sweep`` acts on the deadlines: a payment still due, or disputed, when its
deadline passes makes the marketplace step in (``claim_step_in_on_payment``: funding becomes a
step-in, a payout and a recovery follow), exactly once; a recorded payment the customer did not
dispute in time is taken as received and the claim is paid.
"""

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.calendar import claim_add_business_days
from claims.events import claim_event_add
from claims.exceptions import ClaimError
from claims.lifecycle import Via
from claims.models import Claim, ClaimStatus, EventKind, Evidence, Funding
from claims.money import format_minor
from claims.outbox import outbox_add
from claims.services import claim_step_in_on_payment, claim_transition
from claims_site.dates import format_moment
from sellers.models import (
    PARTY_PAYMENT_WATCHED,
    PartyPayment,
    PartyPaymentStatus,
    ResponseParty,
)

P = PartyPaymentStatus
SWEEPER = Actor.system("payment watch")
# The customer has at least this long to say a recorded payment did not arrive.
DISPUTE_WINDOW = dt.timedelta(days=7)


class PartyPaymentError(ClaimError):
    """A payment record or answer that is refused; the message is for the person acting."""


def party_payment_due(*, claim: Claim, now: dt.datetime) -> dt.datetime:
    region = claim.region
    return claim_add_business_days(claim=claim, start=now, days=region.party_payment_business_days)


def party_payment_open(*, claim: Claim, actor: Actor, due_at: dt.datetime) -> PartyPayment:
    """Start watching an approved claim the accepting party pays (once per claim)."""
    party = ResponseParty.INSURER if claim.funding == Funding.INSURER else ResponseParty.SELLER
    payment, created = PartyPayment.objects.get_or_create(
        claim=claim,
        defaults={
            "seller_id": claim.seller_id,
            "party": party,
            "currency": claim.currency,
            "amount_minor": claim.approved_total_minor,
            "due_at": due_at,
        },
    )
    if created:
        data = {
            "party_payment_id": payment.pk,
            "step": "due",
            "due_at": due_at.isoformat(),
            "party": payment.party,
            "amount_minor": payment.amount_minor,
            "currency": payment.currency,
        }
        event = claim_event_add(
            claim=claim,
            actor=actor,
            kind=EventKind.PAYMENT,
            reason=party_payment_due_text(data),
            data=data,
        )
        outbox_add(
            topic="sellers.notify_party_payment",
            payload={"party_payment_id": payment.pk, "event_id": event.pk},
            dedupe_key=f"sellers.notify_party_payment:{event.pk}",
        )
    return payment


def party_payment_due_text(data: dict) -> str:
    """The timeline's note that the accepting party must pay, from its event's data: written
    with the event, and read again in each reader's language, the deadline a moment in the
    reader's zone (``party_payment_event_text``)."""
    return _("%(party)s must pay the customer %(amount)s by %(due)s.") % {
        "party": ResponseParty(data["party"]).label,
        "amount": format_minor(data["amount_minor"], data["currency"]),
        "due": format_moment(timezone.localtime(dt.datetime.fromisoformat(data["due_at"]))),
    }


def party_payment_event_text(event) -> str | None:
    """A claim event's text when it says the accepting party must pay (None for any other
    event, and for those written before their data held the party and the amount)."""
    data = event.data or {}
    if data.get("step") != "due" or "party_payment_id" not in data or "party" not in data:
        return None
    return party_payment_due_text(data)


def party_payment_day(payment: PartyPayment, moment: dt.datetime) -> dt.date:
    """The day ``moment`` is where the payer is (the claim's region)."""
    return moment.astimezone(zoneinfo.ZoneInfo(payment.claim.region.time_zone)).date()


def party_payment_problems(
    *,
    payment: PartyPayment,
    amount_minor: int | None,
    paid_on: dt.date | None,
    reference: str | None,
    now: dt.datetime,
) -> dict[str, str]:
    """What is wrong with a recorded payment, by field (a value not given is not checked): the
    reference, another amount than approved, a date after the payer's today or before the
    decision's day (both days in the region's zone, written in the reader's format)."""
    from django.utils.formats import date_format

    problems = {}
    if reference is not None and not reference.strip():
        problems["reference"] = _("Give the payment's reference (as on your bank statement).")
    if amount_minor is not None and amount_minor != payment.amount_minor:
        problems["amount"] = _(
            "Record the approved amount, %(amount)s, paid in full; you entered %(entered)s."
        ) % {
            "amount": payment.amount_display,
            "entered": format_minor(amount_minor, payment.currency),
        }
    if paid_on is not None:
        today = party_payment_day(payment, now)
        decided = party_payment_day(payment, payment.opened_at)
        if paid_on > today or paid_on < decided:
            problems["paid_on"] = _(
                "The payment date must be between the decision (%(start)s) and today (%(today)s)."
            ) % {
                "start": date_format(decided, "DATE_FORMAT"),
                "today": date_format(today, "DATE_FORMAT"),
            }
    return problems


def party_payment_record(
    *,
    payment: PartyPayment,
    actor: Actor,
    amount_minor: int,
    paid_on: dt.date,
    reference: str,
    proof: tuple[str, bytes] | None = None,
    now: dt.datetime | None = None,
) -> PartyPayment:
    """The accepting party says it paid. Refused (nothing written) for another amount, a date in
    the future or before the decision, or a payment the watch has already closed."""
    from claims.files import atomic_with_files
    from claims.models import EvidenceKind
    from claims.services import evidence_add

    now = now or timezone.now()
    reference = reference.strip()
    problems = party_payment_problems(
        payment=payment, amount_minor=amount_minor, paid_on=paid_on, reference=reference, now=now
    )
    if problems:
        raise PartyPaymentError(" ".join(problems.values()))
    with atomic_with_files():
        locked = PartyPayment.objects.select_for_update().select_related("claim").get(pk=payment.pk)
        if locked.status not in (P.DUE, P.DISPUTED):
            raise PartyPaymentError(
                _("This payment is already %(status)s.") % {"status": locked.get_status_display()}
            )
        evidence = None
        if proof is not None:
            name, data = proof
            evidence = evidence_add(
                claim=locked.claim,
                data=data,
                filename=name,
                kind=EvidenceKind.RECEIPT,
                actor=actor,
            )
            # Addressed to the customer, who is asked to confirm the payment (claims.evidence).
            Evidence.objects.filter(pk=evidence.pk).update(shared_with_customer_at=now)
        PartyPayment.objects.filter(pk=locked.pk).update(
            status=P.RECORDED,
            recorded_at=now,
            paid_on=paid_on,
            paid_minor=amount_minor,
            payment_reference=reference[:100],
            proof=evidence,
            confirm_by=max(locked.due_at, now + DISPUTE_WINDOW),
        )
        event = claim_event_add(
            claim=locked.claim,
            actor=actor,
            kind=EventKind.PAYMENT,
            reason=_("%(party)s recorded paying %(amount)s on %(date)s (reference %(ref)s).")
            % {
                "party": locked.get_party_display(),
                "amount": locked.amount_display,
                "date": paid_on.isoformat(),
                "ref": reference,
            },
            data={"party_payment_id": locked.pk, "step": "recorded"},
            now=now,
        )
        # The customer is asked to confirm receipt (claims.notify_customer on a payment event).
        outbox_add(
            topic="sellers.notify_customer_payment",
            payload={"party_payment_id": locked.pk, "event_id": event.pk},
            dedupe_key=f"sellers.notify_customer_payment:{event.pk}",
        )
    locked.refresh_from_db()
    return locked


def party_payment_answer(
    *,
    payment: PartyPayment,
    actor: Actor,
    received: bool,
    note: str = "",
    now: dt.datetime | None = None,
) -> PartyPayment:
    """The customer confirms the money arrived (the claim is paid) or says it did not (if it
    is still missing at the deadline, the marketplace steps in)."""
    now = now or timezone.now()
    if not received and not note.strip():
        raise PartyPaymentError(_("Tell us what you see: for example, nothing on your statement."))
    with transaction.atomic():
        locked = PartyPayment.objects.select_for_update().select_related("claim").get(pk=payment.pk)
        if locked.status not in (P.DUE, P.RECORDED, P.DISPUTED):
            raise PartyPaymentError(
                _("This payment is already %(status)s.") % {"status": locked.get_status_display()}
            )
        if received:
            if locked.status != P.RECORDED:
                raise PartyPaymentError(
                    _("The payer has not recorded a payment yet; tell us if nothing arrived.")
                )
            _settle(payment=locked, actor=actor, now=now, reason=_("The customer confirmed it."))
        else:
            PartyPayment.objects.filter(pk=locked.pk).update(
                status=P.DISPUTED, customer_answered_at=now, customer_note=note.strip()[:2000]
            )
            claim_event_add(
                claim=locked.claim,
                actor=actor,
                kind=EventKind.PAYMENT,
                reason=_("The customer says the payment did not arrive: %(note)s")
                % {"note": note.strip()},
                data={"party_payment_id": locked.pk, "step": "disputed"},
                now=now,
            )
    locked.refresh_from_db()
    return locked


def _settle(*, payment: PartyPayment, actor: Actor, now: dt.datetime, reason: str) -> bool:
    """Close a recorded payment as received and mark the claim paid (once: compare-and-swap)."""
    if not PartyPayment.objects.filter(pk=payment.pk, status=P.RECORDED).update(
        status=P.CONFIRMED, customer_answered_at=now, closed_at=now
    ):
        return False
    claim_transition(
        claim=payment.claim,
        to=ClaimStatus.PAID,
        actor=actor,
        reason=reason,
        data={"party_payment_id": payment.pk, "paid_by": payment.party},
        now=now,
        via=Via.PARTY_PAYMENT,
    )
    return True


def party_payments_sweep(*, now: dt.datetime | None = None, limit: int = 200) -> dict:
    """One bounded batch of watched payments whose deadline passed: still due or disputed, the
    marketplace steps in; recorded and not disputed in time, the claim is paid. Each payment is
    acted on once (a compare-and-swap on its status); returns what was done."""
    now = now or timezone.now()
    # party_payment_watch_idx: open payments by deadline.
    due = list(
        PartyPayment.objects.filter(status__in=PARTY_PAYMENT_WATCHED, due_at__lt=now)
        .order_by("due_at")
        .values_list("pk", "status", "confirm_by")[:limit]
    )
    stepped = settled = 0
    for pk, status, confirm_by in due:
        with transaction.atomic():
            if status == P.RECORDED:
                if confirm_by and confirm_by > now:
                    continue  # the customer still has time to say it did not arrive
                payment = PartyPayment.objects.select_related("claim").get(pk=pk)
                settled += _settle(
                    payment=payment,
                    actor=SWEEPER,
                    now=now,
                    reason=_("The customer did not dispute the recorded payment in time."),
                )
                continue
            if not PartyPayment.objects.filter(pk=pk, status=status).update(
                status=P.STEPPED_IN, closed_at=now
            ):
                continue  # answered, recorded or acted on by another worker meanwhile
            payment = PartyPayment.objects.select_related("claim__region").get(pk=pk)
            claim = claim_step_in_on_payment(
                claim=payment.claim,
                actor=SWEEPER,
                reason=_(
                    "%(party)s did not pay %(amount)s by the deadline: the marketplace steps in, "
                    "pays the customer and recovers the amount from the seller."
                )
                % {"party": payment.get_party_display(), "amount": payment.amount_display},
                now=now,
            )
            from sellers.services.recoveries import recovery_follow_decision

            recovery_follow_decision(claim=claim, actor=SWEEPER)
            stepped += 1
    return {"stepped_in": stepped, "settled": settled, "more": len(due) == limit}
