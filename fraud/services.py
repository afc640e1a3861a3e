"""Analysts' writes: holds and decisions, taking and reassigning cases, watchlists, rule
changes. Status changes go through claims.services; adjuster referrals are in fraud.referrals."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, validate_email, validate_ipv46_address
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.events import FRAUD_DENIAL_EXPLANATION
from claims.exceptions import ClaimError, InvalidTransition
from claims.lifecycle import Via
from claims.models import Claim, ClaimStatus, DenialReason
from claims.scope import claims_visible_to
from claims.services import claim_assign, claim_transition
from fraud.models import (
    AttributeKind,
    ClaimAttribute,
    FraudDecision,
    FraudLabel,
    FraudReview,
    Rule,
    RuleVersion,
    WatchlistEntry,
)
from fraud.normalise import address_normalise, email_normalise, phone_normalise, token_normalise


class FraudError(ClaimError):
    """A fraud-review rule refused the action; the message is safe to show."""


def _need_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise FraudError(_("Write a note saying why: it is the record of your decision."))
    return note


def _need_hold(claim: Claim) -> None:
    if claim.status == ClaimStatus.FRAUD_HOLD:
        return
    decided = (
        FraudReview.objects.filter(claim=claim)
        .exclude(decision=FraudDecision.HOLD)
        .select_related("analyst")
        .order_by("-created_at", "-pk")
        .first()
    )
    if decided is None:
        raise InvalidTransition(_("Claim %(ref)s is not on fraud hold.") % {"ref": claim.reference})
    raise InvalidTransition(
        _("Claim %(ref)s was already decided by %(who)s (%(decision)s); nothing was changed.")
        % {
            "ref": claim.reference,
            "who": decided.analyst.get_username() if decided.analyst else _("the system"),
            "decision": decided.get_decision_display(),
        }
    )


@transaction.atomic
def fraud_hold(*, claim: Claim, actor: Actor, note: str) -> FraudReview:
    claim = claim_transition(
        claim=claim, to=ClaimStatus.FRAUD_HOLD, actor=actor, reason=note, via=Via.FRAUD
    )
    return FraudReview.objects.create(
        claim=claim, analyst=actor.user, decision=FraudDecision.HOLD, note=note
    )


# The labels each decision may carry: clearing says the alert was wrong or still useful;
# confirming is the risk confirmed; a referral may carry any. A contradictory pair ("confirm
# fraud", "false positive") is refused, never quietly recorded as something else.
DECISION_LABELS: dict[str, frozenset[str]] = {
    "clear": frozenset({FraudLabel.FALSE_POSITIVE, FraudLabel.VALUABLE_ALERT}),
    "confirm": frozenset({FraudLabel.RISK_CONFIRMED}),
    "refer": frozenset(FraudLabel.values),
}


def fraud_label_problem(*, decision: str, label: str) -> str:
    """Why ``label`` cannot go with ``decision``, or "" when it can."""
    if label in DECISION_LABELS.get(decision, ()):
        return ""
    if decision == "clear":
        return _("Clearing a claim needs a false-positive or valuable-alert label.")
    if decision == "confirm":
        return _("Confirming fraud needs the label “risk confirmed”.")
    return _("Choose a label for the referral.")


@transaction.atomic
def fraud_clear(*, claim: Claim, actor: Actor, label: str, note: str) -> FraudReview:
    """Release a fraud hold: the claim goes on to the seller."""
    problem = fraud_label_problem(decision="clear", label=label)
    if problem:
        raise InvalidTransition(problem)
    claim.refresh_from_db()
    _need_hold(claim)
    note = _need_note(note)
    claim = claim_transition(
        claim=claim,
        to=ClaimStatus.AWAITING_SELLER,
        via=Via.FRAUD,
        actor=actor,
        reason=note,
        data={"fraud_label": label},
    )
    review = FraudReview.objects.create(
        claim=claim, analyst=actor.user, decision=FraudDecision.CLEARED, label=label, note=note
    )
    if claim.assignee_id is not None:
        # The fraud case is closed: the claim goes back to the claims team's queues.
        claim = claim_assign(
            claim=claim, assignee=None, actor=actor, reason=_("Released after fraud review")
        )
    return review


@transaction.atomic
def fraud_confirm(
    *,
    claim: Claim,
    actor: Actor,
    note: str,
    explanation: str = "",
    watchlist_kinds: Iterable[str] = (),
    watchlist_days: int | None = 365,
) -> FraudReview:
    """Confirm fraud: an analyst's decision only, never automatic. Denies the claim (reason
    "fraud", ``explanation`` for the customer) and can put the claim's attributes on watch."""
    claim.refresh_from_db()
    _need_hold(claim)
    note = _need_note(note)
    kinds = set(watchlist_kinds)
    if not kinds <= set(AttributeKind.values):
        raise FraudError(_("Unknown watchlist kind."))
    from payouts.services.decisions import decision_deny

    claim = decision_deny(
        claim=claim,
        actor=actor,
        reason_code=DenialReason.FRAUD,
        # None typed: the fixed one, stored untranslated and read in the customer's language.
        explanation=(explanation or "").strip() or FRAUD_DENIAL_EXPLANATION,
        data={"fraud_label": FraudLabel.RISK_CONFIRMED},
    )
    review = FraudReview.objects.create(
        claim=claim,
        analyst=actor.user,
        decision=FraudDecision.CONFIRMED,
        label=FraudLabel.RISK_CONFIRMED,
        note=note,
    )
    expires = timezone.now() + dt.timedelta(days=watchlist_days) if watchlist_days else None
    for kind, value in ClaimAttribute.objects.filter(claim=claim, kind__in=kinds).values_list(
        "kind", "value"
    ):
        if not WatchlistEntry.objects.filter(kind=kind, value=value).exists():
            WatchlistEntry.objects.create(
                kind=kind,
                value=value,
                reason=_("Fraud confirmed on %(ref)s") % {"ref": claim.reference},
                added_by=actor.user,
                source_claim=claim,
                expires_at=expires,
            )
    return review


