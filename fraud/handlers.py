"""Outbox handlers of the fraud app: score claims entering screening, and on new evidence."""

import datetime as dt

from claims.models import Claim, ClaimStatus, Evidence
from claims.outbox import handler
from fraud.models import SCREENED_PARTY, Assessment
from fraud.scoring import fraud_photo_record, fraud_screen


@handler("fraud.score")
def score(*, claim_id: int, event_id: int) -> None:
    """A claim entered screening: score it and route it (hold, or on to the seller)."""
    if Claim.objects.filter(pk=claim_id, status=ClaimStatus.SCREENING).exists():
        fraud_screen(claim_id=claim_id, trigger=Assessment.Trigger.SCREENING)


@handler("fraud.evidence")
def evidence(*, claim_id: int, evidence_id: int, taken_at: str | None = None) -> None:
    """The customer's new evidence: fingerprint a photo, then re-score (screening scores new
    claims itself). What another party attaches (a seller's dispute files, an adjuster's
    report) is not the customer's and changes neither the score nor the claim."""
    item = Evidence.objects.filter(pk=evidence_id).first()
    if item is not None and item.uploaded_by_party != SCREENED_PARTY:
        return
    if item is not None:
        fraud_photo_record(
            evidence=item, taken_at=dt.datetime.fromisoformat(taken_at) if taken_at else None
        )
    status = Claim.objects.filter(pk=claim_id).values_list("status", flat=True).first()
    if status not in (None, ClaimStatus.SUBMITTED, ClaimStatus.SCREENING):
        fraud_screen(claim_id=claim_id, trigger=Assessment.Trigger.EVIDENCE)
