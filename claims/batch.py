"""``claim_transition`` for a set of claims: the set-based sibling used by periodic jobs.

The same transition table, party and permission checks, the same compare-and-swap on the
status, one event per claim and the same follow-ups as ``claims.services.claim_transition``,
in a constant number of statements per batch (the seller-deadline escalation moves 100,000
claims within 3x of a single SQL statement). Rows that another transaction holds are skipped,
not waited for, so any number of workers can run the same job at once.

On PostgreSQL the lock, the update, the events and the outbox rows are one statement (the work
stays in the database); elsewhere (the embedded SQLite default) the same steps run through the
ORM. ``tests/claims/test_batch.py`` holds both paths to the same results.
"""

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import lifecycle
from claims.actors import Actor
from claims.exceptions import ConcurrentTransition, InvalidTransition, TransitionNotPermitted
from claims.models import Claim, ClaimEvent, ClaimStatus, EventKind, Party

# Columns a batch may set together with the status (a subset of claim_transition's).
BATCH_FIELDS = frozenset({"funding", "decision_due", "seller_respond_by", "customer_info_due"})


def claim_transition_batch(
    *,
    claim_ids: list[int],
    from_status: str,
    to: str,
    actor: Actor,
    reason: str = "",
    updates: dict | None = None,
    data: dict | None = None,
    reasons: dict[int, str] | None = None,
    data_by_claim: dict[int, dict] | None = None,
    now: dt.datetime | None = None,
    use_sql: bool | None = None,
    via: lifecycle.Via = lifecycle.Via.STAFF,
) -> list[int]:
    """Move the claims of ``claim_ids`` that are still ``from_status`` to ``to``.

    Must run inside ``transaction.atomic()`` (the follow-ups are dispatched on its commit).
    Returns the ids this call moved; claims already moved, or locked by another worker right
    now, are left out. So are claims waiting for the customer that ``lifecycle.leaves_needs_info``
    keeps where they are (asked from a fraud hold, they go back only to the hold, for the
    analyst): the move ``claim_transition`` would refuse them, left for their own path.
    Clock fields are not recomputed: pass them in ``updates``.
    ``reasons`` and ``data_by_claim`` (keyed by claim id) give a claim's event its own reason
    (instead of ``reason``) and add to its event data (e.g. the claim's own payout reference).
    """
    to = ClaimStatus(to)
    from_status = ClaimStatus(from_status)
    updates = dict(updates or {})
    if not BATCH_FIELDS.issuperset(updates):
        raise ValueError(f"A batch transition cannot set {sorted(set(updates) - BATCH_FIELDS)}")
    if to not in lifecycle.ALLOWED[from_status]:
        raise InvalidTransition(
            _("Claims that are %(from)s cannot become %(to)s.")
            % {"from": from_status.label, "to": to.label}
        )
    if via not in lifecycle.owners(from_status, to):
        raise TransitionNotPermitted(
            _("Claims cannot be moved to %(to)s this way.") % {"to": to.label}
        )
    if not lifecycle.party_may(actor.party, from_status, to) or (
        actor.party == Party.STAFF
        and not actor.has_perm(lifecycle.required_permission(from_status, to))
    ):
        raise TransitionNotPermitted(_("You may not move claims to %(to)s.") % {"to": to.label})
    if not claim_ids:
        return []
    now = now or timezone.now()
    event_data = {**(data or {}), **{k: _jsonable(v) for k, v in updates.items()}}
    topics = list(lifecycle.FOLLOW_UPS.get(to, ()))
    if use_sql is None:
        use_sql = connection.vendor == "postgresql"
    run = _batch_sql if use_sql else _batch_orm
    moved, outbox_ids = run(
        claim_ids=claim_ids,
        from_status=from_status,
        to=to,
        actor=actor,
        reason=reason,
        updates=updates,
        event_data=event_data,
        own={
            pk: {
                "reason": (reasons or {}).get(pk, reason),
                "data": (data_by_claim or {}).get(pk, {}),
            }
            for pk in {*(reasons or {}), *(data_by_claim or {})}
        },
        topics=topics,
        now=now,
    )
    if outbox_ids:
        from claims.outbox import dispatch_many_on_commit

        dispatch_many_on_commit(message_ids=outbox_ids, topics=topics)
    if moved:
        from webhooks.services import events_for_batch

        events_for_batch(claim_ids=moved, from_status=from_status, to=to, now=now)
    return moved


def _jsonable(value):
    return value.isoformat() if isinstance(value, dt.datetime) else value


def claims_paused_from(claim_ids: list[int]) -> dict[int, str]:
    """Where each claim was when it was last asked for information (its request's event
    remembers it), in one query; claims never asked are left out."""
    rows = (
        ClaimEvent.objects.filter(
            claim_id__in=claim_ids, kind=EventKind.STATUS, to_status=ClaimStatus.NEEDS_INFO
        )
        .order_by("created_at", "id")
        .values_list("claim_id", "from_status")
    )
    return dict(rows)  # the latest request of each claim wins


def _blocked_paused_from(to: str) -> list[str]:
    """The states (``""`` for none) a claim waiting for the customer cannot leave to ``to``
    from, as ``lifecycle.leaves_needs_info`` says: the SQL path's form of the same rule."""
    return [
        paused or ""
        for paused in (None, *ClaimStatus.values)
        if not lifecycle.leaves_needs_info(paused, to)
    ]


