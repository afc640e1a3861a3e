"""Who funds a claim: the program's policy as one function, never a free choice.

At or under the region's threshold the marketplace pays the claim as a concession. Above it
the seller, or the insurer they handed the claim to, pays what they accepted; the marketplace
steps in (and recovers the amount from the seller) only when the seller's deadline passed in
silence, when staff overruled a rejection, or when an accepted claim was not paid in time.
The decision form shows what this function says and why; a supervisor may fund a claim
otherwise only with the ``claims.override_funding`` permission and a written reason.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from claims.models import Claim, Funding
from claims.money import format_minor


@dataclass(frozen=True)
class FundingDecision:
    """``funding`` is empty when the policy cannot fund the claim yet; ``reason`` says why."""

    funding: str
    reason: str

    @property
    def label(self) -> str:
        return str(Funding(self.funding).label) if self.funding else _("Not yet decided")


def funding_for(*, claim: Claim) -> FundingDecision:
    """The funding the program's policy gives ``claim`` now."""
    from sellers.models import ResponseDecision, ResponseParty, SellerResponse

    region = claim.region
    threshold = format_minor(region.threshold_minor, region.currency)
    if claim.claimed_total_minor <= region.threshold_minor:
        return FundingDecision(
            Funding.CONCESSION,
            _(
                "The claim is at or under the %(region)s threshold of %(amount)s: the marketplace "
                "pays it from its own funds."
            )
            % {"region": region.display_name, "amount": threshold},
        )
    if claim.funding == Funding.STEP_IN:
        return FundingDecision(
            Funding.STEP_IN,
            _(
                "The marketplace stepped in (the seller did not answer in time, their "
                "rejection was overruled, or their payment did not arrive): it pays the "
                "customer and recovers the approved amount from the seller."
            ),
        )
    latest = (
        SellerResponse.objects.filter(claim=claim)
        .order_by("-version")
        .only("decision", "party")
        .first()
    )
    if latest is not None and latest.decision == ResponseDecision.ACCEPT:
        if region.accepted_claims_paid_by == "marketplace":
            return FundingDecision(
                Funding.STEP_IN,
                _(
                    "The %(party)s accepted the claim. In %(region)s the marketplace pays accepted "
                    "claims at once and recovers the approved amount from the seller."
                )
                % {"party": latest.get_party_display().lower(), "region": region.display_name},
            )
        if latest.party == ResponseParty.INSURER:
            return FundingDecision(
                Funding.INSURER,
                _("The seller's insurer accepted the claim: the insurer pays the approved amount."),
            )
        return FundingDecision(
            Funding.SELLER,
            _("The seller accepted the claim: the seller pays the approved amount."),
        )
    return FundingDecision(
        Funding.UNDECIDED,
        _(
            "The claim is above the %(amount)s threshold: the seller or their insurer answers "
            "first. Wait for their answer, overrule a rejection, or let the response deadline "
            "pass; the marketplace then steps in."
        )
        % {"amount": threshold},
    )
