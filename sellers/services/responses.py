"""The seller is told about a claim and answers it (or hands it to their insurer)."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.events import claim_event_add
from claims.lifecycle import SELLER_ANSWERABLE_STATUSES, Via
from claims.links import link_issue
from claims.models import (
    AccessLink,
    Claim,
    ClaimEvent,
    ClaimStatus,
    EventKind,
    EvidenceKind,
    LinkPurpose,
    Party,
)
from claims.notifications import email_send
from claims.outbox import outbox_add
from claims_site.dates import format_moment_named
from sellers.exceptions import ResponseLocked, ResponseRejected
from sellers.models import ResponseDecision, ResponseParty, SellerNotice, SellerResponse

# The seller's link outlives the deadline: it also opens the statement and the appeal form.
LINK_GRACE = dt.timedelta(days=14)
OPEN_FOR_ANSWERS = SELLER_ANSWERABLE_STATUSES


def link_actor(link: AccessLink) -> Actor:
    if link.purpose == LinkPurpose.INSURER_RESPONSE:
        return Actor(party=Party.INSURER, label=f"insurer {link.email}")
    return Actor.seller(link.seller)


def local_datetime(value: dt.datetime | None, zone_name: str) -> str:
    if value is None:
        return ""
    return format_moment_named(value, zoneinfo.ZoneInfo(zone_name))


def _link_expiry(claim: Claim, now: dt.datetime) -> dt.timedelta:
    respond_by = claim.seller_respond_by or now
    return respond_by - now + dt.timedelta(days=claim.region.appeal_window_days) + LINK_GRACE


def claim_email_context(*, claim: Claim, url: str, insurer: bool = False) -> dict:
    """What the seller (or insurer) is told: what, when, how much, the evidence, the deadline.

    The evidence listed is what the reader may open (``claims.evidence``): never a medical
    document for a seller. The seller also gets the claim's page in their inbox."""
    from claims.evidence import Looker, Viewer, evidence_visible

    looker = (
        Looker(viewer=Viewer.INSURER, handed_to_insurer=True)
        if insurer
        else Looker(viewer=Viewer.SELLER)
    )
    return {
        "inbox_url": settings.SITE_URL + reverse("sellers:inbox-claim", args=[claim.reference]),
        "seller": claim.seller.legal_name,
        "reference": claim.reference,
        "product": claim.order_line.product.title,
        "order": claim.order_line.order.number,
        "incident_date": date_format(claim.incident_date, "DATE_FORMAT"),
        "incident_kind": claim.get_incident_kind_display(),
        "description": claim.description,
        "claimed": claim.claimed_total_display,
        "losses": [str(loss) for loss in claim.losses.all()],
        # Each file the seller may see, by its kind and name (``str`` of a file names no file:
        # the admin writes it, and a medical bill's name is health data).
        "evidence": [
            f"{item.get_kind_display()}: {item.original_name}"
            for item in evidence_visible(claim=claim, looker=looker)
        ],
        "respond_by": local_datetime(claim.seller_respond_by, claim.region.time_zone),
        "concession": claim.is_at_or_under_threshold,
        "proof_days": claim.region.insurance_proof_days,
        "url": url,
    }