# --- taking cases ------------------------------------------------------------------------


def fraud_next_case(*, analyst, actor: Actor | None = None) -> Claim | None:
    """Lock the highest-risk, oldest unassigned held claim to ``analyst``.

    Compare-and-swap on ``assignee IS NULL``: of two analysts pressing at the same moment, one
    wins each claim and the other moves on to the next; safe on PostgreSQL and SQLite alike.
    """
    actor = actor or Actor.staff(analyst)
    if not actor.has_perm("claims.review_fraud"):
        raise FraudError(_("Only fraud analysts take cases from the fraud queue."))
    for _attempt in range(5):
        candidates = list(
            claims_visible_to(analyst)
            .filter(status=ClaimStatus.FRAUD_HOLD, assignee__isnull=True)
            .order_by(F("risk_score").desc(nulls_last=True), "submitted_at", "pk")
            .values_list("pk", flat=True)[:20]
        )
        if not candidates:
            return None
        for pk in candidates:
            with transaction.atomic():
                taken = Claim.objects.filter(
                    pk=pk, status=ClaimStatus.FRAUD_HOLD, assignee__isnull=True
                ).update(assignee=analyst, updated_at=timezone.now())
                if taken:
                    claim = Claim.objects.get(pk=pk)
                    # The timeline records who took it (the swap above already made it theirs).
                    return claim_assign(
                        claim=claim, assignee=analyst, actor=actor, reason=_("Next case")
                    )
    return None


@transaction.atomic
def fraud_reassign(*, claim: Claim, assignee, actor: Actor, reason: str) -> Claim:
    reason = (reason or "").strip()
    if not reason:
        raise FraudError(_("Give a reason for the reassignment."))
    if not actor.has_perm("claims.review_fraud"):
        raise FraudError(_("You may not reassign fraud cases."))
    if assignee is not None and not assignee.has_perm("claims.review_fraud"):
        raise FraudError(_("%(user)s is not a fraud analyst.") % {"user": assignee.get_username()})
    claim.refresh_from_db()
    _need_hold(claim)
    return claim_assign(claim=claim, assignee=assignee, actor=actor, reason=reason)


# --- watchlists ---------------------------------------------------------------------------


# The longest value of each kind that can be watched: an e-mail address's limit (RFC 5321), an
# IPv6 address with its zone, a phone number as people type it, and the stored column's 300.
WATCH_MAX_LENGTH = {
    AttributeKind.EMAIL: 254,
    AttributeKind.PHONE: 40,
    AttributeKind.ADDRESS: 300,
    AttributeKind.PAYOUT: 128,
    AttributeKind.DEVICE: 200,
    AttributeKind.IP: 45,
}


def watchlist_value(*, kind: str, value: str) -> str:
    """``value`` as it is watched (normalised as the claims' attributes are); a ``FraudError``
    saying what is wrong when it is too long or not a value of this kind."""
    value = (value or "").strip()
    try:
        MaxLengthValidator(WATCH_MAX_LENGTH.get(kind, 300))(value)
        if kind == AttributeKind.EMAIL:
            validate_email(value)
        elif kind == AttributeKind.IP:
            validate_ipv46_address(value)
    except ValidationError as exc:
        raise FraudError(exc.messages[0]) from None
    if kind == AttributeKind.EMAIL:
        normalised = email_normalise(value)
    elif kind == AttributeKind.PHONE:
        normalised = phone_normalise(value)
    elif kind == AttributeKind.ADDRESS:
        # One line typed by a person: "12 Elm Street, Apt 4, 62701 US" (country last).
        parts = [p.strip() for p in value.split(",") if p.strip()]
        country = parts.pop() if len(parts) > 1 and len(parts[-1]) == 2 else ""
        normalised = address_normalise(line1=" ".join(parts), country=country)
    else:
        normalised = token_normalise(value)
    if not normalised:
        raise FraudError(_("“%(value)s” is not a valid value of this kind.") % {"value": value})
    return normalised


