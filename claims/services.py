"""Every write to a claim. Views, the admin, tasks and commands call these; nothing else writes."""

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims import lifecycle
from claims.actors import Actor
from claims.batch import claims_paused_from
from claims.calendar import claim_add_business_days
from claims.eligibility import claim_eligibility, open_claims
from claims.events import claim_event_add
from claims.exceptions import (
    ConcurrentTransition,
    IneligibleClaim,
    InvalidTransition,
    TransitionNotPermitted,
)
from claims.models import (
    Claim,
    ClaimEvent,
    ClaimSequence,
    ClaimStatus,
    EventKind,
    Evidence,
    LossItem,
    Party,
)
from claims.money import format_minor
from claims.outbox import outbox_add

if TYPE_CHECKING:
    from claims.uploads import CleanFile

logger = logging.getLogger(__name__)

# Fields a transition may set together with the status, in the same conditional update.
TRANSITION_FIELDS = frozenset(
    {
        "funding",
        "approved_total_minor",
        "seller_respond_by",
        "customer_info_due",
        "decision_due",
        "denial_reason",
    }
)


@dataclass(frozen=True)
class LossInput:
    kind: str
    amount_minor: int
    description: str = ""


def _follow_ups(*, claim: Claim, event: ClaimEvent) -> None:
    for topic in lifecycle.FOLLOW_UPS.get(event.to_status, ()):
        outbox_add(
            topic=topic,
            payload={"claim_id": claim.pk, "event_id": event.pk},
            dedupe_key=f"{topic}:{event.pk}",
        )


def claim_reference_next(*, region, year: int) -> str:
    """Allocate the next human reference. Call inside the claim's transaction."""
    sequence, _created = ClaimSequence.objects.get_or_create(region=region, year=year)
    ClaimSequence.objects.filter(pk=sequence.pk).update(last_number=F("last_number") + 1)
    sequence.refresh_from_db(fields=["last_number"])
    return f"PL-{region.code}-{year}-{sequence.last_number:06d}"


@transaction.atomic
def claim_create(
    *,
    order_line,
    incident_date: dt.date,
    incident_kind: str,
    description: str,
    people_injured: int,
    losses: list[LossInput],
    actor: Actor,
    language: str = "",
    now: dt.datetime | None = None,
) -> Claim:
    """File a claim. Raises ``IneligibleClaim`` with every failed rule; writes nothing then.

    ``language`` is the one the customer filed in (their e-mails use it); a language the site
    does not offer, or none, leaves the region's.
    """
    now = now or timezone.now()
    order = order_line.order
    region = order.region
    reasons = claim_eligibility(
        order_line=order_line, incident_date=incident_date, losses=losses, today=now.date()
    )
    if reasons:
        raise IneligibleClaim(reasons)
    total = sum(loss.amount_minor for loss in losses)
    claim = Claim(
        reference=claim_reference_next(region=region, year=now.year),
        region=region,
        customer=order.customer,
        order_line=order_line,
        seller=order_line.seller,
        incident_date=incident_date,
        incident_kind=incident_kind,
        description=description,
        people_injured=people_injured,
        language=language if language in dict(settings.LANGUAGES) else "",
        currency=region.currency,
        claimed_total_minor=total,
        status=ClaimStatus.SUBMITTED,
        status_changed_at=now,
        submitted_at=now,
        decision_due=now + dt.timedelta(days=region.decision_target_days),
    )
    claim.full_clean(exclude=["reference"])
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as exc:
        # Two submissions racing for the same order line: the partial unique index decides.
        raise IneligibleClaim([_("There is already an open claim for this item.")]) from exc
    LossItem.objects.bulk_create(
        LossItem(
            claim=claim,
            kind=loss.kind,
            description=loss.description,
            currency=region.currency,
            claimed_minor=loss.amount_minor,
        )
        for loss in losses
    )
    event = claim_event_add(
        claim=claim,
        actor=actor,
        to_status=ClaimStatus.SUBMITTED,
        now=now,
        data={"claimed_total_minor": total, "currency": region.currency},
    )
    _follow_ups(claim=claim, event=event)
    return claim