def seller_notify(*, claim_id: int, event_id: int, now: dt.datetime | None = None) -> bool:
    """E-mail the seller a claim that entered ``awaiting seller``, with a secure link.

    Does nothing if the claim has moved on since (a stale message). Returns whether it sent.
    """
    now = now or timezone.now()
    claim = Claim.objects.select_related(
        "region", "seller", "order_line__product", "order_line__order"
    ).get(pk=claim_id)
    if claim.status != ClaimStatus.AWAITING_SELLER:
        return False
    SellerNotice.objects.get_or_create(
        claim=claim,
        defaults={
            "seller": claim.seller,
            "notified_at": now,
            "insurance_proof_due": now + dt.timedelta(days=claim.region.insurance_proof_days),
        },
    )
    handed = producer_chain_hand_off(claim=claim, now=now)
    link, token = link_issue(
        purpose=LinkPurpose.SELLER_RESPONSE,
        email=claim.seller.email,
        expires_in=_link_expiry(claim, now),
        claim=claim,
        seller=claim.seller,
    )
    url = settings.SITE_URL + reverse("sellers:respond", args=[claim.reference, token])
    email_send(
        template="seller-claim",
        to=[claim.seller.email],
        context={
            **claim_email_context(claim=claim, url=url),
            "producer": handed.insurer_name if handed else "",
        },
        language=claim.seller.email_language,
    )
    claim_event_add(
        claim=claim,
        kind=EventKind.MESSAGE,
        actor=Actor.system("seller notification"),
        reason=_("Seller notified with a response link."),
        data={"link_id": link.pk, "event_id": event_id, "to": claim.seller.email},
        now=now,
    )
    # Back with the seller after a hold or a pause: an insurer holding the claim gets its link
    # and the (moved) deadline again.
    current = None if handed else _current_hand_off(claim)
    if current is not None:
        outbox_add(
            topic="sellers.notify_insurer",
            payload={"response_id": current.pk},
            dedupe_key=f"sellers.notify_insurer:{current.pk}:{event_id}",
        )
    return True


@transaction.atomic
def producer_chain_hand_off(*, claim: Claim, now: dt.datetime) -> SellerResponse | None:
    """A reseller in the EU who named the producer's insurer for this product: the claim goes to
    that insurer as if the seller had handed it over (the same response row, e-mail with its own
    link, reminders, deadline and escalation). Once per claim; the seller may still answer."""
    from sellers.selectors import producer_for_claim

    producer = producer_for_claim(claim)
    if producer is None or SellerResponse.objects.filter(claim=claim).exists():
        return None
    actor = Actor.system("producer chain")
    response = SellerResponse.objects.create(
        claim=claim,
        seller_id=claim.seller_id,
        version=1,
        party=ResponseParty.SELLER,
        decision=ResponseDecision.INSURER,
        reasons=_("Handed to %(insurer)s, insurer of the producer %(producer)s.")
        % {"insurer": producer.insurer_name, "producer": producer.producer_name},
        insurer_name=producer.insurer_name,
        insurer_email=producer.insurer_email,
        created_at=now,
    )
    claim_event_add(
        claim=claim,
        kind=EventKind.SELLER,
        actor=actor,
        reason=response.reasons,
        data={
            "response_id": response.pk,
            "version": 1,
            "decision": response.decision,
            "producer_declaration_id": producer.pk,
        },
        now=now,
    )
    outbox_add(
        topic="sellers.notify_insurer",
        payload={"response_id": response.pk},
        dedupe_key=f"sellers.notify_insurer:{response.pk}",
    )
    return response


def _current_hand_off(claim: Claim) -> SellerResponse | None:
    """The claim's latest answer if it hands the claim to the insurer, else None."""
    response = SellerResponse.objects.filter(claim=claim).order_by("-version").first()
    if response is None or response.decision != ResponseDecision.INSURER:
        return None
    return response


def insurer_notify(*, response_id: int, now: dt.datetime | None = None) -> None:
    """E-mail the insurer a claim the seller handed over, with the insurer's own link.

    Every recorded hand-off that is still the latest answer is told. A claim on fraud hold
    (the hand-off's own photo may have caused it) cannot be answered and its deadline does
    not run: the insurer is told of the hand-off without a link; the link and the deadline
    follow when the hold is released (``seller_notify``)."""
    now = now or timezone.now()
    response = SellerResponse.objects.select_related(
        "claim__region", "claim__seller", "claim__order_line__product", "claim__order_line__order"
    ).get(pk=response_id)
    claim = response.claim
    current = _current_hand_off(claim)
    if current is None or current.pk != response.pk:
        return  # answered again (by the seller or the insurer) before the insurer was told
    if claim.status == ClaimStatus.FRAUD_HOLD:
        # No link and no deadline while held: the link follows the release (seller_notify).
        _insurer_email(
            claim=claim,
            response=response,
            template="insurer-claim-held",
            label="insurer notification",
            reason=_("Insurer %(name)s told of the hand-off; the link follows the hold."),
            now=now,
            with_link=False,
        )
        return
    if claim.status not in SELLER_ANSWERABLE_STATUSES:
        return  # escalated, decided or withdrawn before the insurer could be told
    _insurer_email(
        claim=claim,
        response=response,
        template="insurer-claim",
        label="insurer notification",
        reason=_("Insurer %(name)s notified with a response link."),
        now=now,
    )


