"""Privacy requests carried out: each is recorded (``PrivacyRequest``) and audited on the
timeline of every claim of the customer, whoever asked."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims import lifecycle
from claims.actors import Actor
from claims.events import EventSpec, claim_event_add, claim_events_add
from claims.models import Claim, ClaimStatus, EventKind, Party
from claims.services import appeal_until
from marketplace.models import Customer
from privacy.erasure import customer_erase_rows
from privacy.export import Archive, customer_archive
from privacy.models import LegalHold, PrivacyRequest, RequestKind, RetentionPolicy


class PrivacyRefused(ValueError):
    """A request that cannot be carried out; the message is for the person asking."""


def privacy_export(*, customer: Customer, actor: Actor, reason: str = "") -> Archive:
    """Produce the customer's data export and record who asked for it.

    Staff (with ``privacy.export_customer_data``) export on the customer's request and say
    which; a customer exports their own data from their page.
    """
    reason = reason.strip()
    if actor.party == Party.STAFF:
        if not actor.user.has_perm("privacy.export_customer_data"):
            raise PrivacyRefused(_("You do not have permission to export customers' data."))
        if not reason:
            raise PrivacyRefused(
                _("Say how the customer asked for their data (e.g. the e-mail or ticket).")
            )
    elif actor.party != Party.CUSTOMER:
        raise PrivacyRefused(_("Only the customer or a member of staff can ask for an export."))
    archive = customer_archive(customer)
    with transaction.atomic():
        request = PrivacyRequest.objects.create(
            kind=RequestKind.EXPORT,
            customer=customer,
            requested_by_party=actor.party,
            requested_by=actor.user,
            reason=reason,
            summary=archive.summary,
        )
        text = (
            _("The customer's data was exported at their request (%(reason)s).")
            % {"reason": reason}
            if reason
            else _("The customer downloaded an export of their data.")
        )
        claim_events_add(
            actor=actor,
            events=[
                EventSpec(
                    claim_id=claim_id,
                    kind=EventKind.NOTE,
                    reason=text,
                    data={"privacy": RequestKind.EXPORT, "privacy_request_id": request.pk},
                )
                for claim_id in Claim.objects.filter(customer=customer).values_list("pk", flat=True)
            ],
        )
    return archive


# --- erasure, legal holds, retention ----------------------------------------------------------

DEFAULT_RETENTION_DAYS = 7 * 365
DEFAULT_RETENTION_BASIS = gettext_lazy(
    "Limitation periods for product-liability and contract claims (six years in most US "
    "states, England and Wales, and Canadian provinces) and tax record-keeping, plus a year."
)


WORKED_ON = [s for s in lifecycle.OPEN_STATUSES if s not in (ClaimStatus.PAID, ClaimStatus.DENIED)]


def retention_for(region) -> tuple[int, str]:
    """How long the region keeps personal data after a customer's last claim is settled."""
    policy = RetentionPolicy.objects.filter(region=region).first()
    if policy is None:
        return DEFAULT_RETENTION_DAYS, str(DEFAULT_RETENTION_BASIS)
    return policy.keep_days, policy.basis


def claim_settled_at(claim: Claim) -> dt.datetime | None:
    """When the claim stopped needing the customer's data for its own sake: finished, or paid
    or denied with no appeal possible any more; None while it is open."""
    if claim.status in lifecycle.FINISHED_STATUSES:
        return claim.status_changed_at
    if claim.status in (ClaimStatus.PAID, ClaimStatus.DENIED):
        until = appeal_until(claim)
        if until is None:
            return claim.status_changed_at
        return until if until <= timezone.now() else None
    return None


def erasure_refusals(customer: Customer) -> list[str]:
    """Why the customer's data cannot be erased now (empty when it can)."""
    refusals = []
    if PrivacyRequest.objects.filter(customer=customer, kind=RequestKind.ERASURE).exists():
        refusals.append(_("This customer's data has already been erased."))
    for claim in Claim.objects.filter(customer=customer).select_related("region"):
        if claim_settled_at(claim) is None:
            refusals.append(
                _("Claim %(ref)s is still open (%(status)s): erase once it is settled.")
                % {"ref": claim.reference, "status": claim.get_status_display()}
            )
    held = LegalHold.objects.filter(claim__customer=customer, released_at__isnull=True)
    for hold in held.select_related("claim"):
        refusals.append(
            _("Claim %(ref)s is under a legal hold: %(reason)s")
            % {"ref": hold.claim.reference, "reason": hold.reason}
        )
    return refusals