def _clock_updates(*, claim: Claim, from_status: str, to_status: str, now: dt.datetime) -> dict:
    """Deadlines that move with the lifecycle (the information request pauses the clocks)."""
    updates: dict = {}
    region = claim.region
    if to_status == ClaimStatus.NEEDS_INFO:
        updates["customer_info_due"] = now + dt.timedelta(days=region.customer_info_days)
    if from_status == ClaimStatus.NEEDS_INFO:
        paused = now - claim.status_changed_at
        updates["customer_info_due"] = None
        if claim.decision_due:
            updates["decision_due"] = claim.decision_due + paused
        if claim.seller_respond_by:
            updates["seller_respond_by"] = claim.seller_respond_by + paused
    elif (
        from_status == ClaimStatus.FRAUD_HOLD
        and to_status in lifecycle.SELLER_ANSWERABLE_STATUSES
        and claim.seller_respond_by
        and claim.seller_respond_by > claim.status_changed_at
    ):
        # Nobody can answer a held claim: the seller (or their insurer) gets back the time
        # that was left when the hold began.
        updates["seller_respond_by"] = claim.seller_respond_by + (now - claim.status_changed_at)
    elif to_status == ClaimStatus.AWAITING_SELLER and claim.seller_respond_by is None:
        updates["seller_respond_by"] = claim_add_business_days(
            claim=claim, start=now, days=region.seller_response_business_days
        )
    return updates


def claim_transition(
    *,
    claim: Claim,
    to: str,
    actor: Actor,
    reason: str = "",
    data: dict | None = None,
    updates: dict | None = None,
    now: dt.datetime | None = None,
    via: lifecycle.Via = lifecycle.Via.STAFF,
) -> Claim:
    """Move a claim to ``to``: the one place a claim's status changes.

    ``via`` says who is making the move: a generic move (the default) or the service that owns
    it (``lifecycle.OWNERS``). A move owned by a service is refused to every other caller,
    whatever their permissions: approving is the decision service's because it writes the
    amounts and the funding, paying the payout pipeline's because a payment stands behind it.

    Conditional update (compare-and-swap on the status the caller saw), then an event row, then
    follow-up work on commit, all in one transaction. Returns quietly, writing nothing, when the
    claim is already in ``to``. Raises ``ConcurrentTransition`` when the claim moved since the
    caller loaded it and the move no longer applies, ``InvalidTransition`` (changing nothing)
    for any other illegal move.
    """
    to = ClaimStatus(to)
    updates = dict(updates or {})
    if not TRANSITION_FIELDS.issuperset(updates):
        raise ValueError(f"A transition cannot set {sorted(set(updates) - TRANSITION_FIELDS)}")
    now = now or timezone.now()
    seen = claim.status
    with transaction.atomic():
        claim.refresh_from_db()
        current = claim.status
        if current == to:
            return claim
        if to not in lifecycle.ALLOWED[current] and seen != current:
            raise ConcurrentTransition(
                _("Claim %(ref)s changed while you were working on it; it is now %(now)s.")
                % {"ref": claim.reference, "now": ClaimStatus(current).label}
            )
        if to not in lifecycle.ALLOWED[current]:
            raise InvalidTransition(
                _("Claim %(ref)s is %(from)s and cannot become %(to)s.")
                % {"ref": claim.reference, "from": ClaimStatus(current).label, "to": to.label}
            )
        if via not in lifecycle.owners(current, to):
            raise TransitionNotPermitted(
                _("Claim %(ref)s cannot be moved to %(to)s directly: %(how)s")
                % {"ref": claim.reference, "to": to.label, "how": _how(current, to)}
            )
        if current == ClaimStatus.NEEDS_INFO and not lifecycle.leaves_needs_info(
            claim_paused_from(claim=claim), to
        ):
            raise TransitionNotPermitted(
                _(
                    "Claim %(ref)s was asked for information from a fraud hold: it goes back to "
                    "the fraud analyst, who alone releases it."
                )
                % {"ref": claim.reference}
            )
        if not lifecycle.party_may(actor.party, current, to):
            raise TransitionNotPermitted(
                _("You may not move claim %(ref)s to %(to)s.")
                % {"ref": claim.reference, "to": to.label}
            )
        if (current, to) == (ClaimStatus.APPEALED, ClaimStatus.UNDER_REVIEW):
            appeal_reviewer_check(claim=claim, user=actor.user)
        if actor.party == Party.STAFF and not actor.has_perm(
            lifecycle.required_permission(current, to)
        ):
            raise TransitionNotPermitted(
                _("You do not have permission to move claims to %(to)s.") % {"to": to.label}
            )
        fields = _clock_updates(claim=claim, from_status=current, to_status=to, now=now)
        fields.update(updates)
        changed = Claim.objects.filter(pk=claim.pk, status=current).update(
            status=to, status_changed_at=now, updated_at=now, **fields
        )
        if changed != 1:
            claim.refresh_from_db()
            if claim.status == to:
                return claim  # another worker got there first
            raise ConcurrentTransition(
                _("Claim %(ref)s changed while you were working on it; it is now %(now)s.")
                % {"ref": claim.reference, "now": ClaimStatus(claim.status).label}
            )
        event = claim_event_add(
            claim=claim,
            actor=actor,
            from_status=current,
            to_status=to,
            reason=reason,
            data={**(data or {}), **_jsonable(fields)},
            now=now,
        )
        claim.refresh_from_db()
        _follow_ups(claim=claim, event=event)
    return claim


