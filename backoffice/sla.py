"""SLA clocks: which deadline of a claim is running, how close it is, and which have run out.

Three clocks, each a timestamp already kept on the claim by ``claims.services``:

- seller response: ``seller_respond_by``, running while the claim is awaiting the seller;
- customer information: ``customer_info_due``, running while the claim needs information;
- decision target: ``decision_due`` (region policy, 90 days), running while a decision is still
  to be made. Waiting on the customer pauses it: ``claim_transition`` pushes ``decision_due``
  out by the pause when the customer answers, so it is not live in ``needs_info``.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.models import SlaClock
from claims.models import DECIDING_STATUSES
from claims.models import ClaimStatus as S

# States in which the decision clock runs (a decision is still to be made, and nobody is
# waiting on the customer).
DECIDING = tuple(DECIDING_STATUSES)  # backed by the partial index claim_decision_due_idx

# How long before a deadline a clock shows "at risk".
AT_RISK = {
    SlaClock.SELLER_RESPONSE: dt.timedelta(hours=24),
    SlaClock.CUSTOMER_INFO: dt.timedelta(hours=48),
    SlaClock.DECISION: dt.timedelta(days=7),
}

# clock -> (claim field, the states in which it runs)
CLOCKS: dict[str, tuple[str, tuple[str, ...]]] = {
    SlaClock.SELLER_RESPONSE: ("seller_respond_by", (S.AWAITING_SELLER,)),
    SlaClock.CUSTOMER_INFO: ("customer_info_due", (S.NEEDS_INFO,)),
    SlaClock.DECISION: ("decision_due", DECIDING),
}


@dataclass(frozen=True)
class ClockState:
    clock: str
    label: str
    due: dt.datetime
    state: str  # "ok", "at-risk", "breached"

    @property
    def state_label(self) -> str:
        return {"ok": _("on time"), "at-risk": _("at risk"), "breached": _("breached")}[self.state]


def claim_clocks(claim, *, now: dt.datetime | None = None) -> list[ClockState]:
    """The clocks running on this claim now, with their state."""
    now = now or timezone.now()
    found = []
    for clock, (field, states) in CLOCKS.items():
        due = getattr(claim, field)
        if claim.status not in states or due is None:
            continue
        if due <= now:
            state = "breached"
        elif due - now <= AT_RISK[clock]:
            state = "at-risk"
        else:
            state = "ok"
        found.append(ClockState(clock, SlaClock(clock).label, due, state))
    return found


def worst_state(clocks: list[ClockState]) -> str:
    states = {c.state for c in clocks}
    for state in ("breached", "at-risk"):
        if state in states:
            return state
    return "ok" if clocks else ""


def due_before_q(moment: dt.datetime) -> Q:
    """Claims with a running clock due at or before ``moment`` (each arm has a partial index)."""
    query = Q()
    for field, states in CLOCKS.values():
        if len(states) == 1:
            query |= Q(status=states[0], **{f"{field}__lte": moment})
        else:
            query |= Q(status__in=states, **{f"{field}__lte": moment})
    return query


def clock_breached_q(clock: str, now: dt.datetime) -> Q:
    field, states = CLOCKS[clock]
    return Q(status__in=states, **{f"{field}__lte": now})