def insurer_remind(*, claim: Claim, hours: int, now: dt.datetime | None = None) -> bool:
    """Remind the insurer a seller handed the claim to (the deadline is the seller's), with a
    new link of their own. Returns whether the claim was with an insurer."""
    response = claim.seller_responses.order_by("-version").first()
    if response is None or response.decision != ResponseDecision.INSURER:
        return False
    _insurer_email(
        claim=claim,
        response=response,
        template="insurer-reminder",
        label="insurer reminder",
        reason=_("Insurer %(name)s reminded with a new response link."),
        now=now or timezone.now(),
        extra={"hours": hours},
    )
    return True


def _insurer_email(
    *,
    claim: Claim,
    response: SellerResponse,
    template: str,
    label: str,
    reason: str,
    now: dt.datetime,
    extra: dict | None = None,
    with_link: bool = True,
) -> None:
    """E-mail the insurer of ``response`` (with a new response link of their own unless
    ``with_link`` is false) and record it on the claim's timeline."""
    url, data = "", {"response_id": response.pk, "to": response.insurer_email}
    if with_link:
        link, token = link_issue(
            purpose=LinkPurpose.INSURER_RESPONSE,
            email=response.insurer_email,
            expires_in=_link_expiry(claim, now),
            claim=claim,
            seller=claim.seller,
        )
        url = settings.SITE_URL + reverse("sellers:insurer-respond", args=[claim.reference, token])
        data = {"link_id": link.pk, **data}
    email_send(
        template=template,
        to=[response.insurer_email],
        context={
            **claim_email_context(claim=claim, url=url, insurer=True),
            "insurer": response.insurer_name,
            **(extra or {}),
        },
        language=claim.region.language,
    )
    claim_event_add(
        claim=claim,
        kind=EventKind.MESSAGE,
        actor=Actor.system(label),
        reason=reason % {"name": response.insurer_name},
        data=data,
        now=now,
    )


def response_refusal(claim: Claim, now: dt.datetime | None = None) -> str:
    """Why the seller (or its insurer) may not answer ``claim`` now, or "" when it may: the one
    rule, and its words, for the response page, the inbox and the API. The status comes first:
    a claim the marketplace took back (a review, a hold, a decision) is not waiting for an
    answer, whatever its deadline says, and the refusal never names an internal state."""
    now = now or timezone.now()
    if claim.status not in OPEN_FOR_ANSWERS or claim.seller_respond_by is None:
        return _(
            "Claim %(ref)s is not awaiting your answer now: the marketplace is handling it. "
            "Answers and evidence are locked."
        ) % {"ref": claim.reference}
    if now > claim.seller_respond_by:
        return _("The response deadline for claim %(ref)s has passed; answers are locked.") % {
            "ref": claim.reference
        }
    return ""


def response_is_open(claim: Claim, now: dt.datetime | None = None) -> bool:
    return not response_refusal(claim, now)