def _how(current: str, to: str) -> str:
    """Where the move is made instead, for the person whose move was refused."""
    owner = sorted(lifecycle.owners(current, to))[0]
    return str(HOW.get(owner, HOW[lifecycle.Via.ESCALATION]))


HOW = {
    lifecycle.Via.STAFF: gettext_lazy("it is a staff member's move, made from the claim's page."),
    lifecycle.Via.DECISION: gettext_lazy(
        "decide it with Approve or Deny, which record the decision."
    ),
    lifecycle.Via.PAYOUT: gettext_lazy(
        "only the payout pipeline moves money and records payments."
    ),
    lifecycle.Via.INFO_REQUEST: gettext_lazy("ask the customer with a message."),
    lifecycle.Via.ANSWER: gettext_lazy("the customer's answer resumes the claim."),
    lifecycle.Via.APPEAL: gettext_lazy("the customer appeals from their claim page."),
    lifecycle.Via.WITHDRAW: gettext_lazy("the customer withdraws from their claim page."),
    lifecycle.Via.SELLER_RESPONSE: gettext_lazy(
        "the seller or insurer answers through their link."
    ),
    lifecycle.Via.FRAUD: gettext_lazy("fraud screening and the analysts' review make this move."),
    lifecycle.Via.SCREENING: gettext_lazy("new claims enter screening on their own."),
    lifecycle.Via.ESCALATION: gettext_lazy(
        "the marketplace steps in through the deadline, overruling the seller, or a payment "
        "that did not arrive."
    ),
}


def _jsonable(fields: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in fields.items()}


def appeal_reviewer_check(*, claim: Claim, user) -> None:
    """An appeal is reviewed and decided by someone other than the person whose decision is
    appealed. Raises ``TransitionNotPermitted`` for that person; anyone else passes."""
    if user is None:
        return
    latest = list(
        ClaimEvent.objects.filter(
            claim=claim,
            kind=EventKind.STATUS,
            to_status__in=(ClaimStatus.APPROVED, ClaimStatus.DENIED, ClaimStatus.APPEALED),
        )
        .order_by("-created_at", "-id")
        .values_list("to_status", "actor_id")[:2]
    )
    if len(latest) == 2 and latest[0][0] == ClaimStatus.APPEALED and latest[1][1] == user.pk:
        raise TransitionNotPermitted(
            _("You made the decision the customer appealed: another reviewer takes the appeal.")
        )


