"""Who may see which evidence: one rule, used by every page that lists or serves a file.

Evidence is sensitive in different ways for each party. The customer's photos of the product
and of the damage, and their receipts, are what a seller needs to defend themselves; medical
documents are health data the seller never sees and the seller's insurer sees only once the
claim is handed to it; the seller's dispute evidence is addressed to the marketplace, not to the
customer, unless staff decide to share a file with them (``evidence_share_with_customer``,
recorded as a claim event).

``evidence_visible`` is the rule. Pages list ``evidence_visible(...)`` and file views serve
only a file found in it, so what a party sees listed is exactly what it may open.

Medical documents are special-category data (GDPR art. 9): staff open them only with
``claims.view_medical_evidence`` (supervisors, and agents in the *Injury claims* role), on top
of ``claims.view_evidence``; and every opening by staff is logged (``medical_access_record``,
the ``MedicalAccess`` table). The staff workspace lists such a file without a link for the
others (``evidence_with_access``), so they know it exists and whom to ask, without its name.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.events import claim_event_add
from claims.exceptions import ClaimError
from claims.lifecycle import Party
from claims.models import Claim, EventKind, Evidence, EvidenceKind, MedicalAccess


class Viewer:
    """Who is looking. Staff are checked against their permission; the others by party."""

    CUSTOMER = "customer"
    SELLER = "seller"
    INSURER = "insurer"
    ADJUSTER = "adjuster"
    STAFF = "staff"


# The customer's files a seller (and the insurer) may see to build a defence.
SELLER_VISIBLE_KINDS = frozenset(
    {EvidenceKind.PRODUCT_PHOTO, EvidenceKind.DAMAGE_PHOTO, EvidenceKind.RECEIPT}
)
# Health data: never a seller's; the insurer's only once the claim is handed to it.
MEDICAL_KINDS = frozenset({EvidenceKind.MEDICAL_BILL})
# The files the seller's side (seller or its insurer) sent.
SELLER_SIDE = (Party.SELLER, Party.INSURER)


@dataclass(frozen=True)
class Looker:
    """One viewer of one claim: the party, whether the claim is with the insurer, and for staff
    the user (their permission decides)."""

    viewer: str
    handed_to_insurer: bool = False
    user: object = None


def _rule(looker: Looker) -> Q | None:
    """The files ``looker`` may see, as a filter; None when they may see every file."""
    if looker.viewer == Viewer.STAFF:
        user = looker.user
        if user is None or not user.is_active or not user.has_perm("claims.view_evidence"):
            return Q(pk__in=[])
        if user.has_perm("claims.view_medical_evidence"):
            return None
        return ~Q(kind__in=MEDICAL_KINDS)
    if looker.viewer == Viewer.ADJUSTER:
        return None  # referred by staff to review the whole file
    if looker.viewer == Viewer.CUSTOMER:
        return Q(uploaded_by_party=Party.CUSTOMER) | Q(shared_with_customer_at__isnull=False)
    customer_defence = Q(uploaded_by_party=Party.CUSTOMER, kind__in=SELLER_VISIBLE_KINDS)
    seller_side = Q(uploaded_by_party__in=SELLER_SIDE) & ~Q(kind__in=MEDICAL_KINDS)
    if looker.viewer == Viewer.SELLER:
        return customer_defence | seller_side
    if looker.viewer == Viewer.INSURER:
        if not looker.handed_to_insurer:
            return Q(pk__in=[])
        return Q(uploaded_by_party__in=(Party.CUSTOMER, *SELLER_SIDE))
    return Q(pk__in=[])  # anyone else: nothing


# The viewer each kind of actor is; the system (and an adjuster) sees every file.
_VIEWER_OF_PARTY = {
    Party.STAFF: Viewer.STAFF,
    Party.CUSTOMER: Viewer.CUSTOMER,
    Party.SELLER: Viewer.SELLER,
    Party.INSURER: Viewer.INSURER,
    Party.ADJUSTER: Viewer.ADJUSTER,
    Party.SYSTEM: Viewer.ADJUSTER,
}


def looker_of(actor: Actor) -> Looker:
    """The looker an actor is, for telling them about files (``claims.duplicates``). An insurer
    acts only through the link it is given when the claim is handed to it."""
    return Looker(
        viewer=_VIEWER_OF_PARTY.get(actor.party, ""),
        handed_to_insurer=actor.party == Party.INSURER,
        user=actor.user,
    )


def evidence_visible(*, claim: Claim, looker: Looker) -> QuerySet[Evidence]:
    """The claim's files ``looker`` may see, oldest first: what pages list and serve."""
    files = Evidence.objects.filter(claim=claim).order_by("created_at", "pk")
    rule = _rule(looker)
    return files if rule is None else files.filter(rule)


def evidence_with_access(queryset: QuerySet[Evidence], *, looker: Looker) -> QuerySet[Evidence]:
    """``queryset`` with ``may_open`` on each file: whether the rule lets ``looker`` open it.
    For pages that list files the viewer may not open (the staff workspace's medical
    documents), in the same query as the list."""
    rule = _rule(looker)
    if rule is None:
        return queryset.annotate(may_open=Value(True, output_field=BooleanField()))
    return queryset.annotate(
        may_open=Case(
            When(rule, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def evidence_is_medical(evidence: Evidence) -> bool:
    return evidence.kind in MEDICAL_KINDS


def medical_access_record(
    *, evidence: Evidence, user, action: str, page: str = "", now=None
) -> None:
    """Log one opening of a medical document by staff: who, when, which file, from which page
    (the path only: never a query string, which might carry a search for a name)."""
    MedicalAccess.objects.create(
        evidence=evidence,
        claim_id=evidence.claim_id,
        user=user,
        action=action,
        page=page.split("?", 1)[0][:200],
        at=now or timezone.now(),
    )


def evidence_may_see(*, evidence: Evidence, looker: Looker) -> bool:
    return evidence_visible(claim=evidence.claim, looker=looker).filter(pk=evidence.pk).exists()


def claim_handed_to_insurer(*, claim: Claim) -> bool:
    """The seller's latest answer hands the claim to its insurer (or the insurer answered)."""
    from sellers.models import ResponseDecision, ResponseParty, SellerResponse

    latest = SellerResponse.objects.filter(claim=claim).order_by("-version").first()
    return latest is not None and (
        latest.decision == ResponseDecision.INSURER or latest.party == ResponseParty.INSURER
    )


def evidence_share_with_customer(*, evidence: Evidence, actor: Actor) -> Evidence:
    """Staff show one file to the customer that the rule keeps from them (the seller's
    evidence, a report), recorded on the claim's timeline. Sharing twice changes nothing."""
    if evidence.uploaded_by_party == Party.CUSTOMER:
        raise ClaimError(_("The customer sent this file; they can already see it."))
    with transaction.atomic():
        now = timezone.now()
        changed = Evidence.objects.filter(
            pk=evidence.pk, shared_with_customer_at__isnull=True
        ).update(shared_with_customer_at=now)
        if changed:
            claim_event_add(
                claim_id=evidence.claim_id,
                actor=actor,
                kind=EventKind.EVIDENCE,
                reason=_("File shared with the customer: %(name)s")
                % {"name": evidence.original_name},
                data={"evidence_id": evidence.pk, "shared_with": Party.CUSTOMER},
                now=now,
            )
    evidence.refresh_from_db()
    return evidence
