"""Writes of the back office: assignment, tags, messages, decisions, SLA breaches, bulk actions.

Statuses still change only through ``claims.services.claim_transition`` (and the decision
services built on it); everything here either calls those or writes back-office rows plus a
``ClaimEvent`` in the same transaction.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.exceptions import BackofficeError, BulkRefused
from backoffice.models import ClaimTag, SlaBreach, SlaClock, Tag
from backoffice.notifications import notify_assigned, sla_breach_notify
from backoffice.sla import CLOCKS, clock_breached_q
from claims import lifecycle
from claims.actors import Actor
from claims.events import claim_event_add
from claims.exceptions import ClaimError
from claims.models import (
    WORKABLE_STATUSES,
    Claim,
    ClaimEvent,
    ClaimStatus,
    EventKind,
    Evidence,
    StaffProfile,
)
from claims.outbox import outbox_add
from claims.scope import claims_visible_to, staff_region_ids
from claims.services import claim_assign, claim_request_info, evidence_add_all
from payouts.services.decisions import DecisionResult

# Every domain refusal (transitions, decisions, authority, four-eyes) carries a message for staff.
DOMAIN_ERRORS = (BackofficeError, ClaimError)

# States in which staff must act next: what "Take next" and auto-assignment hand out.
WORKABLE = tuple(WORKABLE_STATUSES)  # backed by the partial index claim_take_next_idx
# Open work counted against an agent's limit.
OPEN_STATUSES = lifecycle.OPEN_STATUSES


def workable_statuses(user) -> list[str]:
    """The WORKABLE states in which this user may make at least one move."""
    return [s for s in WORKABLE if lifecycle.actions_for(s, user.has_perm)]


def claim_holder_refusal(*, claim: Claim, user) -> str | None:
    """Object-level rule: a claim held by another agent is theirs until reassigned. Why
    ``user`` may not act on ``claim`` for that reason, or None when they may."""
    if (
        claim.assignee_id
        and claim.assignee_id != user.pk
        and not user.has_perm("backoffice.assign_claims")
    ):
        return _("Claim %(ref)s is held by %(who)s; ask a supervisor to reassign it.") % {
            "ref": claim.reference,
            "who": claim.assignee.get_username(),
        }
    return None


def claim_holder_check(*, claim: Claim, user) -> None:
    """``claim_holder_refusal`` as an error, for the services that act on the claim."""
    refusal = claim_holder_refusal(claim=claim, user=user)
    if refusal:
        raise BackofficeError(refusal)


# --- assignment -------------------------------------------------------------------------------


def claim_take_next(*, user, now: dt.datetime | None = None) -> Claim:
    """Give ``user`` the most urgent unassigned claim they may work on, locked to them.

    Candidates are read in urgency order (earliest decision deadline first) and claimed with a
    conditional update ``WHERE assignee IS NULL``: if another agent took the same claim a moment
    earlier, the update changes no row and the next candidate is tried. Two agents never get the
    same claim, on PostgreSQL or SQLite.
    """
    statuses = workable_statuses(user)
    if not statuses:
        raise BackofficeError(_("There is no kind of claim you may work on."))
    for _attempt in range(5):
        candidates = list(
            claims_visible_to(user)
            .filter(assignee__isnull=True, status__in=statuses)
            .order_by("decision_due", "submitted_at", "id")
            .values_list("pk", flat=True)[:10]
        )
        if not candidates:
            break
        for pk in candidates:
            with transaction.atomic():
                taken = Claim.objects.filter(pk=pk, assignee__isnull=True).update(
                    assignee=user, updated_at=now or timezone.now()
                )
                if taken == 1:
                    claim = Claim.objects.select_related("assignee").get(pk=pk)
                    claim_event_add(
                        claim=claim,
                        actor=Actor.staff(user),
                        kind=EventKind.ASSIGNMENT,
                        reason=_("Taken from the queue"),
                        data={"from_user_id": None, "to_user_id": user.pk, "how": "take_next"},
                        now=now,
                    )
                    return claim
    raise BackofficeError(_("No unassigned claim is waiting for you. Well done."))


def assign_to_me_refusal(*, claim: Claim, user) -> str | None:
    """Why "Assign to me" would not give ``claim`` to ``user``, or None when it would: the
    object-level rule of who may take a claim, for the workspace (which offers the button only
    when this is None) and for ``claim_assign_to_me``.

    Anyone who moves claims may take a claim that is not already theirs and on which they have
    a move to make (``lifecycle.actions_for``). A claim another person holds is taken over only
    by someone who may assign claims (supervisors, ``claim_holder_refusal``). Reads nothing
    beyond the claim, its assignee and the user's permissions.
    """
    if not user.has_perm("claims.transition_claim"):
        return _("You do not have permission to work on claims.")
    if claim.assignee_id == user.pk:
        return _("Claim %(ref)s is already yours.") % {"ref": claim.reference}
    if not lifecycle.actions_for(claim.status, user.has_perm):
        words = {"ref": claim.reference, "status": claim.get_status_display()}
        if claim.assignee_id is not None:
            return _(
                "Claim %(ref)s is %(status)s and held by %(who)s: "
                "there is nothing you can do on it."
            ) % {**words, "who": claim.assignee.get_username()}
        return _("Claim %(ref)s is %(status)s: there is nothing you can do on it.") % words
    return claim_holder_refusal(claim=claim, user=user)


def claim_assign_to_me(*, claim: Claim, user, now: dt.datetime | None = None) -> Claim:
    """ "Assign to me": take ``claim`` if ``assign_to_me_refusal`` allows it.

    Taking over a claim another person holds is a reassignment with an event naming the
    previous holder. Taking an unassigned claim is a conditional update
    ``WHERE assignee IS NULL``: if someone took it a moment earlier (after the page offered it),
    this is refused rather than taking it from them.
    """
    refusal = assign_to_me_refusal(claim=claim, user=user)
    if refusal:
        raise BackofficeError(refusal)
    if claim.assignee_id is not None:
        return claim_reassign(
            claim=claim,
            assignee=user,
            actor_user=user,
            reason=_("Taken over from %(who)s") % {"who": claim.assignee.get_username()},
        )
    with transaction.atomic():
        taken = Claim.objects.filter(pk=claim.pk, assignee__isnull=True).update(
            assignee=user, updated_at=now or timezone.now()
        )
        if taken != 1:
            holder = Claim.objects.select_related("assignee").get(pk=claim.pk).assignee
            raise BackofficeError(
                _("Claim %(ref)s was just taken by %(who)s.")
                % {"ref": claim.reference, "who": holder.get_username() if holder else "?"}
            )
        claim_event_add(
            claim=claim,
            actor=Actor.staff(user),
            kind=EventKind.ASSIGNMENT,
            reason=_("Assigned to themself"),
            data={"from_user_id": None, "to_user_id": user.pk, "how": "assign_to_me"},
            now=now,
        )
    return Claim.objects.select_related("assignee").get(pk=claim.pk)


def assignee_refusal(*, claim: Claim, assignee) -> str | None:
    """Why ``claim`` may not be given to ``assignee`` (None: released), or None when it may:
    ``claim_reassign``'s rule, which the workspace's form asks too (said beside the name)."""
    if assignee is None:
        return None
    if not assignee.has_perm("claims.view_claim"):
        return _("%(who)s cannot work on claims.") % {"who": assignee}
    if not claims_visible_to(assignee).filter(pk=claim.pk).exists():
        return _("%(who)s is not assigned to the region %(region)s.") % {
            "who": assignee.get_username(),
            "region": claim.region.code,
        }
    if claim.assignee_id == assignee.pk:
        return _("Claim %(ref)s is already assigned to %(who)s.") % {
            "ref": claim.reference,
            "who": assignee.get_username(),
        }
    return None


def claim_reassign(*, claim: Claim, assignee, actor_user, reason: str) -> Claim:
    """Assign or reassign a claim, with a reason on the timeline."""
    reason = reason.strip()
    if not reason:
        raise BackofficeError(_("Give a reason for the assignment."))
    refusal = assignee_refusal(claim=claim, assignee=assignee)
    if refusal:
        raise BackofficeError(refusal)
    return claim_assign(
        claim=claim, assignee=assignee, actor=Actor.staff(actor_user), reason=reason
    )


def claims_auto_assign(*, batch: int = 200, now: dt.datetime | None = None) -> int:
    """Round-robin: hand unassigned workable claims to agents who are in and under their limit.

    Agents are taken least-loaded first; each claim is claimed with the same conditional update
    as "Take next", so a concurrent take or a second run never double-assigns. Returns how many
    claims were assigned.
    """
    from claims import roles

    users = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.AGENT)
        .exclude(staff_profile__away=True)
        .annotate(
            open_claims=Count(
                "assigned_claims", filter=Q(assigned_claims__status__in=OPEN_STATUSES)
            )
        )
        .select_related("staff_profile")
        .order_by("open_claims", "pk")
    )
    load = {}
    for user in users:
        try:
            limit = user.staff_profile.max_open_claims
        except StaffProfile.DoesNotExist:
            limit = StaffProfile._meta.get_field("max_open_claims").default
        regions = set(staff_region_ids(user))
        load[user.pk] = [user.open_claims, limit, user, workable_statuses(user), regions]
    assigned = 0
    claims = Claim.objects.filter(assignee__isnull=True, status__in=WORKABLE).order_by(
        "decision_due", "submitted_at", "id"
    )[:batch]
    for claim in claims:
        eligible = [
            entry
            for entry in load.values()
            if entry[0] < entry[1] and claim.status in entry[3] and claim.region_id in entry[4]
        ]
        if not eligible:
            continue
        entry = min(eligible, key=lambda e: (e[0], e[2].pk))
        user = entry[2]
        with transaction.atomic():
            if Claim.objects.filter(pk=claim.pk, assignee__isnull=True).update(
                assignee=user, updated_at=now or timezone.now()
            ):
                claim_event_add(
                    claim=claim,
                    actor=Actor.system("auto-assignment"),
                    kind=EventKind.ASSIGNMENT,
                    reason=_("Round-robin auto-assignment"),
                    data={"from_user_id": None, "to_user_id": user.pk, "how": "auto"},
                    now=now,
                )
                notify_assigned(claim=claim, assignee_id=user.pk, actor_id=None)
                entry[0] += 1
                assigned += 1
    return assigned


# --- decisions, notes, messages ---------------------------------------------------------------


def claim_decide_approve(
    *,
    claim: Claim,
    user,
    approved: dict[int, int],
    funding: str | None = None,
    funding_reason: str = "",
    note: str,
    reasons: dict[int, str] | None = None,
) -> DecisionResult:
    """The back office's one call into approval: authority limits and four-eyes apply.

    Within the user's authority and under the four-eyes limit the claim is approved; above it,
    a request for a second approver is opened (``result.request``) and the claim stays under
    review until someone else approves it.
    """
    from payouts.services import decision_approve

    claim_holder_check(claim=claim, user=user)
    return decision_approve(
        claim=claim,
        actor=Actor.staff(user),
        approved=approved,
        funding=funding,
        funding_reason=funding_reason,
        note=note,
        reasons=reasons,
    )


class Recipient:
    CUSTOMER = "customer"
    SELLER = "seller"
    CHOICES = ((CUSTOMER, "customer"), (SELLER, "seller"))


def claim_message_send(*, claim: Claim, user, to: str, text: str) -> ClaimEvent:
    """A message to the customer or the seller: an event on the timeline (which their pages
    show) and an e-mail sent by the worker through the outbox, in one transaction."""
    text = text.strip()
    if to not in (Recipient.CUSTOMER, Recipient.SELLER):
        raise BackofficeError(_("Choose who the message is for."))
    if not text:
        raise BackofficeError(_("A message cannot be empty."))
    with transaction.atomic():
        event = claim_event_add(
            claim=claim,
            actor=Actor.staff(user),
            kind=EventKind.MESSAGE,
            reason=text,
            data={"to": to},
        )
        outbox_add(
            topic="backoffice.message_send",
            payload={"claim_id": claim.pk, "event_id": event.pk},
            dedupe_key=f"backoffice.message_send:{event.pk}",
        )
    return event


# --- tags -------------------------------------------------------------------------------------


def tag_clean(name: str) -> str:
    """The one rule for a tag's name, for the workspace and the queue's bulk action alike:
    spaces collapsed, lower case, 1 to 40 characters. A longer name is refused, never cut (the
    forms set no maxlength of their own: a browser drops what is typed beyond it)."""
    name = " ".join(name.split()).lower()
    if not name or len(name) > Tag._meta.get_field("name").max_length:
        raise BackofficeError(_("A tag needs a name of at most 40 characters."))
    return name


def claim_tag_add(*, claim: Claim, user, name: str) -> bool:
    """Tag a claim; returns False (writing nothing) if it already had the tag."""
    name = tag_clean(name)
    with transaction.atomic():
        tag, _created = Tag.objects.get_or_create(name=name)
        try:
            with transaction.atomic():
                ClaimTag.objects.create(claim=claim, tag=tag, added_by=user)
        except IntegrityError:
            return False
        claim_event_add(
            claim=claim,
            actor=Actor.staff(user),
            kind=EventKind.NOTE,
            reason=_("Tagged “%(tag)s”") % {"tag": name},
            data={"tag": name},
        )
    return True


# --- evidence staff receive ------------------------------------------------------------------


def evidence_add_refusal(*, claim: Claim, user) -> str | None:
    """Why ``user`` may not add files to ``claim`` now, or None when they may: staff with
    ``claims.add_evidence`` (agents, analysts, supervisors), on a claim they see (the caller
    found it through ``claims_visible_to``), until it is finished
    (``lifecycle.STAFF_EVIDENCE_CLOSED_STATUSES``). Like a note, it is not acting on the claim:
    whoever holds it, any of them may put a file that arrived by post or e-mail on it."""
    if not user.has_perm("claims.add_evidence"):
        return _("You may not add evidence to claims.")
    if claim.status in lifecycle.STAFF_EVIDENCE_CLOSED_STATUSES:
        return _("Claim %(ref)s is %(status)s: files can no longer be added.") % {
            "ref": claim.reference,
            "status": claim.get_status_display(),
        }
    return None


def claim_evidence_add(
    *, claim: Claim, user, files: list[tuple[str, bytes]], kind: str
) -> list[Evidence]:
    """Staff add files they received (a police report, a medical bill) to a claim, all or none,
    through the upload policy, each recorded on the timeline as theirs. They stay internal until
    staff share one with the customer (``claims.evidence``); fraud screening, which looks at the
    customer's own files only, does not run on them."""
    refusal = evidence_add_refusal(claim=claim, user=user)
    if refusal:
        raise BackofficeError(refusal)
    return evidence_add_all(claim=claim, files=files, kind=kind, actor=Actor.staff(user))