def claim_paused_from(*, claim: Claim) -> str | None:
    """The state a claim was in when it was last asked for information (its request's event
    remembers it), or None when it never was."""
    return claims_paused_from([claim.pk]).get(claim.pk)


def claim_resume_after_info(*, claim: Claim, actor: Actor, reason: str = "") -> Claim:
    """The customer answered an information request: resume where the claim paused (a claim
    asked from a fraud hold goes back to the hold, for the analyst)."""
    resume = lifecycle.resume_to(claim_paused_from(claim=claim))
    from backoffice.notifications import notify_answered

    with transaction.atomic():
        claim = claim_transition(
            claim=claim, to=resume, actor=actor, reason=reason, via=lifecycle.Via.ANSWER
        )
        # What needs me: whoever holds the claim is told the customer answered.
        notify_answered(claim=claim, who="customer")
    return claim


def claim_note_add(*, claim: Claim, actor: Actor, text: str) -> ClaimEvent:
    text = text.strip()
    if not text:
        raise InvalidTransition(_("A note cannot be empty."))
    return claim_event_add(claim=claim, actor=actor, kind=EventKind.NOTE, reason=text)


@transaction.atomic
def claim_assign(*, claim: Claim, assignee, actor: Actor, reason: str = "") -> Claim:
    previous = claim.assignee_id
    Claim.objects.filter(pk=claim.pk).update(assignee=assignee, updated_at=timezone.now())
    claim_event_add(
        claim=claim,
        actor=actor,
        kind=EventKind.ASSIGNMENT,
        reason=reason,
        data={"from_user_id": previous, "to_user_id": assignee.pk if assignee else None},
    )
    claim.refresh_from_db()
    # What needs me: the new holder is told (not when they took it themselves).
    from backoffice.notifications import notify_assigned

    notify_assigned(
        claim=claim,
        assignee_id=assignee.pk if assignee else None,
        actor_id=actor.user.pk if actor.user else None,
    )
    return claim


def evidence_add(*, claim: Claim, data: bytes, filename: str, kind: str, actor: Actor) -> Evidence:
    """Check one file with the upload policy and attach it. Nothing is stored if anything
    fails. Paths that take several files check them all first
    (``claims.duplicates.evidence_check_for_claim``) and attach them with ``evidence_attach``."""
    from claims.uploads import evidence_check

    return evidence_attach(
        claim=claim, clean=evidence_check(data=data, filename=filename), kind=kind, actor=actor
    )


