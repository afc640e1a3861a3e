"""Same bytes are the same file: a file whose content is already on a claim is not attached to
it again, whoever sends it and whatever kind they call it (a photo sent as a receipt and again
as a damage photo is one photo). Sending a form again after the browser's Back, or choosing one
file twice, would otherwise put two copies on the claim.

``duplicate_reasons`` is the rule, over the files already held for a claim; ``evidence_duplicates``
applies it to a claim's evidence. ``claims.services.evidence_attach``, which every path that
puts a file on a claim goes through, refuses a duplicate with it; paths that take several files
check the whole batch first with ``evidence_check_for_claim`` (the upload policy and this
rule), so the person reads every problem at once and nothing is written (``evidence_add_all``,
the customer's uploads, the seller's and insurer's answers). The
wizard applies the rule to the files kept in the customer's draft, before the claim exists.

The content compared is the stored one (``CleanFile.sha256``, ``Evidence.sha256``): the upload
policy rewrites images and PDFs, so the same upload always gives the same stored bytes. Across
claims identical files are not refused: a photo shared by two claims is for the fraud rules.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.evidence import evidence_with_access, looker_of
from claims.exceptions import EvidenceRejected
from claims.models import Evidence
from claims.uploads import CleanFile, evidence_check_each
from claims_site.dates import format_moment


@dataclass(frozen=True)
class Held:
    """A file already held for the claim, as the person adding files may be told of it: its
    kind's label and when it was added ("" each when not to be told, or not known)."""

    sha256: str
    kind: str = ""
    added: str = ""


def duplicate_reasons(*, cleaned: list[CleanFile], held: list[Held]) -> list[str]:
    """One reason per file of ``cleaned`` whose content is in ``held`` or earlier in
    ``cleaned``, starting with the file's name (as the upload policy's reasons do)."""
    known = {}
    for file in held:
        known.setdefault(file.sha256, file)
    reasons: list[str] = []
    first_named: dict[str, str] = {}
    for clean in cleaned:
        file = known.get(clean.sha256)
        if file is not None and file.kind and file.added:
            reason = _("This file is already on the claim, added as %(kind)s on %(when)s.") % {
                "kind": file.kind,
                "when": file.added,
            }
        elif file is not None and file.kind:
            reason = _("This file is already added to your claim, as %(kind)s.") % {
                "kind": file.kind
            }
        elif file is not None:
            reason = _("This file is already on the claim.")
        elif clean.sha256 in first_named:
            reason = _("This is the same file as %(first)s: choose it once.") % {
                "first": first_named[clean.sha256]
            }
        else:
            first_named[clean.sha256] = clean.name
            continue
        reasons.append(f"{clean.name}: {reason}")
    return reasons


def evidence_duplicates(*, claim_id: int, cleaned: list[CleanFile], actor: Actor) -> list[str]:
    """``duplicate_reasons`` for files ``actor`` adds to the claim ``claim_id``; one query, none
    for no file.

    A reason says what the file already is on the claim (its kind) and since when, in the
    reader's language and zone, only when ``actor`` may see that file (``claims.evidence``): a
    seller is not told that the customer sent the same bytes as a medical bill."""
    if not cleaned:
        return []
    found = evidence_with_access(
        Evidence.objects.filter(claim_id=claim_id, sha256__in={clean.sha256 for clean in cleaned}),
        looker=looker_of(actor),
    ).order_by("created_at", "pk")
    held = [
        Held(
            sha256=evidence.sha256,
            kind=str(evidence.get_kind_display()),
            added=format_moment(timezone.localtime(evidence.created_at)),
        )
        if evidence.may_open
        else Held(sha256=evidence.sha256)
        for evidence in found
    ]
    return duplicate_reasons(cleaned=cleaned, held=held)


def evidence_check_for_claim(
    *, claim_id: int, files: list[tuple[str, bytes]], actor: Actor, reasons: list[str] | None = None
) -> list[CleanFile]:
    """Files (name, bytes) ``actor`` adds to a claim, as they will be stored; or, before
    anything is written, one ``EvidenceRejected`` naming every problem: ``reasons`` (the
    caller's own, first), each file the upload policy refuses and each file already on the claim
    or chosen twice."""
    cleaned, refused = evidence_check_each(files=files)
    problems = [*(reasons or []), *refused]
    problems += evidence_duplicates(claim_id=claim_id, cleaned=cleaned, actor=actor)
    if problems:
        raise EvidenceRejected(reasons=problems)
    return cleaned
