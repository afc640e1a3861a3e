"""Four eyes: the person who asked for a money change never decides it.

One rule for both places it applies: an ``ApprovalRequest`` (a first approval above the
region's limit, waiting for a second approver) and a ``PayeeChange`` (staff asking for new
payment details). Each table keeps its own check constraint, because a constraint belongs to
its table and needs a name unique in the project, but both are built from
``decider_is_not_requester``; the services refuse earlier, with a message for the person
acting, through ``four_eyes_check``.
"""

from django.db.models import F, Q

from payouts.exceptions import FourEyesViolation


def decider_is_not_requester() -> Q:
    """The row's invariant: not decided yet, or decided by someone other than who asked."""
    return Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by"))


def four_eyes_check(*, requested_by_id: int, decider_id: int, refusal: str) -> None:
    """Refuse the decision when the one deciding is the one who asked; ``refusal`` says so in
    the words of the action (second approval, rejection, payee change)."""
    if decider_id == requested_by_id:
        raise FourEyesViolation(refusal)