def evidence_attach(*, claim: Claim, clean: "CleanFile", kind: str, actor: Actor) -> Evidence:
    """Attach a file the upload policy accepted (``claims.uploads.evidence_check``).

    Refuses (``EvidenceRejected``) a file whose content is already on the claim, under any
    kind (``claims.duplicates``): every path that puts a file on a claim comes through here.

    Runs inside ``atomic_with_files``: if this or any enclosing step fails, the database rolls
    back and the file written here is deleted, so no orphan file is left on disk. Attaches to
    one claim take turns (a lock on the claim's row until the transaction ends), so the same
    file sent twice at once, or files past a party's limit, are refused as when sent apart.
    """
    from claims.duplicates import evidence_duplicates
    from claims.exceptions import EvidenceRejected
    from claims.files import atomic_with_files, file_store
    from claims.uploads import MAX_FILES_PER_CLAIM

    with atomic_with_files():
        # The claim's row locked first: two requests attaching to one claim at once take
        # turns, so the second reads the first's file (and count) before deciding. ``no_key``:
        # it does not wait for, or hold up, rows that only refer to the claim.
        Claim.objects.select_for_update(no_key=True).filter(pk=claim.pk).exists()
        duplicates = evidence_duplicates(claim_id=claim.pk, cleaned=[clean], actor=actor)
        if duplicates:
            raise EvidenceRejected(reasons=duplicates)
        # Each party has its own cap, so that a seller (or anyone with a link) cannot fill the
        # claim and stop the customer adding evidence.
        mine = Evidence.objects.filter(claim=claim, uploaded_by_party=actor.party)
        if mine.count() >= MAX_FILES_PER_CLAIM:
            raise EvidenceRejected(
                _("You can add at most %(n)d files to a claim.") % {"n": MAX_FILES_PER_CLAIM}
            )
        evidence = Evidence(
            claim=claim,
            kind=kind,
            original_name=clean.name,
            content_type=clean.content_type,
            size=len(clean.content),
            sha256=clean.sha256,
            uploaded_by_party=actor.party,
            uploaded_by=actor.user,
        )
        evidence.full_clean(exclude=["file"])
        file_store(field_file=evidence.file, content=clean.content)
        evidence.save()
        taken_at = clean.taken_at.isoformat() if clean.taken_at else None
        claim_event_add(
            claim=claim,
            actor=actor,
            kind=EventKind.EVIDENCE,
            reason=evidence.original_name,
            data={
                "evidence_id": evidence.pk,
                "sha256": clean.sha256,
                "original_sha256": clean.original_sha256,
                "kind": kind,
                "content_type": clean.content_type,
                "taken_at": taken_at,
                # What the upload policy took out of a PDF, for whoever reviews it.
                "removed": clean.removed,
            },
        )
        # Fraud: fingerprint the photo and re-score the claim with it (fraud/handlers.py).
        outbox_add(
            topic="fraud.evidence",
            payload={"claim_id": claim.pk, "evidence_id": evidence.pk, "taken_at": taken_at},
            dedupe_key=f"fraud.evidence:{evidence.pk}",
        )
    return evidence


def evidence_add_all(
    *, claim: Claim, files: list[tuple[str, bytes]], kind: str, actor: Actor
) -> list[Evidence]:
    """Add a batch of (name, bytes) files of one ``kind``: all of them, or none.

    Every problem is found before anything is written and raised at once (one
    ``EvidenceRejected`` with a reason per problem): no file, more files than the actor's party
    may still add (``MAX_FILES_PER_CLAIM`` each), each file the upload policy refuses, and each
    file already on the claim or chosen twice (``claims.duplicates``)."""
    from claims.duplicates import evidence_check_for_claim
    from claims.exceptions import EvidenceRejected
    from claims.files import atomic_with_files
    from claims.uploads import MAX_FILES_PER_CLAIM

    if not files:
        raise EvidenceRejected(_("Choose at least one file."))
    reasons = []
    left = MAX_FILES_PER_CLAIM - claim.evidence.filter(uploaded_by_party=actor.party).count()
    if len(files) > left:
        reasons.append(
            _(
                "You can add at most %(max)d files to a claim, and %(left)d more to this one: "
                "choose fewer files."
            )
            % {"max": MAX_FILES_PER_CLAIM, "left": max(left, 0)}
        )
    cleaned = evidence_check_for_claim(claim_id=claim.pk, files=files, actor=actor, reasons=reasons)
    with atomic_with_files():
        return [
            evidence_attach(claim=claim, clean=clean, kind=kind, actor=actor) for clean in cleaned
        ]


# --- decisions and the customer's own moves ------------------------------------------------


def approval_total(*, items: list[LossItem], approved: dict[int, int], funding: str) -> int:
    """Check an approval against the claim's loss items; return the total approved.

    Every amount is whole minor units between 0 and what was claimed for that item; items left
    out are approved at 0. Raises ``InvalidTransition`` with a message for the person deciding.
    """
    from claims.models import Funding

    if funding not in Funding.values or funding == Funding.UNDECIDED:
        raise InvalidTransition(_("Choose who funds the claim."))
    if set(approved) - {item.pk for item in items}:
        raise InvalidTransition(_("Unknown loss item(s) for this claim."))
    problems = [
        problem
        for item in items
        if (problem := approved_amount_problem(item=item, amount=approved.get(item.pk, 0)))
    ]
    if problems:
        raise InvalidTransition(" ".join(problems))
    return sum(approved.get(item.pk, 0) for item in items)


