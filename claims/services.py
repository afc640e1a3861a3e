"""Every write to a claim. Views, the admin, tasks and commands call these; nothing else writes."""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import lifecycle
from claims.actors import Actor
from claims.calendar import add_business_days
from claims.eligibility import claim_eligibility
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


def _event(
    *,
    claim: Claim,
    actor: Actor,
    kind: str = EventKind.STATUS,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict | None = None,
    now: dt.datetime | None = None,
) -> ClaimEvent:
    return ClaimEvent.objects.create(
        claim=claim,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_party=actor.party,
        actor=actor.user,
        actor_label=actor.label,
        reason=reason,
        data=data or {},
        created_at=now or timezone.now(),
    )


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
    event = _event(
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
    elif to_status == ClaimStatus.AWAITING_SELLER and claim.seller_respond_by is None:
        updates["seller_respond_by"] = add_business_days(
            region=region, start=now, days=region.seller_response_business_days
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
) -> Claim:
    """Move a claim to ``to``: the one place a claim's status changes.

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
        if not lifecycle.party_may(actor.party, current, to):
            raise TransitionNotPermitted(
                _("You may not move claim %(ref)s to %(to)s.")
                % {"ref": claim.reference, "to": to.label}
            )
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
        event = _event(
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


def _jsonable(fields: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in fields.items()}


def claim_resume_after_info(*, claim: Claim, actor: Actor, reason: str = "") -> Claim:
    """The customer answered an information request: resume where the claim paused."""
    paused_from = (
        ClaimEvent.objects.filter(
            claim=claim, kind=EventKind.STATUS, to_status=ClaimStatus.NEEDS_INFO
        )
        .order_by("-created_at", "-id")
        .values_list("from_status", flat=True)
        .first()
    )
    if paused_from not in lifecycle.RESUMABLE:
        paused_from = ClaimStatus.UNDER_REVIEW
    return claim_transition(claim=claim, to=paused_from, actor=actor, reason=reason)


def claim_note_add(*, claim: Claim, actor: Actor, text: str) -> ClaimEvent:
    text = text.strip()
    if not text:
        raise InvalidTransition(_("A note cannot be empty."))
    return _event(claim=claim, actor=actor, kind=EventKind.NOTE, reason=text)


@transaction.atomic
def claim_assign(*, claim: Claim, assignee, actor: Actor, reason: str = "") -> Claim:
    previous = claim.assignee_id
    Claim.objects.filter(pk=claim.pk).update(assignee=assignee, updated_at=timezone.now())
    _event(
        claim=claim,
        actor=actor,
        kind=EventKind.ASSIGNMENT,
        reason=reason,
        data={"from_user_id": previous, "to_user_id": assignee.pk if assignee else None},
    )
    claim.refresh_from_db()
    return claim


def evidence_add(*, claim: Claim, data: bytes, filename: str, kind: str, actor: Actor) -> Evidence:
    """Validate, normalise and attach one file. Nothing is stored if anything fails.

    Runs inside ``atomic_with_files``: if this or any enclosing step fails, the database rolls
    back and the file written here is deleted, so no orphan file is left on disk.
    """
    from claims.exceptions import EvidenceRejected
    from claims.files import atomic_with_files, file_store
    from claims.uploads import MAX_FILES_PER_CLAIM, display_name, evidence_clean

    clean = evidence_clean(data=data)
    with atomic_with_files():
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
            original_name=display_name(filename),
            content_type=clean.content_type,
            size=len(clean.content),
            sha256=clean.sha256,
            uploaded_by_party=actor.party,
            uploaded_by=actor.user,
        )
        evidence.full_clean(exclude=["file"])
        file_store(field_file=evidence.file, content=clean.content)
        evidence.save()
        _event(
            claim=claim,
            actor=actor,
            kind=EventKind.EVIDENCE,
            reason=evidence.original_name,
            data={
                "evidence_id": evidence.pk,
                "sha256": clean.sha256,
                "kind": kind,
                "content_type": clean.content_type,
                "taken_at": clean.taken_at.isoformat() if clean.taken_at else None,
            },
        )
        # Fraud: fingerprint the photo and re-score the claim with it (fraud/handlers.py).
        outbox_add(
            topic="fraud.evidence",
            payload={
                "claim_id": claim.pk,
                "evidence_id": evidence.pk,
                "taken_at": clean.taken_at.isoformat() if clean.taken_at else None,
            },
            dedupe_key=f"fraud.evidence:{evidence.pk}",
        )
    return evidence


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
    for item in items:
        amount = approved.get(item.pk, 0)
        if not isinstance(amount, int) or amount < 0 or amount > item.claimed_minor:
            raise InvalidTransition(
                _("%(kind)s: the approved amount must be between 0 and the %(max)s claimed.")
                % {
                    "kind": item.get_kind_display(),
                    "max": format_minor(item.claimed_minor, item.currency),
                }
            )
    return sum(approved.get(item.pk, 0) for item in items)


def claim_approve(
    *,
    claim: Claim,
    actor: Actor,
    approved: dict[int, int],
    funding: str,
    note: str = "",
    data: dict | None = None,
) -> Claim:
    """Approve an amount per loss item (never above what was claimed) and the funding.

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
            data={
                **(data or {}),
                "items": {str(item.pk): approved.get(item.pk, 0) for item in items},
                "threshold_minor": claim.region.threshold_minor,
            },
        )
        for item in items:
            item.approved_minor = approved.get(item.pk, 0)
        LossItem.objects.bulk_update(items, ["approved_minor"])
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
        data={**(data or {}), "reason_code": reason_code},
    )


def claim_request_info(*, claim: Claim, actor: Actor, message: str) -> Claim:
    """Ask the customer for more information; the decision clock pauses until they answer."""
    if not message.strip():
        raise InvalidTransition(_("Say what information you need."))
    return claim_transition(
        claim=claim, to=ClaimStatus.NEEDS_INFO, actor=actor, reason=message.strip()
    )


def claim_withdraw(*, claim: Claim, actor: Actor, reason: str = "") -> Claim:
    return claim_transition(claim=claim, to=ClaimStatus.WITHDRAWN, actor=actor, reason=reason)


def claim_appeal(
    *, claim: Claim, actor: Actor, reason: str, now: dt.datetime | None = None
) -> Claim:
    """Appeal a denial within the region's appeal window."""
    now = now or timezone.now()
    if not reason.strip():
        raise InvalidTransition(_("Tell us why the decision should change."))
    denied_at = (
        ClaimEvent.objects.filter(claim=claim, to_status=ClaimStatus.DENIED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    window = dt.timedelta(days=claim.region.appeal_window_days)
    if claim.status == ClaimStatus.DENIED and denied_at and now - denied_at > window:
        raise InvalidTransition(
            _("The appeal window of %(days)d days has passed.")
            % {"days": claim.region.appeal_window_days}
        )
    return claim_transition(
        claim=claim, to=ClaimStatus.APPEALED, actor=actor, reason=reason.strip(), now=now
    )


def claim_risk_set(*, claim: Claim, score: int, level: str) -> None:
    """Record the latest fraud score on the claim for queues and filters (not a status)."""
    from claims.models import RiskLevel

    if not 0 <= score <= 100 or level not in RiskLevel.values:
        raise ValueError("risk score must be 0-100 with a known level")
    Claim.objects.filter(pk=claim.pk).update(
        risk_score=score, risk_level=level, updated_at=timezone.now()
    )
