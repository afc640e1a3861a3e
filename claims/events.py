"""The claim's timeline: the one writer of ``ClaimEvent`` rows.

``claim_event_add`` writes one event and ``claim_events_add`` many in one statement; nothing
else creates them (``tests/claims/test_contract.py`` checks the source). The set-based
transition (``claims.batch``) writes its status events in the same SQL statement as the move,
through ``claims.batch``'s own statement, on PostgreSQL only.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from claims.actors import Actor
from claims.models import ClaimEvent, EventKind


def claim_event_add(
    *,
    claim=None,
    claim_id: int | None = None,
    actor: Actor,
    kind: str = EventKind.STATUS,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict | None = None,
    now: dt.datetime | None = None,
) -> ClaimEvent:
    """Append one event to a claim's timeline (``claim`` or ``claim_id``); events are never
    updated or deleted."""
    event = ClaimEvent.objects.create(
        claim_id=claim.pk if claim is not None else claim_id,
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
    _tell_api_clients([event])
    return event


@dataclass(frozen=True)
class EventSpec:
    """One event for ``claim_events_add``."""

    claim_id: int
    kind: str
    reason: str = ""
    data: dict = field(default_factory=dict)
    from_status: str = ""
    to_status: str = ""


def claim_events_add(
    *, events: list[EventSpec], actor: Actor, now: dt.datetime | None = None
) -> list[ClaimEvent]:
    """Append many events by one actor in one statement (periodic jobs, batches)."""
    now = now or timezone.now()
    created = ClaimEvent.objects.bulk_create(
        ClaimEvent(
            claim_id=spec.claim_id,
            kind=spec.kind,
            from_status=spec.from_status,
            to_status=spec.to_status,
            actor_party=actor.party,
            actor=actor.user,
            actor_label=actor.label,
            reason=spec.reason,
            data=spec.data,
            created_at=now,
        )
        for spec in events
    )
    _tell_api_clients(created)
    return created


def _tell_api_clients(events: list[ClaimEvent]) -> None:
    """The integration API's events (and webhook deliveries) for these claim events, in the
    same transaction: the database is the webhooks' outbox (issue 15)."""
    from webhooks.services import events_for_claim_events

    events_for_claim_events(events)


# Denial explanations the marketplace writes itself from a fixed list, not typed by staff (a
# fraud denial with none typed): stored as their English source, whatever language the staff
# member read, and read in the reader's language (``denial_explanation``).
FRAUD_DENIAL_EXPLANATION = gettext_noop("We could not verify this claim and it has been declined.")
FIXED_DENIAL_EXPLANATIONS = frozenset({FRAUD_DENIAL_EXPLANATION})


def denial_explanation(text: str) -> str:
    """A denial's explanation for its reader: one from the fixed list in the active language,
    what staff typed as typed."""
    return gettext(text) if text in FIXED_DENIAL_EXPLANATIONS else text