def approved_amount_problem(*, item: LossItem, amount) -> str:
    """Why ``amount`` cannot be approved for this loss item, or "" when it can: whole minor
    units between 0 and what was claimed. Forms call it per item to show every problem at
    once; ``approval_total`` refuses any."""
    if not isinstance(amount, int) or amount < 0 or amount > item.claimed_minor:
        return _("%(kind)s: the approved amount must be between 0 and the %(max)s claimed.") % {
            "kind": item.get_kind_display(),
            "max": format_minor(item.claimed_minor, item.currency),
        }
    return ""


def claim_approve(
    *,
    claim: Claim,
    actor: Actor,
    approved: dict[int, int],
    funding: str,
    note: str = "",
    data: dict | None = None,
    reasons: dict[int, str] | None = None,
) -> Claim:
    """Approve an amount per loss item (never above what was claimed) and the funding.

    ``reasons`` says, per loss item approved for less than was claimed, why (the customer
    reads it); the decision service requires one for every reduced item.

    ``approved`` maps loss item ids to approved minor units; items left out are approved at 0.
    ``data`` is added to the decision event (e.g. the approval policy in force).
    """

    with transaction.atomic():
        items = list(LossItem.objects.select_for_update().filter(claim=claim).order_by("id"))
        total = approval_total(items=items, approved=approved, funding=funding)
        claim = claim_transition(
            claim=claim,
            to=ClaimStatus.APPROVED,
            actor=actor,
            reason=note,
            updates={"approved_total_minor": total, "funding": funding},
            via=lifecycle.Via.DECISION,
            data={
                **(data or {}),
                "items": {str(item.pk): approved.get(item.pk, 0) for item in items},
                "reasons": {str(k): v for k, v in (reasons or {}).items() if v},
                "threshold_minor": claim.region.threshold_minor,
            },
        )
        for item in items:
            item.approved_minor = approved.get(item.pk, 0)
            item.reduction_reason = (reasons or {}).get(item.pk, "").strip()
        LossItem.objects.bulk_update(items, ["approved_minor", "reduction_reason"])
    return claim


def claim_deny(
    *, claim: Claim, actor: Actor, reason_code: str, explanation: str, data: dict | None = None
) -> Claim:
    """Deny with a reason code and an explanation the customer will read."""
    from claims.models import DenialReason

    if reason_code not in DenialReason.values:
        raise InvalidTransition(_("Choose a reason for the denial."))
    if not explanation.strip():
        raise InvalidTransition(_("Explain the denial in words the customer will understand."))
    return claim_transition(
        claim=claim,
        to=ClaimStatus.DENIED,
        actor=actor,
        reason=explanation.strip(),
        updates={"denial_reason": reason_code},
        via=lifecycle.Via.DECISION,
        data={**(data or {}), "reason_code": reason_code},
    )


def claim_request_info(
    *, claim: Claim, actor: Actor, message: str, now: dt.datetime | None = None
) -> Claim:
    """Ask the customer for more information; the decision clock pauses until they answer."""
    if not message.strip():
        raise InvalidTransition(_("Say what information you need."))
    return claim_transition(
        claim=claim,
        to=ClaimStatus.NEEDS_INFO,
        actor=actor,
        reason=message.strip(),
        now=now,
        via=lifecycle.Via.INFO_REQUEST,
    )


def claim_withdraw(*, claim: Claim, actor: Actor, reason: str = "") -> Claim:
    return claim_transition(
        claim=claim,
        to=ClaimStatus.WITHDRAWN,
        actor=actor,
        reason=reason,
        via=lifecycle.Via.WITHDRAW,
    )


