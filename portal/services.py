"""Writes of the customer portal: signing in, filing a claim from the wizard's draft, and the
customer's own actions on a claim. Claim writes go through ``claims.services``."""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.duplicates import evidence_check_for_claim
from claims.exceptions import EvidenceRejected, InvalidTransition
from claims.files import atomic_with_files
from claims.lifecycle import EVIDENCE_CLOSED_STATUSES
from claims.links import link_resolve
from claims.models import Claim, ClaimStatus, LinkPurpose
from claims.outbox import outbox_add
from claims.services import (
    LossInput,
    claim_create,
    claim_resume_after_info,
    evidence_attach,
)
from claims.uploads import MAX_FILES_PER_CLAIM
from marketplace.models import Customer, Order, OrderLine
from portal.drafts import draft_file_checked, draft_file_delete

logger = logging.getLogger(__name__)

# A customer may add files until the claim is finished.
EVIDENCE_CLOSED = EVIDENCE_CLOSED_STATUSES


@dataclass(frozen=True)
class Upload:
    """One file the customer sent: its bytes, their own name for it and what it shows."""

    data: bytes
    filename: str
    kind: str


def signin_request(*, order_number: str, email: str, language: str, next_path: str = "") -> None:
    """Ask for a one-time sign-in link for the customer of this order and e-mail.

    The web request does exactly the same work whether or not they match (records one outbox
    row): the worker looks the order up and sends a link only on a match. So neither the page
    nor its timing, not even with the broker down, tells anyone whether an order exists.
    """
    outbox_add(
        topic="portal.signin_email",
        payload={
            "order_number": order_number.strip(),
            "email": email.strip(),
            "language": language,
            "next_path": next_path,
        },
    )


def signin_customer(*, order_number: str, email: str) -> Customer | None:
    """The customer whose order and e-mail these are, if they match (case-insensitive)."""
    order = (
        Order.objects.select_related("customer")
        .filter(number__iexact=order_number.strip(), customer__email__iexact=email.strip())
        .first()
    )
    return order.customer if order else None


def signin_complete(*, token: str) -> Customer:
    """The customer behind a sign-in link; consumes the link. Raises ``LinkRefused``."""
    link = link_resolve(token=token, purpose=LinkPurpose.CUSTOMER_SIGN_IN)
    return link.customer


def claim_submit(
    *,
    customer: Customer,
    order_line: OrderLine,
    incident_date: dt.date,
    incident_kind: str,
    description: str,
    people_injured: int,
    losses: list[LossInput],
    files: list[dict],
    facts: dict | None = None,
    ip: str = "",
    device: str = "",
    language: str = "",
) -> Claim:
    """File the wizard's claim and attach its draft files, all or nothing.

    ``ip`` and ``device`` (the browser's first-party device id) go to the fraud rules, which
    link claims that share them.

    The files were decided by the upload policy at the evidence step; here each is read back and
    its hash checked. One ``atomic_with_files`` block: if a file is missing or changed or any
    insert fails, the claim, its loss items, events, outbox rows and every stored file disappear
    together. The draft files are removed only once the claim has committed.
    """
    if order_line.order.customer_id != customer.pk:
        raise InvalidTransition(_("This item is not on one of your orders."))
    if len(files) > MAX_FILES_PER_CLAIM:
        raise EvidenceRejected(
            _("A claim can have at most %(n)d files.") % {"n": MAX_FILES_PER_CLAIM}
        )
    actor = Actor.customer(customer)
    with atomic_with_files():
        claim = claim_create(
            order_line=order_line,
            incident_date=incident_date,
            incident_kind=incident_kind,
            description=description,
            people_injured=people_injured,
            losses=losses,
            actor=actor,
            language=language,
        )
        if facts is not None:
            # The product-safety facts (issue 17): weighed against the regulators' rules.
            from safety.services import incident_facts_record

            incident_facts_record(claim=claim, facts=facts)
        if ip or device:
            from fraud.scoring import fraud_attributes_record

            fraud_attributes_record(claim=claim, ip=ip or None, device=device or None)
        for draft in files:
            # Checked by the upload policy when it arrived: only its hash is checked again.
            evidence_attach(
                claim=claim, clean=draft_file_checked(draft), kind=draft["kind"], actor=actor
            )
        ids = [draft["id"] for draft in files]
        transaction.on_commit(lambda: [draft_file_delete(file_id) for file_id in ids])
    return claim


def claim_evidence_upload(*, claim: Claim, customer: Customer, uploads: list[Upload]) -> int:
    """Add files to a claim the customer owns: all of them, or (on any refusal) none. Every
    file the upload policy refuses and every file already on the claim or chosen twice
    (``claims.duplicates``) is named at once."""
    if claim.customer_id != customer.pk:
        raise InvalidTransition(_("This is not your claim."))
    if claim.status in EVIDENCE_CLOSED:
        raise InvalidTransition(_("This claim is finished; files can no longer be added."))
    if not uploads:
        raise EvidenceRejected(_("Choose at least one file."))
    actor = Actor.customer(customer)
    cleaned = evidence_check_for_claim(
        claim_id=claim.pk,
        files=[(upload.filename, upload.data) for upload in uploads],
        actor=actor,
    )
    with atomic_with_files():
        for upload, clean in zip(uploads, cleaned, strict=True):
            evidence_attach(claim=claim, clean=clean, kind=upload.kind, actor=actor)
    return len(uploads)


def claim_answer_info(
    *, claim: Claim, customer: Customer, message: str, uploads: list[Upload]
) -> Claim:
    """Answer an information request: the files and the answer, then the clock resumes."""
    if claim.customer_id != customer.pk:
        raise InvalidTransition(_("This is not your claim."))
    message = message.strip()
    if not message:
        raise InvalidTransition(_("Write your answer to our question."))
    if claim.status != ClaimStatus.NEEDS_INFO:
        raise InvalidTransition(_("We are not waiting for information on this claim."))
    with atomic_with_files():
        if uploads:
            claim_evidence_upload(claim=claim, customer=customer, uploads=uploads)
        return claim_resume_after_info(claim=claim, actor=Actor.customer(customer), reason=message)
