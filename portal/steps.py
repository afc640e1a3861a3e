"""The filing wizard's steps, and which eligibility rules each step answers.

``claims.eligibility.claim_eligibility`` checks everything at once. The wizard asks it with the
inputs known so far (neutral placeholders for the rest) and shows, at each step, only the
reasons that step's input introduced, so the customer reads each message where they can act.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.eligibility import claim_eligibility
from claims.models import LossKind

STEPS = [
    ("item", _("Item")),
    ("incident", _("What happened")),
    ("losses", _("Losses")),
    ("evidence", _("Evidence")),
    ("review", _("Review and submit")),
]
STEP_NAMES = [name for name, _label in STEPS]


@dataclass(frozen=True)
class _Loss:
    kind: str
    amount_minor: int


_NEUTRAL_LOSSES = [_Loss(kind=LossKind.PURCHASE_PRICE, amount_minor=1)]


def _reasons(*, line, incident_date: dt.date | None, losses, today: dt.date) -> list[str]:
    return claim_eligibility(
        order_line=line,
        incident_date=incident_date or max(today, line.delivered_on or today),
        losses=losses if losses is not None else _NEUTRAL_LOSSES,
        today=today,
    )


def step_reasons(*, step: str, line, incident_date=None, losses=None) -> list[str]:
    """The eligibility messages that belong to ``step``."""
    today = timezone.now().date()  # the same "today" as claims.services.claim_create
    if step == "item":
        return _reasons(line=line, incident_date=None, losses=None, today=today)
    before = _reasons(line=line, incident_date=None, losses=None, today=today)
    if step == "incident":
        now = _reasons(line=line, incident_date=incident_date, losses=None, today=today)
    else:
        before = _reasons(line=line, incident_date=incident_date, losses=None, today=today)
        now = _reasons(line=line, incident_date=incident_date, losses=losses, today=today)
    return [reason for reason in now if reason not in before]


def step_links(current: str) -> list[dict]:
    index = STEP_NAMES.index(current)
    return [
        {"name": name, "label": label, "number": i + 1, "current": i == index, "done": i < index}
        for i, (name, label) in enumerate(STEPS)
    ]