def appeal_until(claim: Claim) -> dt.datetime | None:
    """Until when the customer may appeal the claim's decision, or None when it cannot be
    appealed: a denial, or a partial approval (less than was claimed) that the marketplace
    paid, within the region's appeal window counted from the decision.

    A partial approval is appealable once paid, so the customer is never kept waiting for the
    part already granted; a new decision for more pays only the difference
    (``payouts.services.pipeline``). A partial approval the seller or insurer paid is not
    appealable here: their payment is watched once per claim (``sellers.PartyPayment``).
    """
    from claims.models import MARKETPLACE_FUNDING

    if claim.status == ClaimStatus.DENIED:
        decided = ClaimStatus.DENIED
    elif (
        claim.status == ClaimStatus.PAID
        and claim.funding in MARKETPLACE_FUNDING
        and (claim.approved_total_minor or 0) < claim.claimed_total_minor
        # A paid claim frees its order line: once a new claim is open on it, that claim is
        # where the customer's case goes on (claims.eligibility.open_claims).
        and not open_claims().filter(order_line_id=claim.order_line_id).exists()
    ):
        decided = ClaimStatus.APPROVED
    else:
        return None
    decided_at = (
        ClaimEvent.objects.filter(claim=claim, kind=EventKind.STATUS, to_status=decided)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    if decided_at is None:
        return None
    return decided_at + dt.timedelta(days=claim.region.appeal_window_days)


def claim_appeal(
    *, claim: Claim, actor: Actor, reason: str, now: dt.datetime | None = None
) -> Claim:
    """Appeal a denial, or a partial approval that was paid, within the region's appeal
    window (``appeal_until``)."""
    now = now or timezone.now()
    if not reason.strip():
        raise InvalidTransition(_("Tell us why the decision should change."))
    until = appeal_until(claim)
    if claim.status == ClaimStatus.PAID and until is None:
        raise InvalidTransition(_("This claim was paid in full: there is nothing to appeal."))
    if until is not None and now > until:
        raise InvalidTransition(
            _("The appeal window of %(days)d days has passed.")
            % {"days": claim.region.appeal_window_days}
        )
    return claim_transition(
        claim=claim,
        to=ClaimStatus.APPEALED,
        actor=actor,
        reason=reason.strip(),
        now=now,
        via=lifecycle.Via.APPEAL,
    )


def claim_step_in_on_payment(
    *, claim: Claim, actor: Actor, reason: str, now: dt.datetime | None = None
) -> Claim:
    """An accepted claim was not paid by the seller or insurer in time: the marketplace steps
    in. The funding becomes a step-in (compare-and-swap: once), an event says why, and the
    payout pipeline is asked to pay (``payouts.create``). The claim stays approved."""
    from claims.models import Funding

    now = now or timezone.now()
    with transaction.atomic():
        claim.refresh_from_db()
        previous = claim.funding
        changed = Claim.objects.filter(
            pk=claim.pk,
            status=ClaimStatus.APPROVED,
            funding__in=(Funding.SELLER, Funding.INSURER),
        ).update(funding=Funding.STEP_IN, updated_at=now)
        if changed:
            event = claim_event_add(
                claim=claim,
                actor=actor,
                kind=EventKind.PAYMENT,
                reason=reason,
                data={"step": "stepped_in", "funding_from": previous, "funding": "step_in"},
                now=now,
            )
            outbox_add(
                topic="payouts.create",
                payload={"claim_id": claim.pk, "event_id": event.pk},
                dedupe_key=f"payouts.create:{event.pk}",
            )
        claim.refresh_from_db()
    return claim


def claim_risk_set(*, claim: Claim, score: int, level: str) -> None:
    """Record the latest fraud score on the claim for queues and filters (not a status)."""
    from claims.models import RiskLevel

    if not 0 <= score <= 100 or level not in RiskLevel.values:
        raise ValueError("risk score must be 0-100 with a known level")
    Claim.objects.filter(pk=claim.pk).update(
        risk_score=score, risk_level=level, updated_at=timezone.now()
    )