def response_problems(
    *, party: str, decision: str, reasons: str, insurer_name: str, insurer_email: str
) -> dict[str, str]:
    """What is wrong with an answer, by field; empty when it can be recorded."""
    allowed = [ResponseDecision.ACCEPT, ResponseDecision.DISPUTE]
    if party == ResponseParty.SELLER:
        allowed.append(ResponseDecision.INSURER)
    if decision not in allowed:
        return {"decision": _("Choose one of the answers offered.")}
    problems = {}
    if decision == ResponseDecision.DISPUTE and not reasons.strip():
        problems["reasons"] = _("Say why you dispute the claim.")
    if decision == ResponseDecision.INSURER:
        if not insurer_name.strip():
            problems["insurer_name"] = _("Give the name of your insurer.")
        try:
            validate_email(insurer_email)
        except ValidationError:
            problems["insurer_email"] = _("Give your insurer's claims e-mail address.")
    return problems


def _check(
    *, party: str, decision: str, reasons: str, insurer_name: str, insurer_email: str
) -> None:
    problems = response_problems(
        party=party,
        decision=decision,
        reasons=reasons,
        insurer_name=insurer_name,
        insurer_email=insurer_email,
    )
    if problems:
        raise ResponseRejected(" ".join(problems.values()))


def seller_response_submit(
    *,
    link: AccessLink,
    decision: str,
    reasons: str = "",
    insurer_name: str = "",
    insurer_email: str = "",
    files: list[tuple[str, bytes]] | None = None,
    keep_evidence_ids: list[int] | None = None,
    now: dt.datetime | None = None,
) -> SellerResponse:
    """Record a new version of the answer given through ``link``; files become evidence.

    Until the deadline every change is a new version (all kept); after it, or once the claim
    is no longer waiting for an answer, ``ResponseLocked`` (``response_refusal`` says why).
    A first accept or dispute moves the claim to ``seller responded``; a hand-off to the insurer
    e-mails the insurer a link of their own and leaves the deadline running.
    """
    party = (
        ResponseParty.INSURER
        if link.purpose == LinkPurpose.INSURER_RESPONSE
        else ResponseParty.SELLER
    )
    return seller_response_record(
        claim_id=link.claim_id,
        party=party,
        actor=link_actor(link),
        link=link,
        decision=decision,
        reasons=reasons,
        insurer_name=insurer_name,
        insurer_email=insurer_email,
        files=files,
        keep_evidence_ids=keep_evidence_ids,
        now=now,
    )


def seller_response_record(
    *,
    claim_id: int,
    party: str,
    actor: Actor,
    link: AccessLink | None,
    decision: str,
    reasons: str = "",
    insurer_name: str = "",
    insurer_email: str = "",
    files: list[tuple[str, bytes]] | None = None,
    keep_evidence_ids: list[int] | None = None,
    now: dt.datetime | None = None,
) -> SellerResponse:
    """The one implementation of an answer, whoever gives it: through the seller's or
    insurer's link (``seller_response_submit``) or the integration API (``link`` None)."""
    from backoffice.notifications import notify_answered
    from claims.duplicates import evidence_check_for_claim
    from claims.files import atomic_with_files
    from claims.services import claim_transition, evidence_attach

    now = now or timezone.now()
    _check(
        party=party,
        decision=decision,
        reasons=reasons,
        insurer_name=insurer_name,
        insurer_email=insurer_email,
    )
    # The upload policy decides every file, and each file already on the claim or sent twice
    # is refused (claims.duplicates), all named at once, before anything is locked or written.
    cleaned = evidence_check_for_claim(claim_id=claim_id, files=list(files or []), actor=actor)
    with atomic_with_files():
        claim = Claim.objects.select_for_update().get(pk=claim_id)
        refusal = response_refusal(claim, now)
        if refusal:
            raise ResponseLocked(refusal)
        previous = SellerResponse.objects.filter(claim=claim).order_by("-version").first()
        kept = list(keep_evidence_ids or [])
        if not set(kept) <= set(previous.evidence_ids if previous else []):
            raise ResponseRejected(_("Only files from your previous answer can be kept."))
        added = [
            evidence_attach(claim=claim, clean=clean, kind=EvidenceKind.OTHER, actor=actor).pk
            for clean in cleaned
        ]
        version = (
            SellerResponse.objects.filter(claim=claim).aggregate(v=Max("version"))["v"] or 0
        ) + 1
        response = SellerResponse.objects.create(
            claim=claim,
            seller_id=claim.seller_id,
            version=version,
            party=party,
            decision=decision,
            reasons=reasons.strip(),
            # The insurer is named only by a hand-off; fields left filled in otherwise are not
            # part of the answer.
            insurer_name=insurer_name.strip() if decision == ResponseDecision.INSURER else "",
            insurer_email=insurer_email.strip() if decision == ResponseDecision.INSURER else "",
            evidence_ids=kept + added,
            link=link,
            created_at=now,
        )
        claim_event_add(
            claim=claim,
            kind=EventKind.SELLER,
            actor=actor,
            reason=response.reasons,
            data={"response_id": response.pk, "version": version, "decision": decision},
            now=now,
        )
        # What needs me: whoever holds the claim is told the seller (or insurer) answered.
        notify_answered(claim=claim, who=str(party))
        if decision == ResponseDecision.INSURER:
            outbox_add(
                topic="sellers.notify_insurer",
                payload={"response_id": response.pk},
                dedupe_key=f"sellers.notify_insurer:{response.pk}",
            )
        elif claim.status == ClaimStatus.AWAITING_SELLER:
            claim_transition(
                claim=claim,
                to=ClaimStatus.SELLER_RESPONDED,
                via=Via.SELLER_RESPONSE,
                actor=actor,
                reason=ResponseDecision(decision).label,
                data={"response_id": response.pk},
                now=now,
            )
    return response


