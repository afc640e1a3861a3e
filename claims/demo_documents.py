"""Paper documents of the demo's parties, scanned to PDF as they would upload them."""

import io

from PIL import Image, ImageDraw

from claims.actors import Actor
from claims.models import Claim, EvidenceKind
from claims.services import evidence_add


def document_pdf(lines: list[str]) -> bytes:
    """A one-page scan of a paper document (a certificate, an invoice), as a party uploads it."""
    page = Image.new("RGB", (850, 60 + 40 * len(lines)), "white")
    draw = ImageDraw.Draw(page)
    for row, text in enumerate(lines):
        draw.text((30, 30 + 40 * row), text, fill="black")
    out = io.BytesIO()
    page.save(out, "PDF")
    return out.getvalue()


def medical_invoice_attach(
    claim: Claim,
    *,
    heading: str = "EMERGENCY DEPARTMENT - ITEMISED INVOICE",
    filename: str = "ER-invoice.pdf",
) -> None:
    """The emergency room's (or an urgent-care clinic's) itemised invoice on a medical claim,
    sent by its customer: what the approver of a demo claim says they checked the medical
    bills against (idempotent)."""
    from claims.money import format_minor

    if claim.evidence.filter(kind=EvidenceKind.MEDICAL_BILL).exists():
        return
    customer = claim.customer
    lines = [
        heading,
        f"Patient: {customer.name}   Date of service: {claim.incident_date:%Y-%m-%d}",
        f"Claim: {claim.reference}",
        *(
            f"{item.description or item.get_kind_display()}: "
            f"{format_minor(item.claimed_minor, item.currency, locale='en_US')}"
            for item in claim.losses.order_by("id")
        ),
    ]
    evidence_add(
        claim=claim,
        data=document_pdf(lines),
        filename=filename,
        kind=EvidenceKind.MEDICAL_BILL,
        actor=Actor.customer(customer),
    )
