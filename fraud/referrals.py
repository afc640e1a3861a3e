"""Referring a held claim to an external adjuster, their report, and reminders.

The adjuster gets a signed, expiring link (``claims.links``, purpose ADJUSTER_REVIEW) bound to
one claim. The token is never stored: it is e-mailed once, after commit.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from claims.actors import Actor
from claims.files import atomic_with_files
from claims.links import link_issue, link_revoke
from claims.models import AccessLink, Claim, EvidenceKind, LinkPurpose, Party
from claims.notifications import email_send
from claims.services import claim_note_add, evidence_attach
from claims.uploads import evidence_check
from fraud.models import FraudDecision, FraudReview, Recommendation, Referral
from fraud.services import FraudError, _need_hold, _need_note, fraud_label_problem

REFERRAL_DAYS = 10  # report due, in days (the link lives a week longer, for late reports)
LINK_GRACE = dt.timedelta(days=7)
REMIND_BEFORE = dt.timedelta(days=2)


def adjuster_actor(referral: Referral) -> Actor:
    return Actor(party=Party.ADJUSTER, label=f"adjuster {referral.adjuster_email}")


def _send_link(*, referral: Referral, token: str, template: str) -> None:
    url = settings.SITE_URL + reverse("fraud:adjuster", kwargs={"token": token})
    context = {
        "reference": referral.claim.reference,
        "due": date_format(referral.due_at, "DATE_FORMAT"),
        "url": url,
    }
    transaction.on_commit(
        lambda: email_send(template=template, to=[referral.adjuster_email], context=context)
    )


@transaction.atomic
def fraud_refer(
    *,
    claim: Claim,
    actor: Actor,
    adjuster_email: str,
    label: str,
    note: str,
    due_days: int = REFERRAL_DAYS,
) -> Referral:
    """Send a held claim to an adjuster; the claim stays on hold until an analyst decides."""
    if not actor.has_perm("claims.review_fraud"):
        raise FraudError(_("Only fraud analysts refer claims to adjusters."))
    claim.refresh_from_db()
    _need_hold(claim)
    note = _need_note(note)
    problem = fraud_label_problem(decision="refer", label=label)
    if problem:
        raise FraudError(problem)
    try:
        validate_email(adjuster_email)
    except ValidationError:
        raise FraudError(_("Enter the adjuster's e-mail address.")) from None
    if not 1 <= due_days <= 60:
        raise FraudError(_("The report must be due in 1 to 60 days."))
    due_at = timezone.now() + dt.timedelta(days=due_days)
    link, token = link_issue(
        purpose=LinkPurpose.ADJUSTER_REVIEW,
        email=adjuster_email,
        expires_in=dt.timedelta(days=due_days) + LINK_GRACE,
        claim=claim,
        created_by=actor.user,
    )
    referral = Referral.objects.create(
        claim=claim,
        adjuster_email=adjuster_email,
        link=link,
        referred_by=actor.user,
        due_at=due_at,
    )
    FraudReview.objects.create(
        claim=claim, analyst=actor.user, decision=FraudDecision.REFERRED, label=label, note=note
    )
    claim_note_add(
        claim=claim,
        actor=actor,
        text=_("Referred to adjuster %(email)s, report due %(due)s. %(note)s")
        % {"email": adjuster_email, "due": due_at.date().isoformat(), "note": note},
    )
    _send_link(referral=referral, token=token, template="fraud-adjuster-referral")
    return referral


def referral_for_link(link: AccessLink) -> Referral:
    referral = (
        Referral.objects.select_related("claim").filter(link=link).order_by("-created_at").first()
    )
    if referral is None:
        raise FraudError(_("This link is not valid. Please use the link exactly as we sent it."))
    return referral


def fraud_referral_report(
    *, referral: Referral, data: bytes, filename: str, recommendation: str, summary: str
) -> Referral:
    """The adjuster's report and recommendation; the analyst decides."""
    if recommendation not in Recommendation.values:
        raise FraudError(_("Choose a recommendation."))
    summary = (summary or "").strip()
    if not summary:
        raise FraudError(_("Summarise your findings."))
    if referral.reported_at is not None:
        raise FraudError(_("A report has already been received for this referral."))
    clean = evidence_check(data=data, filename=filename)  # the upload policy, before any write
    actor = adjuster_actor(referral)
    # With the files: a report refused half-way leaves no row and no stored file.
    with atomic_with_files():
        evidence = evidence_attach(
            claim=referral.claim, clean=clean, kind=EvidenceKind.REPORT, actor=actor
        )
        taken = Referral.objects.filter(pk=referral.pk, reported_at__isnull=True).update(
            reported_at=timezone.now(),
            recommendation=recommendation,
            report_note=summary,
            report=evidence,
        )
        if not taken:
            raise FraudError(_("A report has already been received for this referral."))
        claim_note_add(
            claim=referral.claim,
            actor=actor,
            text=_("Adjuster's report: %(rec)s. %(summary)s")
            % {"rec": Recommendation(recommendation).label, "summary": summary},
        )
    referral.refresh_from_db()
    return referral


def fraud_referral_remind(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Remind adjusters whose report is due soon or overdue, once, with a fresh link.

    Compare-and-swap on ``reminded_at IS NULL``: a second sweeper does nothing.
    """
    now = now or timezone.now()
    due = list(
        Referral.objects.filter(
            reported_at__isnull=True, reminded_at__isnull=True, due_at__lte=now + REMIND_BEFORE
        )
        .select_related("claim", "link")
        .order_by("due_at")[:limit]
    )
    sent = 0
    for referral in due:
        with transaction.atomic():
            if not Referral.objects.filter(pk=referral.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            if referral.link is not None:
                link_revoke(link=referral.link, revoked_by=None, reason="replaced by reminder")
            link, token = link_issue(
                purpose=LinkPurpose.ADJUSTER_REVIEW,
                email=referral.adjuster_email,
                expires_in=max(referral.due_at - now, dt.timedelta(0)) + LINK_GRACE,
                claim=referral.claim,
            )
            Referral.objects.filter(pk=referral.pk).update(link=link)
            _send_link(referral=referral, token=token, template="fraud-adjuster-reminder")
            sent += 1
    return sent