def _link_reissue_check(*, claim: Claim, user) -> None:
    if not user.has_perm("claims.transition_claim"):
        raise ResponseRejected(_("You do not have permission to issue seller links."))
    if not SellerNotice.objects.filter(claim=claim).exists():
        # Screening and fraud review come first: the seller sees only claims sent to them.
        raise ResponseRejected(_("The seller has not been told about this claim yet."))


@transaction.atomic
def seller_link_email(*, claim: Claim, user) -> ClaimEvent:
    """Staff have the seller e-mailed a fresh response link (the claim's facts and the link,
    as in the first notice): recorded on the timeline now; the worker issues the link and
    sends it (outbox topic ``sellers.link_resend``), so the link itself is never stored or
    shown to anyone but the seller."""
    _link_reissue_check(claim=claim, user=user)
    event = claim_event_add(
        claim=claim,
        kind=EventKind.MESSAGE,
        actor=Actor.staff(user),
        reason=_("A new seller link is being e-mailed to %(email)s.")
        % {"email": claim.seller.email},
        data={"to": "seller", "link_resend": True},
    )
    outbox_add(
        topic="sellers.link_resend",
        payload={"claim_id": claim.pk, "event_id": event.pk},
        dedupe_key=f"sellers.link_resend:{event.pk}",
    )
    return event


@transaction.atomic
def seller_link_reissue(*, claim: Claim, user) -> str:
    """Staff issue the seller a fresh response link (after revoking a leaked one, or for the
    statement later on) to send another way: recorded on the claim's timeline; returns the
    link's address, which is shown once and never stored."""
    _link_reissue_check(claim=claim, user=user)
    link, token = seller_respond_link_for_staff(claim=claim, created_by=user)
    claim_event_add(
        claim=claim,
        kind=EventKind.MESSAGE,
        actor=Actor.staff(user),
        reason=_("New seller link issued."),
        data={"link_id": link.pk},
    )
    return settings.SITE_URL + reverse("sellers:respond", args=[claim.reference, token])


@transaction.atomic
def seller_respond_link_for_staff(*, claim: Claim, created_by) -> tuple[AccessLink, str]:
    """A fresh seller link (after staff revoked one, or for the statement later on)."""
    now = timezone.now()
    return link_issue(
        purpose=LinkPurpose.SELLER_RESPONSE,
        email=claim.seller.email,
        expires_in=_link_expiry(claim, now),
        claim=claim,
        seller=claim.seller,
        created_by=created_by,
    )
