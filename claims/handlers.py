"""Outbox handlers of the claims app: what the workers do after a claim changes."""

import datetime as dt
import functools
import re
import zoneinfo

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from claims.actors import Actor
from claims.events import denial_explanation
from claims.lifecycle import Via
from claims.models import Claim, ClaimEvent, ClaimStatus, Funding
from claims.money import format_minor, reader_locale
from claims.notifications import email_connection, email_send
from claims.outbox import handler
from claims_site.dates import format_moment


@handler("claims.screen")
def screen(*, claim_id: int, event_id: int) -> None:
    """A new claim enters screening (fraud scoring and triage happen there)."""
    from claims.services import claim_transition

    claim = Claim.objects.get(pk=claim_id)
    if claim.status == ClaimStatus.SUBMITTED:
        claim_transition(
            claim=claim,
            to=ClaimStatus.SCREENING,
            actor=Actor.system("screening"),
            via=Via.SCREENING,
        )


class CustomerEmails:
    """What the customer e-mails of one batch share, worked out once for the batch rather than
    once per e-mail: the locale that formats the amounts, the status names, and the claim
    page's URL (``reverse`` resolves the URL patterns on every call)."""

    _PLACEHOLDER = "REFERENCE"
    # References the URL carries as they are (what claim_new generates); others go through
    # reverse(), which quotes them.
    _PLAIN = re.compile(r"[A-Za-z0-9._-]+")

    def __init__(self) -> None:
        self._locales: dict[str, object] = {}
        head, tail = reverse("portal:claim-detail", args=[self._PLACEHOLDER]).split(
            self._PLACEHOLDER
        )
        self._url = (settings.SITE_URL + head, tail)
        self._labels: dict[tuple[str, str], str] = {}

    def claim_url(self, reference: str) -> str:
        """The customer's claim page; without a session it leads through sign-in and back."""
        if not self._PLAIN.fullmatch(reference):
            return settings.SITE_URL + reverse("portal:claim-detail", args=[reference])
        return reference.join(self._url)

    def locale(self, language: str):
        """The Babel locale for the reader's language, parsed once per batch and language."""
        if language not in self._locales:
            self._locales[language] = reader_locale(language)
        return self._locales[language]

    def status(self, status: str) -> str:
        """The status's name in the active language (the caller overrides it to the reader's)."""
        key = (translation.get_language(), status)
        if key not in self._labels:
            self._labels[key] = str(ClaimStatus(status).label)
        return self._labels[key]

    def context(self, *, claim: Claim, event: ClaimEvent) -> dict:
        """Flat values for the e-mail templates in the reader's language (amounts, dates and the
        status are written here, and a worker has no request whose language would be active),
        dates in the claim region's time zone."""
        language = claim.customer_language
        with translation.override(language):
            return self._context(claim=claim, event=event, locale=self.locale(language))

    def _context(self, *, claim: Claim, event: ClaimEvent, locale) -> dict:
        zone = zoneinfo.ZoneInfo(claim.region.time_zone)
        info_due = claim.customer_info_due
        data = event.data or {}
        return {
            "name": claim.customer.name,
            "reference": claim.reference,
            "claimed": format_minor(claim.claimed_total_minor, claim.currency, locale=locale),
            "approved": format_minor(claim.approved_total_minor, claim.currency, locale=locale),
            "status": self.status(claim.status),
            "reason": denial_explanation(event.reason)
            if event.to_status == ClaimStatus.DENIED
            else event.reason,
            # A payment's event says where the money went, masked (payouts pipeline).
            "paid_to_last4": data.get("paid_to", "")[-4:],
            "info_due": format_moment(info_due.astimezone(zone)) if info_due else "",
            "decision_days": claim.region.decision_target_days,
            "appeal_days": claim.region.appeal_window_days,
            "claim_url": self.claim_url(claim.reference),
            # Accepted claims above the threshold are paid by the seller or their insurer.
            "payer": PAYERS.get(claim.funding, ""),
            "party_due": format_moment(
                dt.datetime.fromisoformat(data["party_due"]).astimezone(zone)
            )
            if data.get("party_due")
            else "",
        }


PAYERS = {
    Funding.SELLER: gettext_lazy("The seller"),
    Funding.INSURER: gettext_lazy("The seller's insurer"),
}


# The columns the customer e-mails read, for the batch's one query.
EMAIL_FIELDS = (
    "id",
    "claim_id",
    "to_status",
    "reason",
    "data",
    *(
        f"claim__{name}"
        for name in (
            "id",
            "reference",
            "status",
            "currency",
            "claimed_total_minor",
            "approved_total_minor",
            "customer_info_due",
            "funding",
            "language",
            "customer_id",
            "region_id",
            "customer__id",
            "customer__name",
            "customer__email",
            "region__id",
            "region__time_zone",
            "region__decision_target_days",
            "region__appeal_window_days",
            "region__language",
        )
    ),
)


@handler("claims.notify_customer", batch=True, background=True)
def notify_customer(*, payloads: list[dict]) -> dict[int, Exception]:
    """Tell customers what just happened to their claims, in the language each filed in.

    A batch (the messages of a delivered chunk: a payout batch's 250 paid claims arrive
    together) is one piece of work: the events read in one query of the columns the e-mails
    use, what the e-mails share worked out once (``CustomerEmails``), and one connection to the
    mail relay. Each e-mail is still sent on its own: one that fails is reported for its
    message alone and retried later; the others are not sent again."""
    events = (
        ClaimEvent.objects.select_related("claim__customer", "claim__region")
        .only(*EMAIL_FIELDS)
        .in_bulk([payload["event_id"] for payload in payloads])
    )
    emails = CustomerEmails()
    failed: dict[int, Exception] = {}
    with email_connection() as connection:
        for position, payload in enumerate(payloads):
            try:
                event = events.get(payload["event_id"])
                if event is None:
                    raise ClaimEvent.DoesNotExist(
                        f"ClaimEvent {payload['event_id']} does not exist"
                    )
                claim = event.claim
                email_send(
                    template=_template_for(event.to_status),
                    to=[claim.customer.email],
                    context=emails.context(claim=claim, event=event),
                    language=claim.customer_language,
                    connection=connection,
                )
            except Exception as exc:  # noqa: BLE001 - the outbox records it on this message's row
                failed[position] = exc
    return failed


@functools.cache
def _template_for(status: str) -> str:
    # Every customer-facing state has its own wording; the generic one covers the rest.
    try:
        select_template([f"emails/claim-{status}-subject.txt"])
    except TemplateDoesNotExist:
        return "claim-update"
    return f"claim-{status}"