# --- bulk actions -----------------------------------------------------------------------------


@dataclass
class BulkResult:
    succeeded: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def bulk_action_checked(*, user, action: str, value: str):
    """What a bulk action needs before it touches any claim: ``claims_bulk``'s checks, which
    the queue's form asks too (each refusal said beside its ``BulkRefused.field``). Returns
    what to act with: the assignee for "assign" (``value``: their id), the tag cleaned, the
    message."""
    if action == "assign":
        if not user.has_perm("backoffice.assign_claims"):
            raise BulkRefused(_("You do not have permission to assign claims."))
        assignee = get_user_model().objects.filter(pk=value or None, is_active=True).first()
        if assignee is None:
            raise BulkRefused(_("Choose who gets the claims."), field="assignee")
        return assignee
    if action == "assign_me":
        if not user.has_perm("claims.transition_claim"):
            raise BulkRefused(_("You do not have permission to work on claims."))
        return None
    if action == "request_info":
        if not value.strip():
            raise BulkRefused(_("Say what information you need."), field="message")
        return value
    if action == "tag":
        try:
            return tag_clean(value)
        except BackofficeError as exc:
            raise BulkRefused(str(exc), field="tag") from exc
    raise BulkRefused(_("Choose an action."), field="action")


def claims_bulk(*, claims: list[Claim], user, action: str, value: str) -> BulkResult:
    """Apply one action to each claim on its own: one claim's failure does not stop the rest."""
    result = BulkResult()
    checked = bulk_action_checked(user=user, action=action, value=value)
    assignee = checked if action == "assign" else None
    value = checked if action in ("request_info", "tag") else value
    for claim in claims:
        try:
            if action == "assign":
                claim_reassign(
                    claim=claim, assignee=assignee, actor_user=user, reason=_("Bulk assignment")
                )
            elif action == "assign_me":
                claim_assign_to_me(claim=claim, user=user)
            elif action == "request_info":
                claim_holder_check(claim=claim, user=user)
                if claim.status == ClaimStatus.NEEDS_INFO:
                    raise BackofficeError(_("It is already waiting on the customer."))
                claim_request_info(claim=claim, actor=Actor.staff(user), message=value)
            elif not claim_tag_add(claim=claim, user=user, name=value):
                raise BackofficeError(_("It already has this tag."))
        except DOMAIN_ERRORS as exc:
            result.failed.append((claim.reference, str(exc)))
        else:
            result.succeeded.append(claim.reference)
    return result


