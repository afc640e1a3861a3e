"""What the rules see of one claim, with index-backed lookups of other claims."""

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from claims.models import Claim
from fraud.models import ClaimAttribute

LOOKUP_LIMIT = 50  # a rule needs a handful of examples, never the whole history


@dataclass
class Context:
    claim: Claim
    now: dt.datetime
    attributes: dict[str, list[str]] = field(default_factory=dict)

    def others_with(self, *, kind: str, value: str, since: dt.datetime | None = None) -> list:
        """Other claims made with this attribute: ``(claim_id, reference, customer_id)``."""
        query = ClaimAttribute.objects.filter(kind=kind, value=value)
        if since is not None:
            query = query.filter(claim_submitted_at__gte=since)
        return list(
            query.exclude(claim_id=self.claim.pk)
            .order_by("-claim_submitted_at")
            .values_list("claim_id", "claim__reference", "customer_id")[:LOOKUP_LIMIT]
        )

    @cached_property
    def linked(self) -> dict[tuple[str, str], list]:
        """Every other claim sharing an attribute with this one, by (kind, value)."""
        return {
            (kind, value): self.others_with(kind=kind, value=value)
            for kind, values in self.attributes.items()
            for value in values
        }

    @cached_property
    def linked_customer_ids(self) -> set[int]:
        return {
            customer_id
            for rows in self.linked.values()
            for _claim_id, _ref, customer_id in rows
            if customer_id != self.claim.customer_id
        }

    @cached_property
    def photos(self) -> list:
        from fraud.models import EvidencePhoto

        return list(EvidencePhoto.objects.screened().filter(claim_id=self.claim.pk).order_by("pk"))