@transaction.atomic
def watchlist_add(
    *,
    kind: str,
    value: str,
    reason: str,
    actor: Actor,
    expires_at: dt.datetime | None = None,
    source_claim: Claim | None = None,
) -> WatchlistEntry:
    if kind not in AttributeKind.values:
        raise FraudError(_("Choose what kind of value to watch."))
    normalised = watchlist_value(kind=kind, value=value)
    reason = (reason or "").strip()
    if not reason:
        raise FraudError(_("Say why this value is on the watchlist."))
    if expires_at is not None and expires_at <= timezone.now():
        raise FraudError(_("The expiry must be in the future."))
    if WatchlistEntry.objects.filter(kind=kind, value=normalised).exists():
        raise FraudError(_("“%(value)s” is already on the watchlist.") % {"value": normalised})
    return WatchlistEntry.objects.create(
        kind=kind,
        value=normalised,
        reason=reason[:300],
        added_by=actor.user,
        expires_at=expires_at,
        source_claim=source_claim,
    )


def watchlist_expire(*, entry: WatchlistEntry, actor: Actor) -> WatchlistEntry:
    """End a watch now (kept for the record)."""
    WatchlistEntry.objects.filter(pk=entry.pk).update(expires_at=timezone.now())
    entry.refresh_from_db()
    return entry


# --- rules --------------------------------------------------------------------------------


def rule_params_problems(*, code: str, params: dict) -> dict[str, str]:
    """What is wrong with ``params`` for rule ``code``: each problem by the parameter's key
    ("" for keys the rule does not take), every problem at once, empty when nothing is. The
    one check of a rule's parameters: ``rule_update`` refuses what it finds, and the edit form
    shows each problem beside its field."""
    from fraud.rules import PARAMS, params_taken

    takes = params_taken(code)
    problems = {}
    unknown = sorted(set(params) - set(takes))
    if unknown:
        problems[""] = _("Unknown parameter(s): %(names)s.") % {"names": ", ".join(unknown)}
    for key in sorted(set(params) & set(takes)):
        param, value = PARAMS[key], params[key]
        if param.choices:
            allowed = {choice for choice, _label in param.choices}
            if not isinstance(value, list) or not set(value) <= allowed:
                problems[key] = _("Choose from the list.")
            elif not value:
                problems[key] = _("Choose at least one.")
        elif (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not param.minimum <= value <= param.maximum
        ):
            problems[key] = _("Enter a whole number from %(min)d to %(max)d.") % {
                "min": param.minimum,
                "max": param.maximum,
            }
    return problems


def rule_unchanged(*, rule: Rule, weight: int, params: dict, enabled: bool) -> bool:
    """Whether saving these values would change nothing scoring reads: the same weight and
    switch, and every parameter as scoring reads it now (stored, else the rule's default),
    with no stored parameter the rule no longer takes (a save leaves those out: a change).
    A version differing in nothing would only fill the history."""
    from fraud.rules import params_taken

    takes = params_taken(rule.code)
    stored = rule.params if isinstance(rule.params, dict) else {}
    current = {**takes, **stored}
    return (
        rule.weight == weight
        and rule.enabled == enabled
        and set(stored) <= set(takes)
        and {key: current[key] for key in takes}
        == {key: params.get(key, takes[key]) for key in takes}
    )


def rule_unchanged_said(*, rule: Rule) -> str:
    """What saving a rule's own values again comes to: nothing (``rule_unchanged``)."""
    return _("Nothing changed: rule %(name)s stays at version %(version)d.") % {
        "name": rule.label,
        "version": rule.version,
    }


def rule_update(
    *,
    rule: Rule,
    expected_version: int,
    weight: int,
    params: dict,
    enabled: bool,
    actor: Actor,
    reason: str,
) -> Rule:
    """Change a rule's weight, parameters or switch; a new version, never rewriting old hits.
    ``params`` may name only some of the rule's parameters (the rest keep their defaults)."""
    from fraud.rules import PARAMS

    reason = (reason or "").strip()
    if not reason:
        raise FraudError(_("Say why you are changing the rule."))
    if not 0 <= weight <= 100:
        raise FraudError(_("The weight must be between 0 and 100 points."))
    problems = rule_params_problems(code=rule.code, params=params)
    if problems:
        raise FraudError(
            " ".join(f"{PARAMS[k].label}: {p}" if k else p for k, p in problems.items())
        )
    if rule_unchanged(rule=rule, weight=weight, params=params, enabled=enabled):
        raise FraudError(rule_unchanged_said(rule=rule))
    with transaction.atomic():
        changed = Rule.objects.filter(pk=rule.pk, version=expected_version).update(
            weight=weight,
            params=params,
            enabled=enabled,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if not changed:
            raise FraudError(
                # The rule by its name, as the page names it (the placeholder keeps its msgid).
                _("Someone changed rule %(code)s while you were editing; reload and try again.")
                % {"code": rule.label}
            )
        rule.refresh_from_db()
        RuleVersion.objects.create(
            rule=rule,
            version=rule.version,
            weight=weight,
            params=params,
            enabled=enabled,
            changed_by=actor.user,
            reason=reason[:300],
        )
    return rule