def privacy_erase(*, customer: Customer, actor: Actor, reason: str) -> PrivacyRequest:
    """Erase the customer's personal data by pseudonymisation (``privacy.erasure``), on their
    request (staff with ``privacy.erase_customer_data``) or by the retention job (system).
    Refused, writing nothing, while a claim is open or under a legal hold."""
    reason = reason.strip()
    if actor.party == Party.STAFF and not actor.user.has_perm("privacy.erase_customer_data"):
        raise PrivacyRefused(_("You do not have permission to erase customers' data."))
    if actor.party not in (Party.STAFF, Party.SYSTEM):
        raise PrivacyRefused(_("Erasure is carried out by staff or the retention schedule."))
    if not reason:
        raise PrivacyRefused(_("Say why the data is erased (the customer's request, retention)."))
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        refusals = erasure_refusals(customer)
        if refusals:
            raise PrivacyRefused(" ".join(str(r) for r in refusals))
        erasure = customer_erase_rows(customer)
        request = PrivacyRequest.objects.create(
            kind=RequestKind.ERASURE,
            customer=customer,
            requested_by_party=actor.party,
            requested_by=actor.user,
            reason=reason,
            summary={"rows": erasure.rows, "files": len(erasure.files)},
        )
        claim_events_add(
            actor=actor,
            events=[
                EventSpec(
                    claim_id=claim_id,
                    kind=EventKind.NOTE,
                    reason=_("The customer's personal data was erased (%(reason)s).")
                    % {"reason": reason},
                    data={"privacy": RequestKind.ERASURE, "privacy_request_id": request.pk},
                )
                for claim_id in Claim.objects.filter(customer=customer).values_list("pk", flat=True)
            ],
        )
    return request


def legal_hold_place(*, claim: Claim, user, reason: str) -> LegalHold:
    if not user.has_perm("privacy.hold_claim"):
        raise PrivacyRefused(_("You do not have permission to place legal holds."))
    reason = reason.strip()
    if not reason:
        raise PrivacyRefused(_("Say why the claim must be kept (the case or inquiry)."))
    with transaction.atomic():
        if LegalHold.objects.filter(claim=claim, released_at__isnull=True).exists():
            raise PrivacyRefused(
                _("Claim %(ref)s is already under a legal hold.") % {"ref": claim.reference}
            )
        hold = LegalHold.objects.create(claim=claim, reason=reason, placed_by=user)
        claim_event_add(
            claim=claim,
            actor=Actor.staff(user),
            kind=EventKind.NOTE,
            reason=_("Legal hold placed: %(reason)s") % {"reason": reason},
            data={"privacy": "hold", "legal_hold_id": hold.pk},
        )
    return hold


def legal_hold_release(*, hold: LegalHold, user, reason: str) -> LegalHold:
    if not user.has_perm("privacy.hold_claim"):
        raise PrivacyRefused(_("You do not have permission to release legal holds."))
    reason = reason.strip()
    if not reason:
        raise PrivacyRefused(_("Say why the hold is released."))
    with transaction.atomic():
        now = timezone.now()
        released = LegalHold.objects.filter(pk=hold.pk, released_at__isnull=True).update(
            released_at=now, released_by=user, release_reason=reason
        )
        if not released:
            raise PrivacyRefused(_("This hold was already released."))
        hold.refresh_from_db()
        claim_event_add(
            claim=hold.claim,
            actor=Actor.staff(user),
            kind=EventKind.NOTE,
            reason=_("Legal hold released: %(reason)s") % {"reason": reason},
            data={"privacy": "hold_released", "legal_hold_id": hold.pk},
        )
    return hold


def retention_due(*, now: dt.datetime | None = None, limit: int = 100) -> list[Customer]:
    """Customers whose every claim was settled longer ago than their region keeps data, with no
    active hold and not erased yet (oldest first, at most ``limit``)."""
    now = now or timezone.now()
    candidates = (
        Customer.objects.filter(claims__isnull=False)
        .exclude(privacy_requests__kind=RequestKind.ERASURE)
        .exclude(
            pk__in=LegalHold.objects.filter(released_at__isnull=True).values("claim__customer")
        )
        # Claims still being worked on (paid and denied ones are decided by their dates).
        .exclude(claims__status__in=WORKED_ON)
        .distinct()
        .order_by("pk")
    )
    due = []
    for customer in candidates.iterator():
        claims = list(Claim.objects.filter(customer=customer).select_related("region"))
        settled = [claim_settled_at(c) for c in claims]
        if any(s is None for s in settled):
            continue
        days = max(retention_for(c.region)[0] for c in claims)
        if max(settled) + dt.timedelta(days=days) <= now:
            due.append(customer)
            if len(due) >= limit:
                break
    return due


def retention_sweep(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """The beat job: erase the customers whose retention period has run out."""
    erased = 0
    for customer in retention_due(now=now, limit=limit):
        try:
            privacy_erase(
                customer=customer,
                actor=Actor.system("retention schedule"),
                reason=str(_("retention period ended")),
            )
        except PrivacyRefused:
            continue  # a claim re-opened or was held since it was found: next run decides
        erased += 1
    return erased
