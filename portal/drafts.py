"""The filing wizard's draft: what the customer typed (in the session) and the files they chose
(in a private folder of the media storage, never served, named by random ids only).

Nothing here touches a claim. The draft becomes a claim only in ``portal.services.claim_submit``,
which deletes the draft files once that transaction has committed. Drafts that are never
submitted are removed by the ``portal.tasks.drafts_purge`` beat task.
"""

import contextlib
import datetime as dt
import hashlib
import os
import uuid
from dataclasses import asdict, dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.exceptions import EvidenceRejected
from claims.uploads import CleanFile, evidence_check

DRAFTS_KEY = "portal.drafts"
DRAFT_DIR = "drafts"
DRAFT_MAX_AGE = dt.timedelta(days=2)


@dataclass(frozen=True)
class WizardItem:
    """What the wizard shows of the item claimed for, kept in the draft beside the answers.

    Every step the customer submits reads the live order line (scoped to them) and rewrites
    this, so the pages between two submissions render from the session alone, as the answers
    do; the draft can only exist for a line the signed-in customer owns. Nothing is decided
    from it: every submitted step, and the final submission, read and check the line again.
    """

    line_id: int
    customer_id: int
    product: str
    seller: str
    order_number: str
    delivered_on: dt.date | None
    currency: str
    max_claim_minor: int
    # What the order line cost, in the claim's currency (None when the order was in another):
    # the losses step offers it as the purchase price.
    price_minor: int | None = None

    @classmethod
    def of(cls, line) -> "WizardItem":
        return cls(
            line_id=line.pk,
            customer_id=line.order.customer_id,
            product=line.product.title,
            seller=line.seller.legal_name,
            order_number=line.order.number,
            delivered_on=line.delivered_on,
            currency=line.order.region.currency,
            max_claim_minor=line.order.region.max_claim_minor,
            price_minor=line.total_minor if line.currency == line.order.region.currency else None,
        )

    @classmethod
    def from_draft(cls, draft: dict, *, line_id: int, customer_id: int) -> "WizardItem | None":
        """The kept item, or None when the caller must read the line (scoped to the customer).

        None for a draft kept before items were, and for one whose line is not this customer's
        (signing in clears the drafts; this holds even if that ever failed).
        """
        data = draft.get("item")
        if not isinstance(data, dict):
            return None
        if data.get("line_id") != line_id or data.get("customer_id") != customer_id:
            return None
        try:
            delivered = data["delivered_on"]
            return cls(
                **{**data, "delivered_on": dt.date.fromisoformat(delivered) if delivered else None}
            )
        except (KeyError, TypeError, ValueError):
            return None  # kept by another version of this code: read the line instead

    def as_draft(self) -> dict:
        delivered = self.delivered_on.isoformat() if self.delivered_on else None
        return {**asdict(self), "delivered_on": delivered}


def draft_get(session, line_id: int) -> dict:
    return dict(session.get(DRAFTS_KEY, {}).get(str(line_id), {}))


def draft_put(session, line, **parts) -> dict:
    """Save answers for ``line`` (a live, customer-scoped order line), refreshing its item."""
    drafts = dict(session.get(DRAFTS_KEY, {}))
    draft = {**drafts.get(str(line.pk), {}), **parts, "item": WizardItem.of(line).as_draft()}
    drafts[str(line.pk)] = draft
    session[DRAFTS_KEY] = drafts
    return draft


def draft_drop(session, line_id: int) -> None:
    drafts = dict(session.get(DRAFTS_KEY, {}))
    drafts.pop(str(line_id), None)
    session[DRAFTS_KEY] = drafts


def draft_file_keep(*, clean: CleanFile, kind: str) -> dict:
    """Keep a file the upload policy accepted, as it will be stored, until submission.

    Returns the draft's entry for it: the policy's result (type, hashes, the camera's date,
    what was removed from a PDF) travels with the draft, so submitting does not decide again.
    """
    return {
        "id": draft_file_save(data=clean.content),
        "name": clean.name,
        "kind": kind,
        "size": len(clean.content),
        "content_type": clean.content_type,
        "sha256": clean.sha256,
        "original_sha256": clean.original_sha256,
        "width": clean.width,
        "height": clean.height,
        "taken_at": clean.taken_at.isoformat() if clean.taken_at else None,
        "removed": list(clean.removed),
    }


def draft_file_checked(entry: dict) -> CleanFile:
    """The kept file as the policy accepted it, after checking its hash again.

    Raises ``EvidenceRejected`` when the file is gone or is not what was accepted. A draft kept
    before the policy's result travelled with it (no hash) goes through the policy in full.
    """
    gone = EvidenceRejected(
        _("The file “%(name)s” is no longer available; please add it again.")
        % {"name": entry.get("name", "")}
    )
    try:
        data = draft_file_read(entry["id"])
    except (OSError, ValueError, KeyError) as exc:
        raise gone from exc
    if not entry.get("sha256"):
        return evidence_check(data=data, filename=entry.get("name", ""))
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise gone
    taken_at = entry.get("taken_at")
    return CleanFile(
        name=entry["name"],
        content=data,
        content_type=entry["content_type"],
        sha256=entry["sha256"],
        original_sha256=entry.get("original_sha256", entry["sha256"]),
        width=entry.get("width"),
        height=entry.get("height"),
        taken_at=dt.datetime.fromisoformat(taken_at) if taken_at else None,
        removed=list(entry.get("removed") or []),
    )


def draft_file_save(*, data: bytes) -> str:
    """Keep checked content until submission; returns its random id."""
    file_id = uuid.uuid4().hex
    default_storage.save(f"{DRAFT_DIR}/{file_id}", ContentFile(data))
    return file_id


def _draft_path(file_id: str) -> str:
    if len(file_id) != 32 or not all(c in "0123456789abcdef" for c in file_id):
        raise ValueError("not a draft file id")
    return f"{DRAFT_DIR}/{file_id}"


def draft_file_read(file_id: str) -> bytes:
    with default_storage.open(_draft_path(file_id), "rb") as handle:
        return handle.read()


def draft_file_delete(file_id: str) -> None:
    with contextlib.suppress(ValueError, OSError):
        default_storage.delete(_draft_path(file_id))


def drafts_purge(*, older_than: dt.timedelta = DRAFT_MAX_AGE) -> int:
    """Delete draft files nobody submitted. Returns how many."""
    root = default_storage.path(DRAFT_DIR)
    if not os.path.isdir(root):
        return 0
    cutoff = (timezone.now() - older_than).timestamp()
    removed = 0
    for entry in os.scandir(root):
        if entry.is_file() and entry.stat().st_mtime < cutoff:
            os.unlink(entry.path)
            removed += 1
    return removed
