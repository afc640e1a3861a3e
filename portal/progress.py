"""The customer's view of a claim's path: the tracker's stages and the history in their words.

Both are built from the claim's own timeline (``portal.selectors.claim_timeline``); the stage
of each status is the lifecycle's (``claims.lifecycle.claim_stage``), never decided here.
Nothing internal reaches the customer: a fraud hold reads as checking, and only the events
that are the customer's own or addressed to them are in the history.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from claims.events import denial_explanation
from claims.lifecycle import (
    FINISHED_STATUSES,
    STAGE_BY_STATUS,
    STAGES,
    ClaimStatus,
    Party,
    Stage,
    claim_stage,
)
from claims.models import ClaimEvent, EventKind
from portal import wording

S = ClaimStatus


@dataclass(frozen=True)
class TrackerStep:
    stage: Stage
    number: int
    label: str
    state: str  # done, current, waiting, ended, upcoming, skipped
    state_label: str

    @property
    def current(self) -> bool:
        return self.state in ("current", "waiting", "ended")


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    text: str
    quote: str = ""


def status_path(events: Sequence[ClaimEvent]) -> list[str]:
    """The statuses the claim entered, oldest first."""
    return [e.to_status for e in events if e.kind == EventKind.STATUS and e.to_status]


def claim_tracker(
    *, status: str, events: Sequence[ClaimEvent], seller_needed: bool
) -> list[TrackerStep]:
    """The five stages, each with where it stands in words; exactly one is the current one.

    ``seller_needed`` is the funding policy's (``Claim.is_at_or_under_threshold``): above the
    threshold the seller answers first, so a claim that has not been with the seller yet has
    that stage to come (or, once it ended, not reached), never "not needed".
    """
    path = status_path(events) or [status]
    if path[-1] != status:
        path.append(status)
    current = claim_stage(path)
    visited = {STAGE_BY_STATUS[s] for s in path if s in STAGE_BY_STATUS}
    index = STAGES.index(current)
    ended = status in (S.DENIED, S.PAID, *FINISHED_STATUSES)
    steps = []
    for number, stage in enumerate(STAGES, start=1):
        position = STAGES.index(stage)
        if position < index and stage in visited:
            state, text = "done", wording.STEP_DONE
        elif position < index and not (stage == Stage.SELLER and seller_needed):
            state, text = "skipped", wording.STEP_SKIPPED
        elif position < index:
            # The seller must still answer (the policy), though the claim is further on.
            state, text = (
                ("skipped", wording.STEP_NOT_REACHED)
                if ended
                else ("upcoming", wording.STEP_TO_COME)
            )
        elif position == index:
            if ended:
                # A closed claim says how it ended: paid, not approved, withdrawn.
                before = path[-2] if len(path) > 1 else ""
                how = before if status == S.CLOSED and before in wording.STEP_ENDED else status
                state, text = "ended", wording.STEP_ENDED[how]
            elif status == S.NEEDS_INFO:
                state, text = "waiting", wording.STEP_WAITING_FOR_YOU
            else:
                state, text = "current", wording.STEP_NOW
        elif ended:
            state, text = "skipped", wording.STEP_NOT_REACHED
        else:
            state, text = "upcoming", wording.STEP_TO_COME
        steps.append(
            TrackerStep(
                stage=stage,
                number=number,
                label=str(wording.STAGE_LABELS[stage]),
                state=state,
                state_label=str(text),
            )
        )
    return steps


def _for_the_customer(event: ClaimEvent) -> bool:
    """Whether the customer sees this event: their own files, messages addressed to them (a
    staff message, their payment details), every status change. Never what was addressed to
    the seller or insurer, nor anyone else's files."""
    if event.kind == EventKind.STATUS:
        return bool(event.to_status)
    if event.kind == EventKind.EVIDENCE:
        return event.actor_party == Party.CUSTOMER
    if event.kind == EventKind.MESSAGE:
        data = event.data or {}
        return data.get("to") == "customer" or bool(data.get("payee"))
    return False


def _entry(event: ClaimEvent) -> HistoryEntry:
    if event.kind == EventKind.EVIDENCE:
        return HistoryEntry(
            event.created_at, str(wording.HISTORY_FILE_ADDED) % {"name": event.reason}
        )
    if event.kind == EventKind.MESSAGE:
        if (event.data or {}).get("payee"):
            return HistoryEntry(event.created_at, event.reason)
        return HistoryEntry(event.created_at, str(wording.HISTORY_WE_WROTE), quote=event.reason)
    to, frm = event.to_status, event.from_status
    if frm == S.NEEDS_INFO and event.actor_party == Party.CUSTOMER and to != S.WITHDRAWN:
        return HistoryEntry(event.created_at, str(wording.HISTORY_ANSWERED), quote=event.reason)
    if to == S.UNDER_REVIEW and frm in (S.PAID, S.PAYOUT_PENDING):
        return HistoryEntry(event.created_at, str(wording.HISTORY_PAYMENT_RETURNED))
    # What staff wrote to the customer: the question they asked, the reason for a denial (a
    # fixed one in the customer's language).
    quote = {S.NEEDS_INFO: event.reason, S.DENIED: denial_explanation(event.reason)}.get(to, "")
    return HistoryEntry(event.created_at, str(wording.HISTORY[to]), quote=quote)


def customer_events(events: Sequence[ClaimEvent]) -> list[tuple[ClaimEvent, HistoryEntry]]:
    """The events the customer is told of, each with its entry, oldest first; a status change
    that reads like the one before it (checking, then more checking) is said once, even with a
    file added in between. The claim page's history and the data export both read it."""
    shown: list[tuple[ClaimEvent, HistoryEntry]] = []
    last_step = ""
    for event in events:
        if not _for_the_customer(event):
            continue
        entry = _entry(event)
        if event.kind == EventKind.STATUS:
            if not entry.quote and entry.text == last_step:
                continue
            last_step = entry.text
        shown.append((event, entry))
    return shown


def customer_history(events: Sequence[ClaimEvent]) -> list[HistoryEntry]:
    """The history written for the customer, oldest first (``customer_events``)."""
    return [entry for _event, entry in customer_events(events)]