def _batch_orm(
    *, claim_ids, from_status, to, actor, reason, updates, event_data, own, topics, now
) -> tuple[list[int], list[int]]:
    from claims.models import Outbox

    locked = list(
        Claim.objects.select_for_update(skip_locked=True)
        .filter(pk__in=claim_ids, status=from_status)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if locked and from_status == ClaimStatus.NEEDS_INFO:
        paused = claims_paused_from(locked)
        locked = [pk for pk in locked if lifecycle.leaves_needs_info(paused.get(pk), to)]
    if not locked:
        return [], []
    changed = Claim.objects.filter(pk__in=locked, status=from_status).update(
        status=to, status_changed_at=now, updated_at=now, **updates
    )
    if changed != len(locked):  # pragma: no cover - the rows are locked by this transaction
        raise ConcurrentTransition(_("Claims changed while the batch was being moved."))
    events = ClaimEvent.objects.bulk_create(
        ClaimEvent(
            claim_id=pk,
            kind=EventKind.STATUS,
            from_status=from_status,
            to_status=to,
            actor_party=actor.party,
            actor=actor.user,
            actor_label=actor.label,
            reason=own[pk]["reason"] if pk in own else reason,
            data={**event_data, **own.get(pk, {}).get("data", {})},
            created_at=now,
        )
        for pk in locked
    )
    rows = Outbox.objects.bulk_create(
        Outbox(
            topic=topic,
            payload={"claim_id": e.claim_id, "event_id": e.pk},
            dedupe_key=f"{topic}:{e.pk}",
            created_at=now,
        )
        for e in events
        for topic in topics
    )
    return locked, [row.pk for row in rows]


def _batch_sql(
    *, claim_ids, from_status, to, actor, reason, updates, event_data, own, topics, now
) -> tuple[list[int], list[int]]:
    """Lock, compare-and-swap, events and outbox rows in one PostgreSQL statement.

    The rows are found by primary key only and their status is compared once they are locked
    (a locked row is its latest version). Filtering on the status in the same scan let the
    planner use the status index whenever its statistics undercounted ``from_status`` (a burst
    of claims entering it since the last ANALYZE) and scan every claim in that status, for
    each batch.
    """
    sets = "".join(f", {connection.ops.quote_name(name)} = %({name})s" for name in updates)
    blocked = _blocked_paused_from(to) if from_status == ClaimStatus.NEEDS_INFO else []
    # A claim waiting for the customer leaves only as leaves_needs_info allows from where its
    # latest information request found it (the status's event of claims_claimevent).
    paused = (
        """
               AND COALESCE((SELECT e.from_status FROM claims_claimevent e
                              WHERE e.claim_id = c.id AND e.kind = %(kind)s
                                AND e.to_status = %(from)s
                              ORDER BY e.created_at DESC, e.id DESC LIMIT 1), '')
                   <> ALL(%(blocked)s::text[])"""
        if blocked
        else ""
    )
    # Column names come from BATCH_FIELDS only (checked above); every value is a parameter.
    sql = f"""
        WITH locked AS (
            SELECT id, status FROM claims_claim
             WHERE id = ANY(%(ids)s)
             ORDER BY id
               FOR NO KEY UPDATE SKIP LOCKED
        ), moved AS (
            UPDATE claims_claim c
               SET status = %(to)s, status_changed_at = %(now)s, updated_at = %(now)s{sets}
              FROM locked
             WHERE c.id = locked.id AND locked.status = %(from)s{paused}
         RETURNING c.id
        ), events AS (
            INSERT INTO claims_claimevent (claim_id, kind, from_status, to_status, actor_party,
                                           actor_id, actor_label, reason, data, created_at)
            SELECT id, %(kind)s, %(from)s, %(to)s, %(party)s, %(actor_id)s, %(label)s,
                   COALESCE(%(own)s::jsonb -> id::text ->> 'reason', %(reason)s),
                   %(data)s::jsonb || COALESCE(%(own)s::jsonb -> id::text -> 'data', '{{}}'),
                   %(now)s
              FROM moved
         RETURNING id, claim_id
        ), outbox AS (
            INSERT INTO claims_outbox (topic, payload, dedupe_key, created_at, attempts,
                                       last_error)
            SELECT topic, jsonb_build_object('claim_id', e.claim_id, 'event_id', e.id),
                   topic || ':' || e.id, %(now)s, 0, ''
              FROM events e CROSS JOIN unnest(%(topics)s::text[]) AS topic
                ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING id
        )
        SELECT 'claim', claim_id FROM events
        UNION ALL
        SELECT 'outbox', id FROM outbox
    """  # noqa: S608
    params = {
        "ids": list(claim_ids),
        "from": str(from_status),
        "to": str(to),
        "now": now,
        "kind": str(EventKind.STATUS),
        "party": str(actor.party),
        "actor_id": actor.user.pk if actor.user else None,
        "label": actor.label,
        "reason": reason,
        "data": json.dumps(event_data, cls=DjangoJSONEncoder),
        "own": json.dumps({str(k): v for k, v in own.items()}, cls=DjangoJSONEncoder),
        "topics": topics,
        "blocked": blocked,
        **{
            name: str(value) if hasattr(value, "label") else value
            for name, value in updates.items()
        },
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    moved = sorted(pk for kind, pk in rows if kind == "claim")
    return moved, [pk for kind, pk in rows if kind == "outbox"]
