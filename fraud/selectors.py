"""Reads for the fraud workspace: scoped, prefetched querysets and the linked-claims graph."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from claims.evidence import Looker, Viewer, evidence_with_access
from claims.models import Claim, ClaimStatus, Evidence
from claims.scope import claims_visible_to
from fraud.models import (
    Assessment,
    ClaimAttribute,
    EvidencePhoto,
    FraudDecision,
    FraudReview,
    Referral,
    Rule,
    RuleHit,
)
from fraud.rules.photos import hamming

LINKED_LIMIT = 50


def fraud_queue(*, user) -> QuerySet[Claim]:
    """Claims on fraud hold in ``user``'s regions, highest risk first, then oldest."""
    return (
        claims_visible_to(user)
        .filter(status=ClaimStatus.FRAUD_HOLD)
        .select_related("region", "customer", "assignee")
        .order_by(F("risk_score").desc(nulls_last=True), "submitted_at", "pk")
    )


def fraud_claim(*, pk: int, user) -> Claim:
    return (
        claims_visible_to(user)
        .select_related(
            "region", "customer", "seller", "assignee", "order_line__order", "order_line__product"
        )
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=evidence_with_access(
                    Evidence.objects.order_by("created_at"),
                    looker=Looker(viewer=Viewer.STAFF, user=user),
                ),
            ),
            Prefetch("fraud_reviews", queryset=FraudReview.objects.select_related("analyst")),
            Prefetch("referrals", queryset=Referral.objects.select_related("report")),
        )
        .get(pk=pk)
    )


def assessment_latest(*, claim: Claim) -> Assessment | None:
    return (
        Assessment.objects.filter(claim=claim)
        .prefetch_related(Prefetch("hits", queryset=RuleHit.objects.select_related("rule")))
        .order_by("-created_at", "-id")
        .first()
    )


def assessment_history(*, claim: Claim) -> list[Assessment]:
    return list(Assessment.objects.filter(claim=claim).order_by("-created_at", "-id")[:20])


@dataclass
class Linked:
    claim: Claim
    degree: int
    shared: list[str] = field(default_factory=list)
    via: str = ""


class LinkedList(list):
    """Linked claims, and how many more are outside the viewer's regions."""

    def __init__(self, items, *, hidden_count: int = 0):
        super().__init__(items)
        self.hidden_count = hidden_count


def _sharing(pairs: set[tuple[str, str]], exclude: set[int]) -> list[tuple[int, str, str]]:
    if not pairs:
        return []
    match = Q()
    for kind, value in pairs:
        match |= Q(kind=kind, value=value)
    return list(
        ClaimAttribute.objects.filter(match)
        .exclude(claim_id__in=exclude)
        .values_list("claim_id", "kind", "value")[: LINKED_LIMIT * 4]
    )


def _photo_links(claim_ids: set[int], exclude: set[int]) -> list[tuple[int, int]]:
    """(this side's claim, other claim) pairs sharing the same or a near-identical photo."""
    photos = list(EvidencePhoto.objects.screened().filter(claim_id__in=claim_ids))
    if not photos:
        return []
    match = Q()
    for p in photos:
        match |= Q(band0=p.band0) | Q(band1=p.band1) | Q(band2=p.band2) | Q(band3=p.band3)
    others = list(
        EvidencePhoto.objects.screened().filter(match).exclude(claim_id__in=exclude)[:200]
    )
    return [
        (p.claim_id, o.claim_id) for p in photos for o in others if hamming(p.phash, o.phash) <= 3
    ]


def linked_claims(*, claim: Claim, user=None) -> list[Linked]:
    """Every claim sharing an attribute or a photo with this one (first degree), and with
    those (second degree), each with what it shares. A fixed number of queries.

    With ``user``, only the claims of their regions are listed (need-to-know,
    ``claims.scope``); ``hidden_count`` on the list says how many others there are."""
    own = set(ClaimAttribute.objects.filter(claim=claim).values_list("kind", "value"))
    labels = dict(ClaimAttribute._meta.get_field("kind").choices)
    first: dict[int, list[str]] = {}
    for claim_id, kind, value in _sharing(own, {claim.pk}):
        first.setdefault(claim_id, []).append(f"{labels[kind]}: {value}")
    for _mine, other in _photo_links({claim.pk}, {claim.pk}):
        first.setdefault(other, []).append(str(_("photo")))
    first_ids = set(list(first)[:LINKED_LIMIT])
    second: dict[int, list[str]] = {}
    via: dict[int, int] = {}
    if first_ids:
        owners: dict[tuple[str, str], int] = {}
        for claim_id, kind, value in ClaimAttribute.objects.filter(
            claim_id__in=first_ids
        ).values_list("claim_id", "kind", "value"):
            owners.setdefault((kind, value), claim_id)
        theirs = set(owners) - own
        for claim_id, kind, value in _sharing(theirs, first_ids | {claim.pk}):
            second.setdefault(claim_id, []).append(f"{labels[kind]}: {value}")
            via.setdefault(claim_id, owners.get((kind, value)))
        for mine, other in _photo_links(first_ids, first_ids | {claim.pk}):
            second.setdefault(other, []).append(str(_("photo")))
            via.setdefault(other, mine)
    second_ids = set(list(second)[:LINKED_LIMIT])
    scope = Claim.objects.all() if user is None else claims_visible_to(user)
    rows = scope.select_related("customer").in_bulk(
        first_ids | second_ids | set(via.values()) - {None}
    )
    hidden = len((first_ids | second_ids) - set(rows))
    first_ids, second_ids = first_ids & set(rows), second_ids & set(rows)
    result = [
        Linked(claim=rows[pk], degree=1, shared=sorted(set(first[pk])))
        for pk in sorted(first_ids, key=lambda pk: rows[pk].submitted_at)
    ]
    result += [
        Linked(
            claim=rows[pk],
            degree=2,
            shared=sorted(set(second[pk])),
            via=rows[via[pk]].reference if via.get(pk) in rows else "",
        )
        for pk in sorted(second_ids, key=lambda pk: rows[pk].submitted_at)
    ]
    return LinkedList(result, hidden_count=hidden)


def rule_performance(*, since: dt.datetime, until: dt.datetime) -> list[dict]:
    """Per rule over a period: claims it fired on, analyst outcomes, precision."""

    def decided(decision: str) -> Q:
        return Q(
            Exists(FraudReview.objects.filter(claim_id=OuterRef("claim_id"), decision=decision))
        )

    counts = {
        row["rule_id"]: row
        for row in RuleHit.objects.filter(created_at__gte=since, created_at__lt=until)
        .values("rule_id")
        .annotate(
            hits=Count("claim_id", distinct=True),
            confirmed=Count("claim_id", distinct=True, filter=decided(FraudDecision.CONFIRMED)),
            cleared=Count("claim_id", distinct=True, filter=decided(FraudDecision.CLEARED)),
        )
    }
    result = []
    for rule in Rule.objects.order_by("code"):
        row = counts.get(rule.pk, {"hits": 0, "confirmed": 0, "cleared": 0})
        decided_n = row["confirmed"] + row["cleared"]
        result.append(
            {
                "rule": rule,
                "hits": row["hits"],
                "confirmed": row["confirmed"],
                "cleared": row["cleared"],
                "open": row["hits"] - decided_n,
                "precision": round(100 * row["confirmed"] / decided_n) if decided_n else None,
            }
        )
    return result