# --- SLA breaches -----------------------------------------------------------------------------


def sla_breaches_record(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Record each clock that ran out as one event, exactly once per claim and clock.

    The ``SlaBreach`` unique constraint decides: a rerun or a concurrent sweeper fails to insert
    and writes no event. Bounded batches; returns how many breaches were recorded (the task
    runs again while it finds a full batch).
    """
    now = now or timezone.now()
    recorded = 0
    for clock, (field_name, _states) in CLOCKS.items():
        due = (
            Claim.objects.filter(clock_breached_q(clock, now))
            .exclude(sla_breaches__clock=clock)
            .order_by(field_name)
            .values_list("pk", field_name, "reference", "assignee_id")[:batch]
        )
        for pk, due_at, reference, assignee_id in due:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        SlaBreach.objects.create(
                            claim_id=pk, clock=clock, due_at=due_at, recorded_at=now
                        )
                except IntegrityError:
                    continue
                claim_event_add(
                    claim_id=pk,
                    kind=EventKind.NOTE,
                    actor=Actor.system("sla"),
                    reason=_("SLA breached: %(clock)s was due %(due)s")
                    % {"clock": SlaClock(clock).label, "due": due_at.isoformat()},
                    data={"sla_breach": clock, "due_at": due_at.isoformat()},
                    now=now,
                )
                sla_breach_notify(
                    claim_id=pk,
                    reference=reference,
                    assignee_id=assignee_id,
                    clock=clock,
                    due_at=due_at,
                    now=now,
                )
                recorded += 1
    return recorded
