"""Privacy requests carried out: each is recorded (``PrivacyRequest``) and audited on the
timeline of every claim of the customer, whoever asked."""

from django.db import transaction
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.events import EventSpec, claim_events_add
from claims.models import Claim, EventKind, Party
from marketplace.models import Customer
from privacy.export import Archive, customer_archive
from privacy.models import PrivacyRequest, RequestKind


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
